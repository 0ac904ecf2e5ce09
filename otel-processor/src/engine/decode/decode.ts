/**
 * Phase 2: runs the decoder trees over a pre-decoded event (OSSEC's DecodeEvent).
 */
import type { LogEvent } from '../event';
import type { CaptureBuffer, Pattern } from '../patterns';
import type { ChainIndex, CompiledDecoder, DecoderChain, DecoderSet, RegexOffset } from '../compile/decoders';
import { headAllows, spaceRunsAllow } from '../compile/first-char';

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

/** The same without captures (prematch): nothing allocated where the pattern can avoid it. */
function testFrom(p: Pattern, log: string, from: number): number {
  if (p.matchEnd !== undefined) return p.matchEnd(log, from);
  const r = p.exec(log, from);
  return r === null ? -1 : r.end;
}

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

  constructor(readonly set: DecoderSet) {
    this.plainByFirst = set.plainByFirst;
    this.plainBySecond = set.plainBySecond;
    this.chainIndex = set.chainIndex;
    this.solo = set.decoders.map((d) => [d]);
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
        pmatch = testFrom(root.prematch, log, 0);
        if (pmatch < 0) continue;
      }
      this.setDecoder(ev, root);
      const index = this.chainIndex[root.index];
      let members: CompiledDecoder[];
      let cmatch = pmatch;
      if (index === null) {
        members = this.solo[root.index];
      } else {
        // only the chains whose head may match the character there, in load order
        const c = log.charCodeAt(index.atParent ? pmatch : 0);
        const chains = index.byChar[c < 128 ? c : 128];
        let selected: DecoderChain | null = null;
        for (let k = 0; k < chains.length; k++) {
          const chain = chains[k];
          const head = chain.members[0];
          if (head.prematch !== null) {
            const from = head.prematchAfterParent ? pmatch : 0;
            if (head.prematchHead !== null && !headAllows(head.prematchHead, log, from)) continue;
            if (head.prematchSpaceRuns !== null && !spaceRunsAllow(head.prematchSpaceRuns, log, from)) continue;
            const end = testFrom(head.prematch, log, from);
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

  private runRegexChain(ev: LogEvent, log: string, members: CompiledDecoder[], pmatch: number, cmatch: number): void {
    let prev = -1;
    const out = this.scratch;
    for (let i = 0; i < members.length; i++) {
      const d = members[i];
      if (d.regex === null) return;
      const start = offsetFor(d.regexOffset, pmatch, cmatch, prev);
      const end = execFrom(d.regex, log, start, out);
      if (end < 0) {
        if (i < members.length - 1) continue;
        return;
      }
      prev = end;
      this.setDecoder(ev, d);
      const caps = out.values;
      const order = d.order;
      const n = Math.min(out.count, order.length);
      for (let k = 0; k < n; k++) {
        const field = order[k];
        if (field !== '') ev.setField(field, caps[k]);
      }
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
