/**
 * Phase 2: runs the decoder trees over a pre-decoded event (OSSEC's DecodeEvent).
 */
import type { LogEvent } from '../event';
import type { CaptureBuffer, Pattern } from '../patterns';
import { DEEP_LEVEL_FROM, type ChainIndex, type CompiledDecoder, type DecoderChain, type DecoderSet, type RegexOffset, type RootIndex } from '../compile/decoders';
import { headAllows, spaceRunsAllow } from '../compile/first-char';
import { prefixEnd } from '../rules/literal-filter';

/** Runs `p` on `log` as if the subject started at `from`, captures into `out`; returns the absolute end, or -1. */
function execFrom(p: Pattern, log: string, from: number, out: CaptureBuffer): number {
  if (p.execInto !== undefined) return p.execInto(log, from, out);
  const r = p.exec(log, from);
  if (r === null) return -1;
  const caps = r.captures;
  for (let k = 0; k < caps.length; k++) out.values[k] = caps[k];
  out.count = caps.length;
  return r.end;
}

/** The same without captures: nothing allocated where the pattern can avoid it. */
function testFrom(p: Pattern, log: string, from: number): number {
  if (p.matchEnd !== undefined) return p.matchEnd(log, from);
  const r = p.exec(log, from);
  return r === null ? -1 : r.end;
}

/** The end of `d`'s prematch run from `from`, or -1; a prematch of plain texts is compared in place. */
function prematchEnd(d: CompiledDecoder, log: string, from: number): number {
  const exact = d.prematchExact;
  return exact !== null ? prefixEnd(log, from, exact) : testFrom(d.prematch!, log, from);
}

/**
 * When a decoder's regex may run before its prematch (its match implies the prematch's, see
 * regexImpliesPrematch): `adaptive` (default) runs it first while, over the last lines that
 * reached that decoder, it matched more often than both failed (a line both fail then costs one
 * call more, a line the regex matches one less); `always` and `never` for tests.
 */
export type RegexFirst = 'adaptive' | 'always' | 'never';

/** Lines over which a decoder's regex-first score is averaged, and the score past which the regex runs first (and below whose negative it stops). */
const REGEX_FIRST_LINES = 16;
const REGEX_FIRST_FROM = 0.125;

export class Decoder {
  /** Program name -> the roots whose `<program_name>` matches it (an exact memo: the test only depends on the name). */
  private readonly rootsByProgram = new Map<string, CompiledDecoder[]>();
  /** Captures of the regex being applied (one line at a time). */
  private readonly scratch: CaptureBuffer = { values: [], count: 0 };
  /** Plain roots by the first character of the log (index 128: non-ASCII or empty). */
  private readonly plainByFirst: CompiledDecoder[][];
  private readonly plainBySecond: (CompiledDecoder[][] | null)[];
  private readonly chainIndex: (ChainIndex | null)[];
  /** One-member chain of each decoder (a root without children runs its own regex). */
  private readonly solo: CompiledDecoder[][];

  /**
   * The adaptive state, 4 numbers per slot (one slot per root without children, by index, then
   * one per root and child chain): [4s] the running score of running the regex first (see
   * RegexFirst), [4s + 1] whether it does now (1 or 0), [4s + 2] the weaker-first score, [4s + 3]
   * whether the weaker head runs first now. The weaker-first score: +1 for a line the weaker head
   * failed (running it first spares this head), -1 for one this head matched (running the weaker
   * first costs a call), 0 else; averaged as the regex-first score. One array, and one for the
   * slots below: each line reads few cache lines (separate arrays were measurably slower).
   */
  private readonly state: Float64Array;
  /**
   * Per root (by index i): [2i] its chains' first regex-first slot (position added), or -1;
   * [2i + 1] the same for weaker-first, or -1 (no chain has a weaker one, or weaker-first is off).
   */
  private readonly slots: Int32Array;
  private readonly rootRegexFirst: boolean[];
  private readonly adaptive: boolean;

  constructor(readonly set: DecoderSet, options: { regexFirst?: RegexFirst; weakerFirst?: boolean } = {}) {
    this.plainByFirst = set.plainByFirst;
    this.plainBySecond = set.plainBySecond;
    this.chainIndex = set.chainIndex;
    this.solo = set.decoders.map((d) => [d]);
    const mode = options.regexFirst ?? 'adaptive';
    this.rootRegexFirst = mode === 'never' ? set.decoders.map(() => false) : set.rootRegexFirst;
    this.slots = new Int32Array(2 * set.decoders.length).fill(-1);
    let total = set.decoders.length;
    set.decoders.forEach((d, i) => {
      const chains = set.chainsOf[i];
      const regex = mode !== 'never' && chains.some((c) => c.regexFirst);
      const weak = options.weakerFirst !== false && chains.some((c) => c.weaker !== null);
      if (regex) this.slots[2 * i] = total;
      if (weak) this.slots[2 * i + 1] = total;
      if (regex || weak) total += chains.length;
    });
    this.state = new Float64Array(4 * total);
    if (mode === 'always') for (let s = 0; s < total; s++) this.state[4 * s + 1] = 1;
    this.adaptive = mode === 'adaptive';
  }

  /** The end of the prematch of `chain`'s head from `from`, its first-character guards first; -1: no match. */
  private headEnd(chain: DecoderChain, log: string, from: number): number {
    const head = chain.head;
    if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) return -1;
    if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) return -1;
    return prematchEnd(head, log, from);
  }

  /**
   * The rest of decode() for a root whose chains have weaker ones (DecoderChain.weaker), its
   * prematch matched (ending at `pmatch`): the same choice of chain and the same effects, each
   * head's prematch skipped where its weaker one is known to fail. One flat loop with its state in
   * locals: kept on the Decoder and split into helper calls, the same steps ran ~10% slower
   * (Apache error; the object's fields are stored and reloaded around every pattern call).
   */
  private decodeWithWeaker(ev: LogEvent, log: string, root: CompiledDecoder, index: ChainIndex, pmatch: number): CompiledDecoder {
    const c = log.charCodeAt(index.atParent ? pmatch : 0);
    const chains = index.byChar[c < 128 ? c : 128];
    const slots = this.slots[2 * root.index];
    const weakSlots = this.slots[2 * root.index + 1];
    const adaptive = this.adaptive;
    const state = this.state;
    let cmatch = pmatch;
    let selected: DecoderChain | null = null;
    // a weaker chain whose head ran ahead of its turn on this line, and that head's prematch end
    let known: DecoderChain | null = null;
    let knownEnd = -1;
    for (let k = 0; k < chains.length; k++) {
      const chain = chains[k];
      const head = chain.head;
      if (head.prematch === null) {
        selected = chain;
        break;
      }
      // the head's prematch end when already known on this line (-2: not yet)
      let pre = -2;
      if (chain === known) {
        if (knownEnd < 0) continue;
        pre = knownEnd;
      }
      const from = head.prematchAfterParent ? pmatch : 0;
      if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) continue;
      if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) continue;
      // the chain's regex-first slot (see RegexFirst), or -1
      const slot = chain.regexFirst && slots >= 0 ? slots + chain.position : -1;
      const regexNow = slot >= 0 && state[4 * slot + 1] === 1;
      if (chain.weaker !== null && pre === -2 && weakSlots >= 0 && !regexNow) {
        // the weaker head first or after this one, as the slot's score says (see state)
        const weaker: DecoderChain = chain.weaker;
        const weakSlot = weakSlots + chain.position;
        let outcome: number;
        let skip = false;
        if (state[4 * weakSlot + 3] === 1) {
          known = weaker;
          knownEnd = this.headEnd(weaker, log, from);
          if (knownEnd < 0) {
            // this head's prematch implies the weaker one's: it fails too
            outcome = 1;
            skip = true;
          } else {
            pre = prematchEnd(head, log, from);
            outcome = pre >= 0 ? -1 : 0;
          }
        } else {
          pre = prematchEnd(head, log, from);
          if (pre >= 0) outcome = -1;
          else {
            // what the weaker head does on this line, learnt now that it would run anyway (kept for its turn)
            known = weaker;
            knownEnd = this.headEnd(weaker, log, from);
            outcome = knownEnd < 0 ? 1 : 0;
          }
        }
        if (adaptive) {
          const w = 4 * weakSlot + 2;
          const s = (state[w] += (outcome - state[w]) / REGEX_FIRST_LINES);
          if (s > REGEX_FIRST_FROM) state[w + 1] = 1;
          else if (s < -REGEX_FIRST_FROM) state[w + 1] = 0;
        }
        if (skip) continue;
      }
      if (slot >= 0) {
        // claim(), the prematch's end possibly known already
        const out = this.scratch;
        let end: number;
        let matched: boolean;
        let score: number;
        if (pre !== -2) {
          if (pre < 0) continue;
          end = execFrom(head.regex!, log, from, out);
          matched = true;
          // as claim() scores it: the regex alone would have answered (+1), or not (0)
          score = end >= 0 ? 1 : 0;
        } else {
          if (regexNow) {
            end = execFrom(head.regex!, log, from, out);
            matched = end >= 0 || prematchEnd(head, log, from) >= 0;
          } else {
            matched = prematchEnd(head, log, from) >= 0;
            end = matched ? execFrom(head.regex!, log, from, out) : -1;
          }
          score = end >= 0 ? 1 : matched ? 0 : -1;
        }
        if (adaptive) {
          const r = 4 * slot;
          const s = (state[r] += (score - state[r]) / REGEX_FIRST_LINES);
          if (s > REGEX_FIRST_FROM) state[r + 1] = 1;
          else if (s < -REGEX_FIRST_FROM) state[r + 1] = 0;
        }
        if (!matched) continue;
        this.setDecoder(ev, head);
        if (end >= 0) this.storeFields(ev, head, out);
        if (chain.members.length === 1) return head;
        this.runRegexChain(ev, log, chain.members, pmatch, pmatch, 1);
        return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
      }
      const end = pre !== -2 ? pre : prematchEnd(head, log, from);
      if (end >= 0) {
        cmatch = end;
        this.setDecoder(ev, head);
        selected = chain;
        break;
      }
    }
    if (selected === null) return root;
    const members = selected.members;
    const first = members[0];
    if (first.plugin !== null) {
      first.plugin(ev, offsetFor(first.pluginOffset, pmatch, cmatch, -1));
      return first;
    }
    this.runRegexChain(ev, log, members, pmatch, cmatch);
    return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
  }

  /** A long second-level list (squid lines': 20 roots) narrowed by the log's next characters (see DecoderSet.plainDeeper). */
  private deeper(log: string, roots: CompiledDecoder[]): CompiledDecoder[] {
    let node: RootIndex | undefined = this.set.plainDeeper.get(roots);
    if (node === undefined) return roots;
    while (node.roots === null) {
      const c = log.charCodeAt(node.at);
      node = node.byChar![c < 128 ? c : 128];
    }
    return node.roots;
  }

  /** The last program name and its roots: runs of lines from one program skip the map's hashing. */
  private lastProgram = '';
  private lastRoots: CompiledDecoder[] | null = null;

  private rootsFor(programName: string): CompiledDecoder[] {
    if (programName === this.lastProgram && this.lastRoots !== null) return this.lastRoots;
    let roots = this.rootsByProgram.get(programName);
    if (roots === undefined) {
      // only roots whose program-name pattern can start with the name's first characters
      const c = programName.charCodeAt(0);
      roots = this.set.programByFirst[c < 128 ? c : 128].filter(
        (d) => (d.programHead === null || headAllows(d.programHead, programName, 0)) && d.programName!.test(programName));
      if (this.rootsByProgram.size > 50_000) this.rootsByProgram.clear();
      this.rootsByProgram.set(programName, roots);
    }
    this.lastProgram = programName;
    this.lastRoots = roots;
    return roots;
  }

  /** Decodes `ev` in place. Returns the decoder that claimed it, or null. */
  decode(ev: LogEvent): CompiledDecoder | null {
    const log = ev.log;
    let roots: CompiledDecoder[];
    if (ev.programName !== null) roots = this.rootsFor(ev.programName);
    else {
      const c = log.charCodeAt(0);
      const k = c < 128 ? c : 128; // NaN (empty log) compares false: 128
      const second = this.plainBySecond[k];
      if (second === null) roots = this.plainByFirst[k];
      else {
        const c1 = log.charCodeAt(1);
        roots = second[c1 < 128 ? c1 : 128];
        if (roots.length > DEEP_LEVEL_FROM) roots = this.deeper(log, roots);
      }
    }
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i];
      let pmatch = 0;
      if (root.prematch !== null) {
        // the first characters turn most roots away without a call into their pattern
        if (root.prematchHead !== null && !headAllows(root.prematchHead, log, 0)) continue;
        if (root.prematchSpaceRuns !== null && !spaceRunsAllow(root.prematchSpaceRuns, log, 0)) continue;
        if (this.rootRegexFirst[root.index]) {
          if (!this.claim(ev, log, root, root.index, 0)) continue;
          return root;
        }
        pmatch = prematchEnd(root, log, 0);
        if (pmatch < 0) continue;
      }
      this.setDecoder(ev, root);
      const index = this.chainIndex[root.index];
      // roots with weaker chains (Apache error's) take their own loop: the others' stays as lean
      if (index !== null && this.slots[2 * root.index + 1] >= 0) return this.decodeWithWeaker(ev, log, root, index, pmatch);
      let members: CompiledDecoder[];
      let cmatch = pmatch;
      if (index === null) {
        members = this.solo[root.index];
      } else {
        // only the chains whose head may match the character there, in load order
        const c = log.charCodeAt(index.atParent ? pmatch : 0);
        const chains = index.byChar[c < 128 ? c : 128];
        let selected: DecoderChain | null = null;
        const slots = this.slots[2 * root.index];
        for (let k = 0; k < chains.length; k++) {
          const chain = chains[k];
          const head = chain.head;
          if (head.prematch !== null) {
            const from = head.prematchAfterParent ? pmatch : 0;
            if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) continue;
            if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) continue;
            if (chain.regexFirst && slots >= 0) {
              if (!this.claim(ev, log, head, slots + chain.position, from)) continue;
              // the head's regex has run (cmatch is read by no member of such a chain)
              if (chain.members.length === 1) return head;
              this.runRegexChain(ev, log, chain.members, pmatch, pmatch, 1);
              return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
            }
            const end = prematchEnd(head, log, from);
            if (end >= 0) {
              cmatch = end;
              this.setDecoder(ev, head);
              selected = chain;
              break;
            }
          } else {
            cmatch = pmatch;
            selected = chain;
            break;
          }
        }
        if (selected === null) return root;
        members = selected.members;
      }
      const first = members[0];
      if (first.plugin !== null) {
        first.plugin(ev, offsetFor(first.pluginOffset, pmatch, cmatch, -1));
        return first;
      }
      this.runRegexChain(ev, log, members, pmatch, cmatch);
      return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
    }
    return null;
  }

  /**
   * The prematch and regex of `d` (whose regex matching implies its prematch does, from the same
   * place `from`), in the order its score says; the effects of the plain order (prematch, then the
   * regex as the chain's first member): the decoder set when the prematch matches, the regex's
   * fields when it matches too. Returns whether the prematch matched.
   */
  private claim(ev: LogEvent, log: string, d: CompiledDecoder, slot: number, from: number): boolean {
    const out = this.scratch;
    let end: number;
    let matched: boolean;
    const state = this.state;
    if (state[4 * slot + 1] === 1) {
      end = execFrom(d.regex!, log, from, out);
      matched = end >= 0 || prematchEnd(d, log, from) >= 0;
    } else {
      matched = prematchEnd(d, log, from) >= 0;
      end = matched ? execFrom(d.regex!, log, from, out) : -1;
    }
    if (this.adaptive) {
      // +1: the regex alone would have answered; -1: both ran and failed
      const r = 4 * slot;
      const s = (state[r] += ((end >= 0 ? 1 : matched ? 0 : -1) - state[r]) / REGEX_FIRST_LINES);
      if (s > REGEX_FIRST_FROM) state[r + 1] = 1;
      else if (s < -REGEX_FIRST_FROM) state[r + 1] = 0;
    }
    if (!matched) return false;
    this.setDecoder(ev, d);
    if (end >= 0) this.storeFields(ev, d, out);
    return true;
  }

  private runRegexChain(ev: LogEvent, log: string, members: CompiledDecoder[], pmatch: number, cmatch: number, first = 0): void {
    let prev = -1;
    const out = this.scratch;
    for (let i = first; i < members.length; i++) {
      const d = members[i];
      if (d.regex === null) return;
      const start = offsetFor(d.regexOffset, pmatch, cmatch, prev);
      const end = execFrom(d.regex, log, start, out);
      if (end < 0) {
        if (i < members.length - 1) continue;
        return;
      }
      prev = end;
      this.setFields(ev, d, out);
    }
  }

  /** What a member whose regex matched does: the decoder set, the captures stored in its order's fields. */
  private setFields(ev: LogEvent, d: CompiledDecoder, out: CaptureBuffer): void {
    this.setDecoder(ev, d);
    this.storeFields(ev, d, out);
  }

  /** setFields() where the decoder is set already. */
  private storeFields(ev: LogEvent, d: CompiledDecoder, out: CaptureBuffer): void {
    const caps = out.values;
    const order = d.order;
    const n = Math.min(out.count, order.length);
    for (let k = 0; k < n; k++) {
      const field = order[k];
      if (field !== '') ev.setField(field, caps[k]);
    }
  }

  private setDecoder(ev: LogEvent, d: CompiledDecoder): void {
    ev.decoderIndex = d.index;
    ev.decoderName = d.reportedName;
    ev.decoderParent = d.parent ?? d.name;
    if (d.inheritsType !== true) ev.category = d.type;
  }
}

function offsetFor(offset: RegexOffset, pmatch: number, cmatch: number, prev: number): number {
  switch (offset) {
    case 'none': return 0;
    case 'after_parent': return pmatch;
    case 'after_prematch': return cmatch;
    case 'after_regex': return prev >= 0 ? prev : cmatch;
  }
}
