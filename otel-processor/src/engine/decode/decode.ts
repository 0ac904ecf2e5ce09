/**
 * Phase 2: runs the decoder trees over a pre-decoded event (OSSEC's DecodeEvent).
 */
import type { LogEvent } from '../event';
import type { CaptureBuffer, Pattern } from '../patterns';
import type { ChainIndex, CompiledDecoder, DecoderChain, DecoderSet, RegexOffset } from '../compile/decoders';
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
/** What Decoder.withWeaker returns for a head known to fail. */
const SKIP = -3;

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
   * Per root (by index) without children, then per root and child chain (slotOf + position): the
   * running score of running the regex first (see RegexFirst), and whether it does now.
   */
  private readonly score: Float64Array;
  private readonly regexFirstNow: Uint8Array;
  /** Per root (by index): its chains' first slot (position added), or -1. */
  private readonly slotOf: Int32Array;
  private readonly rootRegexFirst: boolean[];
  private readonly adaptive: boolean;
  /**
   * Per root (by index): its chains' first slot (position added) in weakScore / weakerFirstNow,
   * or -1 (no chain has a weaker one, or weaker-first is off). The score: +1 for a line the
   * weaker head failed (running it first spares this head), -1 for one this head matched (running
   * the weaker first costs a call), 0 else; averaged as the regex-first score.
   */
  private readonly weakSlotOf: Int32Array;
  private readonly weakScore: Float64Array;
  private readonly weakerFirstNow: Uint8Array;

  constructor(readonly set: DecoderSet, options: { regexFirst?: RegexFirst; weakerFirst?: boolean } = {}) {
    this.plainByFirst = set.plainByFirst;
    this.plainBySecond = set.plainBySecond;
    this.chainIndex = set.chainIndex;
    this.solo = set.decoders.map((d) => [d]);
    const mode = options.regexFirst ?? 'adaptive';
    this.rootRegexFirst = mode === 'never' ? set.decoders.map(() => false) : set.rootRegexFirst;
    this.slotOf = new Int32Array(set.decoders.length).fill(-1);
    let slots = set.decoders.length;
    set.decoders.forEach((d, i) => {
      const chains = set.chainsOf[i];
      if (mode !== 'never' && chains.some((c) => c.regexFirst)) {
        this.slotOf[i] = slots;
        slots += chains.length;
      }
    });
    this.score = new Float64Array(slots);
    this.regexFirstNow = new Uint8Array(slots).fill(mode === 'always' ? 1 : 0);
    this.adaptive = mode === 'adaptive';
    this.weakSlotOf = new Int32Array(set.decoders.length).fill(-1);
    let weakSlots = 0;
    set.decoders.forEach((d, i) => {
      const chains = set.chainsOf[i];
      if (options.weakerFirst !== false && chains.some((c) => c.weaker !== null)) {
        this.weakSlotOf[i] = weakSlots;
        weakSlots += chains.length;
      }
    });
    this.weakScore = new Float64Array(weakSlots);
    this.weakerFirstNow = new Uint8Array(weakSlots);
  }

  /** The end of the prematch of `chain`'s head from `from`, its first-character guards first; -1: no match. */
  private headEnd(chain: DecoderChain, log: string, from: number): number {
    const head = chain.members[0];
    if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) return -1;
    if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) return -1;
    return prematchEnd(head, log, from);
  }

  /**
   * The rest of decode() for a root whose chains have weaker ones (DecoderChain.weaker), its
   * prematch matched (ending at `pmatch`): the same choice of chain and the same effects, each
   * head's prematch skipped where its weaker one is known to fail (withWeaker).
   */
  private decodeWithWeaker(ev: LogEvent, log: string, root: CompiledDecoder, index: ChainIndex, pmatch: number): CompiledDecoder {
    const c = log.charCodeAt(index.atParent ? pmatch : 0);
    const chains = index.byChar[c < 128 ? c : 128];
    const slots = this.slotOf[root.index];
    let cmatch = pmatch;
    let selected: DecoderChain | null = null;
    const weakSlots = this.weakSlotOf[root.index];
    this.known = null;
    for (let k = 0; k < chains.length; k++) {
      const chain = chains[k];
      const head = chain.members[0];
      if (head.prematch !== null) {
        // the head's prematch end when already known on this line (-2: not yet)
        let pre = -2;
        if (chain === this.known) {
          if (this.knownEnd < 0) continue;
          pre = this.knownEnd;
        }
        const from = head.prematchAfterParent ? pmatch : 0;
        if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) continue;
        if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) continue;
        if (chain.weaker !== null && pre === -2 && weakSlots >= 0 &&
          !(chain.regexFirst && slots >= 0 && this.regexFirstNow[slots + chain.position] === 1)) {
          pre = this.withWeaker(chain, log, from, weakSlots + chain.position);
          if (pre === SKIP) continue;
        }
        if (chain.regexFirst && slots >= 0) {
          if (!this.claimKnown(ev, log, head, slots + chain.position, from, pre)) continue;
          if (chain.members.length > 1) this.runRegexChain(ev, log, chain.members, pmatch, pmatch, 1);
          return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
        }
        const end = pre !== -2 ? pre : prematchEnd(head, log, from);
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
    const members = selected.members;
    const first = members[0];
    if (first.plugin !== null) {
      first.plugin(ev, offsetFor(first.pluginOffset, pmatch, cmatch, -1));
      return first;
    }
    this.runRegexChain(ev, log, members, pmatch, cmatch);
    return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
  }

  /** claim() when the prematch's end `pre` may be known on this line already (-2: not). */
  private claimKnown(ev: LogEvent, log: string, d: CompiledDecoder, slot: number, from: number, pre: number): boolean {
    if (pre === -2) return this.claim(ev, log, d, slot, from);
    if (pre < 0) return false;
    this.setDecoder(ev, d);
    const end = execFrom(d.regex!, log, from, this.scratch);
    if (this.adaptive) {
      // as claim() scores it: the regex alone would have answered (+1), or not (0)
      const s = (this.score[slot] += ((end >= 0 ? 1 : 0) - this.score[slot]) / REGEX_FIRST_LINES);
      if (s > REGEX_FIRST_FROM) this.regexFirstNow[slot] = 1;
      else if (s < -REGEX_FIRST_FROM) this.regexFirstNow[slot] = 0;
    }
    if (end >= 0) this.setFields(ev, d, this.scratch);
    return true;
  }

  /** A weaker chain's head prematch run on this line ahead of its turn (see DecoderChain.weaker), and its end. */
  private known: DecoderChain | null = null;
  private knownEnd = -1;

  /**
   * The end of `chain`'s head prematch from `from`, or SKIP when its weaker chain's head fails
   * there (so does this head); runs the weaker one first or after it as `slot`'s score says, and
   * keeps what it found in `known` for the weaker chain's turn.
   */
  private withWeaker(chain: DecoderChain, log: string, from: number, slot: number): number {
    const head = chain.members[0];
    const weaker = chain.weaker as DecoderChain;
    let pre: number;
    if (this.weakerFirstNow[slot] === 1) {
      this.known = weaker;
      this.knownEnd = this.headEnd(weaker, log, from);
      if (this.knownEnd < 0) {
        // this head's prematch implies the weaker one's: it fails too
        if (this.adaptive) this.weakUpdate(slot, 1);
        return SKIP;
      }
      pre = prematchEnd(head, log, from);
      if (this.adaptive) this.weakUpdate(slot, pre >= 0 ? -1 : 0);
    } else {
      pre = prematchEnd(head, log, from);
      if (pre >= 0) {
        if (this.adaptive) this.weakUpdate(slot, -1);
      } else {
        // what the weaker head does on this line, learnt now that it would run anyway (kept for its turn)
        this.known = weaker;
        this.knownEnd = this.headEnd(weaker, log, from);
        if (this.adaptive) this.weakUpdate(slot, this.knownEnd < 0 ? 1 : 0);
      }
    }
    return pre;
  }

  private weakUpdate(slot: number, outcome: number): void {
    const s = (this.weakScore[slot] += (outcome - this.weakScore[slot]) / REGEX_FIRST_LINES);
    if (s > REGEX_FIRST_FROM) this.weakerFirstNow[slot] = 1;
    else if (s < -REGEX_FIRST_FROM) this.weakerFirstNow[slot] = 0;
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
          return ev.decoderIndex >= 0 ? this.set.decoders[ev.decoderIndex] : root;
        }
        pmatch = prematchEnd(root, log, 0);
        if (pmatch < 0) continue;
      }
      this.setDecoder(ev, root);
      const index = this.chainIndex[root.index];
      // roots with weaker chains (Apache error's) take their own loop: the others' stays as lean
      if (index !== null && this.weakSlotOf[root.index] >= 0) return this.decodeWithWeaker(ev, log, root, index, pmatch);
      let members: CompiledDecoder[];
      let cmatch = pmatch;
      if (index === null) {
        members = this.solo[root.index];
      } else {
        // only the chains whose head may match the character there, in load order
        const c = log.charCodeAt(index.atParent ? pmatch : 0);
        const chains = index.byChar[c < 128 ? c : 128];
        let selected: DecoderChain | null = null;
        const slots = this.slotOf[root.index];
        for (let k = 0; k < chains.length; k++) {
          const chain = chains[k];
          const head = chain.members[0];
          if (head.prematch !== null) {
            const from = head.prematchAfterParent ? pmatch : 0;
            if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) continue;
            if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) continue;
            if (chain.regexFirst && slots >= 0) {
              if (!this.claim(ev, log, head, slots + chain.position, from)) continue;
              // the head's regex has run (cmatch is read by no member of such a chain)
              if (chain.members.length > 1) this.runRegexChain(ev, log, chain.members, pmatch, pmatch, 1);
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
    if (this.regexFirstNow[slot] === 1) {
      end = execFrom(d.regex!, log, from, out);
      matched = end >= 0 || prematchEnd(d, log, from) >= 0;
    } else {
      matched = prematchEnd(d, log, from) >= 0;
      end = matched ? execFrom(d.regex!, log, from, out) : -1;
    }
    if (this.adaptive) {
      // +1: the regex alone would have answered; -1: both ran and failed
      const s = (this.score[slot] += ((end >= 0 ? 1 : matched ? 0 : -1) - this.score[slot]) / REGEX_FIRST_LINES);
      if (s > REGEX_FIRST_FROM) this.regexFirstNow[slot] = 1;
      else if (s < -REGEX_FIRST_FROM) this.regexFirstNow[slot] = 0;
    }
    if (!matched) return false;
    this.setDecoder(ev, d);
    if (end >= 0) this.setFields(ev, d, out);
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
