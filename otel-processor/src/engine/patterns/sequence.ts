/**
 * A matcher of our own for the shapes OSSEC patterns mostly have: alternatives of plain sequences
 * of character-class runs (`\S+`, `[^\n]+?`, `\d{2}`, literals) with capture groups around them,
 * optionally anchored by `^` / `$`. It takes a translated RegExp source (the PCRE2 translator's
 * output) and answers exactly as a backtracking engine does (same priority order, so the same
 * match and captures), but remembers which (item, position) pairs already failed. Without
 * back-references or lookaround, whether the rest of a pattern matches from a position does not
 * depend on how we got there, so each pair is tried once: the work is linear in the line for a
 * fixed pattern, where a backtracking engine is polynomial on chains like `^.+: (.+): .+: (\S+): `.
 *
 * Anything outside that subset (lookaround, back-references, quantified groups, alternation inside
 * a group, \b, ...) is not compiled (compileSequence returns null) and stays with the RegExp.
 */

/** One run: a class repeated min..max times (a literal is a class of one, min = max = 1). */
const T_RUN = 0;
/** Capture boundary: records the position in caps[slot]. */
const T_MARK = 1;
/** End of an alternative. */
const T_END = 2;
/** Tries `targets` in order (a group's alternatives, or an optional group and what follows it). */
const T_SPLIT = 3;
/** Continues at `next` (the end of a group's alternative). */
const T_JUMP = 4;
/** `$`: only at the end of the subject. */
const T_EOS = 5;

interface Item {
  type: number;
  /** Byte-range membership (code units < 256). */
  low: Uint8Array;
  /** Code-unit ranges >= 256, as [lo, hi] pairs. */
  high: number[];
  min: number;
  max: number;
  lazy: boolean;
  slot: number;
  /** The item that follows (set once parsed). */
  next: number;
  /** For T_SPLIT: where to continue, in priority order. */
  targets: number[];
  /** For T_RUN: characters the rest of the pattern can start with (null: it may match empty). */
  followLow: Uint8Array | null;
  followHigh: boolean;
  /** No character the rest can start with is in this run's class. */
  disjoint: boolean;
  /** The rest may match at the end of the subject. */
  followEnd: boolean;
}

interface Alt {
  first: number;
  anchored: boolean;
  /** What the alternative can start with (the follow* fields of a stand-in item). */
  start: Item;
}

const INF = 0x7fffffff;

function emptyItem(type: number): Item {
  return {
    type, low: new Uint8Array(256), high: [], min: 1, max: 1, lazy: false, slot: -1, next: -1, targets: [],
    followLow: null, followHigh: true, disjoint: false, followEnd: true,
  };
}

function addRange(it: Item, lo: number, hi: number): void {
  for (let c = lo; c <= Math.min(hi, 255); c++) it.low[c] = 1;
  if (hi >= 256) it.high.push(Math.max(lo, 256), hi);
}

const CLASS_ESCAPES: Record<string, [number, number][]> = {
  d: [[48, 57]],
  w: [[48, 57], [65, 90], [95, 95], [97, 122]],
  s: [[9, 13], [32, 32], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]],
};

function negateRanges(r: [number, number][]): [number, number][] {
  const sorted = [...r].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

class Unsupported extends Error {}

/** Parses the RegExp subset; throws Unsupported outside it. */
class Parser {
  private pos = 0;
  readonly items: Item[] = [];
  readonly alts: Alt[] = [];
  groups = 0;

  constructor(private readonly src: string) {}

  parse(): void {
    const s = this.src;
    for (;;) {
      const alt: Alt = { first: this.items.length, anchored: false, start: emptyItem(T_RUN) };
      if (s[this.pos] === '^') {
        alt.anchored = true;
        this.pos++;
      }
      this.sequence(0);
      this.items.push(emptyItem(T_END));
      this.alts.push(alt);
      if (this.pos >= s.length) {
        this.items.forEach((it, i) => {
          if (it.next < 0) it.next = i + 1;
        });
        return;
      }
      if (s[this.pos] !== '|') throw new Unsupported();
      this.pos++;
    }
  }

  /** Items up to `|`, `$` at the end, `)` (depth > 0) or the end. */
  private sequence(depth: number): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '|') return;
      if (c === ')') {
        if (depth === 0) throw new Unsupported();
        return;
      }
      if (c === '$') {
        this.items.push(emptyItem(T_EOS));
        this.pos++;
        continue;
      }
      if (c === '(') {
        this.group(depth);
        continue;
      }
      const it = this.atom();
      this.quantifier(it);
      this.items.push(it);
    }
  }

  /**
   * `(...)`, `(?:...)`, with alternatives and an optional `?` / `??`. Layout: [optional split]
   * [open mark] [alternatives split] alternative, jump ... [close mark]; a split with one target
   * just continues there.
   */
  private group(depth: number): void {
    const s = this.src;
    const items = this.items;
    let capture = true;
    this.pos++;
    if (s[this.pos] === '?') {
      if (s[this.pos + 1] !== ':') throw new Unsupported();
      capture = false;
      this.pos += 2;
    }
    const slot = capture ? ++this.groups : -1;
    const optSplit = emptyItem(T_SPLIT);
    const optIndex = items.length;
    items.push(optSplit);
    if (capture) {
      const open = emptyItem(T_MARK);
      open.slot = 2 * slot;
      items.push(open);
    }
    const altSplit = emptyItem(T_SPLIT);
    items.push(altSplit);
    const jumps: Item[] = [];
    for (;;) {
      altSplit.targets.push(items.length);
      this.sequence(depth + 1);
      if (s[this.pos] === '|') {
        const jump = emptyItem(T_JUMP);
        items.push(jump);
        jumps.push(jump);
        this.pos++;
        continue;
      }
      if (s[this.pos] !== ')') throw new Unsupported();
      this.pos++;
      break;
    }
    for (const j of jumps) j.next = items.length;
    if (capture) {
      const close = emptyItem(T_MARK);
      close.slot = 2 * slot + 1;
      items.push(close);
    }
    const after = items.length;
    if (s[this.pos] === '?') {
      this.pos++;
      const lazy = s[this.pos] === '?';
      if (lazy) this.pos++;
      optSplit.targets = lazy ? [after, optIndex + 1] : [optIndex + 1, after];
    } else {
      if (/^[*+{]/.test(s[this.pos] ?? '')) throw new Unsupported(); // repeated group
      optSplit.targets = [optIndex + 1];
    }
  }

  private atom(): Item {
    const s = this.src;
    const it = emptyItem(T_RUN);
    const c = s[this.pos];
    if (c === '[') {
      this.pos++;
      let negate = false;
      if (s[this.pos] === '^') {
        negate = true;
        this.pos++;
      }
      const ranges: [number, number][] = [];
      while (s[this.pos] !== ']') {
        if (this.pos >= s.length) throw new Unsupported();
        const lo = this.classChar(ranges);
        if (lo < 0) continue;
        if (s[this.pos] === '-' && s[this.pos + 1] !== ']') {
          this.pos++;
          const hi = this.classChar(ranges);
          if (hi < 0) throw new Unsupported();
          ranges.push([lo, hi]);
        } else ranges.push([lo, lo]);
      }
      this.pos++;
      for (const [lo, hi] of negate ? negateRanges(ranges) : ranges) addRange(it, lo, hi);
      return it;
    }
    if (c === '\\') {
      const e = s[this.pos + 1];
      const cls = CLASS_ESCAPES[e.toLowerCase()];
      if (cls !== undefined) {
        this.pos += 2;
        for (const [lo, hi] of e === e.toLowerCase() ? cls : negateRanges(cls)) addRange(it, lo, hi);
        return it;
      }
      const cu = this.escapedChar();
      addRange(it, cu, cu);
      return it;
    }
    if ('.*+?{}^$'.includes(c)) throw new Unsupported();
    this.pos++;
    const cu = c.charCodeAt(0);
    addRange(it, cu, cu);
    return it;
  }

  /** One class member; class escapes (\d ...) are added to `ranges` and -1 returned. */
  private classChar(ranges: [number, number][]): number {
    const s = this.src;
    if (s[this.pos] === '\\') {
      const e = s[this.pos + 1];
      const cls = CLASS_ESCAPES[e.toLowerCase()];
      if (cls !== undefined) {
        this.pos += 2;
        ranges.push(...(e === e.toLowerCase() ? cls : negateRanges(cls)));
        return -1;
      }
      return this.escapedChar();
    }
    if (s[this.pos] === '[') throw new Unsupported();
    return s.charCodeAt(this.pos++);
  }

  /** `\xNN`, `\uNNNN`, `\n`, `\t`, ... or an escaped punctuation character. */
  private escapedChar(): number {
    const s = this.src;
    const e = s[this.pos + 1];
    let m: RegExpExecArray | null;
    if (e === 'x' && (m = /^[0-9a-fA-F]{2}/.exec(s.slice(this.pos + 2, this.pos + 4)))) {
      this.pos += 4;
      return parseInt(m[0], 16);
    }
    if (e === 'u' && (m = /^[0-9a-fA-F]{4}/.exec(s.slice(this.pos + 2, this.pos + 6)))) {
      this.pos += 6;
      return parseInt(m[0], 16);
    }
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0 };
    if (e in simple) {
      if (e === '0' && /[0-9]/.test(s[this.pos + 2] ?? '')) throw new Unsupported();
      this.pos += 2;
      return simple[e];
    }
    if (e === undefined || /[A-Za-z0-9]/.test(e)) throw new Unsupported(); // \b \B \1 \k \p ...
    this.pos += 2;
    return e.charCodeAt(0);
  }

  private quantifier(it: Item): void {
    const s = this.src;
    const q = s[this.pos];
    if (q === '*' || q === '+' || q === '?') {
      it.min = q === '+' ? 1 : 0;
      it.max = q === '?' ? 1 : INF;
      this.pos++;
    } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.pos));
      if (!m) throw new Unsupported();
      it.min = Number(m[1]);
      it.max = m[2] === undefined ? it.min : m[3] === '' ? INF : Number(m[3]);
      this.pos += m[0].length;
    } else return;
    if (s[this.pos] === '?') {
      it.lazy = true;
      this.pos++;
    }
  }
}

let steps = 0;
/** Matching steps taken since start-up (calls, scanned and tried positions): for the linear-work test. */
export function sequenceSteps(): number {
  return steps;
}

// Failure memo shared by every sequence (one line is matched at a time): entry (item, position)
// failed in the current call when it holds the call's generation number.
let memo = new Uint32Array(1 << 14);
let generation = 0;

/** May the rest after a run item (or an alternative) start with character c? */
function startsWith(f: Item, c: number): boolean {
  return c < 256 ? f.followLow![c] === 1 : f.followHigh;
}

function inItem(it: Item, c: number): boolean {
  if (c < 256) return it.low[c] === 1;
  const h = it.high;
  for (let k = 0; k < h.length; k += 2) if (c >= h[k] && c <= h[k + 1]) return true;
  return false;
}

export class SequenceMatcher {
  /** Capture positions by RegExp group number: caps[2g] start, caps[2g+1] end (-1: unset). */
  readonly caps: Int32Array;
  private readonly items: Item[];
  private readonly alts: Alt[];
  private subject = '';
  private width = 0;
  /** Per run item: the rest of the pattern failed at every position in [knownLo, knownHi] (this call). */
  private readonly knownGen: Uint32Array;
  private readonly knownLo: Int32Array;
  private readonly knownHi: Int32Array;

  /** Unbounded runs over a wide class that also holds what may follow them (see isAmbiguous). */
  readonly ambiguousRuns: number;
  private readonly onlyAnchored: boolean;
  /** Per run item: the last stretch of its class seen in this call, [runFrom, runEnd). */
  private readonly runGen: Uint32Array;
  private readonly runFrom: Int32Array;
  private readonly runEnd: Int32Array;

  constructor(items: Item[], alts: Alt[], groups: number) {
    this.items = items;

    this.alts = alts;
    this.caps = new Int32Array(2 * (groups + 1)).fill(-1);
    this.knownGen = new Uint32Array(items.length);
    this.knownLo = new Int32Array(items.length);
    this.knownHi = new Int32Array(items.length);
    this.runGen = new Uint32Array(items.length);
    this.runFrom = new Int32Array(items.length);
    this.runEnd = new Int32Array(items.length);
    for (let i = 0; i < items.length; i++) if (items[i].type === T_RUN) computeFollow(items, items[i].next, items[i]);
    for (const a of alts) computeFollow(items, a.first, a.start);
    this.onlyAnchored = alts.every((a) => a.anchored);
    this.ambiguousRuns = items.filter((it) => it.type === T_RUN && it.max === INF && isAmbiguous(it)).length;
  }

  /**
   * Leftmost match from `start` (as the RegExp with lastIndex = start, `^` meaning `start`).
   * Returns the end of the match, or -1; the captures are in `caps`.
   */
  exec(subject: string, start: number): number {
    const len = subject.length;
    const width = len + 1;
    const need = this.items.length * width;
    if (memo.length < need) memo = new Uint32Array(Math.max(need, memo.length * 2));
    if (++generation === 0xffffffff) {
      memo.fill(0);
      generation = 1;
    }
    this.subject = subject;
    this.width = width;
    this.caps.fill(-1);
    const alts = this.alts;
    const last = this.onlyAnchored ? start : len;
    for (let s = start; s <= last; s++) {
      steps++;
      for (let a = 0; a < alts.length; a++) {
        const alt = alts[a];
        if (alt.anchored && s !== start) continue;
        const f = alt.start;
        if (s === len ? !f.followEnd : f.followLow !== null && !startsWith(f, subject.charCodeAt(s))) continue;
        const end = this.match(alt.first, s);
        if (end >= 0) {
          this.subject = '';
          return end;
        }
      }
    }
    this.subject = '';
    return -1;
  }

  private match(i: number, pos: number): number {
    steps++;
    const it = this.items[i];
    if (it.type === T_MARK) {
      const r = this.match(it.next, pos);
      if (r >= 0) this.caps[it.slot] = pos;
      return r;
    }
    if (it.type === T_JUMP) return this.match(it.next, pos);
    if (it.type === T_EOS) return pos === this.subject.length ? this.match(it.next, pos) : -1;
    if (it.type === T_SPLIT) {
      const targets = it.targets;
      if (targets.length === 1) return this.match(targets[0], pos);
      const key = i * this.width + pos;
      if (memo[key] === generation) return -1;
      for (let t = 0; t < targets.length; t++) {
        const r = this.match(targets[t], pos);
        if (r >= 0) return r;
      }
      memo[key] = generation;
      return -1;
    }
    const s = this.subject;
    const len = s.length;
    if (it.type === T_END) return pos;
    const low = it.low;
    if (it.max === 1 && it.min === 1) {
      // one character: nothing to remember
      if (pos >= len) return -1;
      const c = s.charCodeAt(pos);
      if (c < 256 ? low[c] === 0 : !inItem(it, c)) return -1;
      return this.match(it.next, pos + 1);
    }
    const key = i * this.width + pos;
    if (memo[key] === generation) return -1;
    // The stretch of class members from pos, remembered: a start inside the last stretch ends where
    // it ends, and a start before it only needs the characters up to it.
    let stretch: number;
    const cached = this.runGen[i] === generation;
    const from = this.runFrom[i];
    if (cached && from <= pos && pos <= this.runEnd[i]) stretch = this.runEnd[i];
    else {
      const stop = cached && pos < from ? from : len;
      stretch = pos;
      while (stretch < stop) {
        const c = s.charCodeAt(stretch);
        if (c < 256 ? low[c] === 0 : !inItem(it, c)) break;
        stretch++;
      }
      steps += stretch - pos;
      if (stretch === stop && stop === from && cached) stretch = this.runEnd[i];
      this.runGen[i] = generation;
      this.runFrom[i] = pos;
      this.runEnd[i] = stretch;
    }
    const e = it.max === INF || pos + it.max > stretch ? stretch : pos + it.max;
    const lo = pos + it.min;
    if (e >= lo) {
      // Positions where the rest is known to fail, from earlier runs of this item (a run that
      // starts later inside the same stretch offers a subset of the same positions).
      const known = this.knownGen[i] === generation;
      const kLo = known ? this.knownLo[i] : 1;
      const kHi = known ? this.knownHi[i] : 0;
      const fl = it.followLow;
      const fh = it.followHigh;
      const fe = it.followEnd;
      // When nothing the rest starts with is in the class, only the end of the run can work.
      const first = it.disjoint ? e : lo;
      if (it.lazy) {
        for (let j = first; j <= e; j++) {
          steps++;
          if (j >= kLo && j <= kHi) {
            j = kHi;
            continue;
          }
          if (j === len) {
            if (!fe) break;
          } else if (fl !== null) {
            const c = s.charCodeAt(j);
            if (c < 256 ? fl[c] === 0 : !fh) continue;
          }
          const r = this.match(it.next, j);
          if (r >= 0) return r;
        }
      } else {
        const last = it.disjoint ? e : lo;
        for (let j = e; j >= last; j--) {
          steps++;
          if (j >= kLo && j <= kHi) {
            j = kLo;
            continue;
          }
          if (j === len) {
            if (!fe) continue;
          } else if (fl !== null) {
            const c = s.charCodeAt(j);
            if (c < 256 ? fl[c] === 0 : !fh) continue;
          }
          const r = this.match(it.next, j);
          if (r >= 0) return r;
        }
      }
      // Every position in [lo, e] failed: keep the union with what was known when they touch.
      if (known && lo <= kHi + 1 && e >= kLo - 1) {
        this.knownLo[i] = Math.min(lo, kLo);
        this.knownHi[i] = Math.max(e, kHi);
      } else if (!known || e - lo > kHi - kLo) {
        this.knownGen[i] = generation;
        this.knownLo[i] = lo;
        this.knownHi[i] = e;
      }
    }
    memo[key] = generation;
    return -1;
  }
}

/** What the rest of the pattern from item `from` can start with, into `it`'s follow* fields. */
function computeFollow(items: Item[], from: number, it: Item): void {
  const low = new Uint8Array(256);
  const state = { high: false, end: false, any: false };
  const seen = new Set<number>();
  const walk = (start: number): void => {
    for (let k = start; !seen.has(k);) {
      seen.add(k);
      const x = items[k];
      if (x.type === T_MARK || x.type === T_JUMP) {
        k = x.next;
        continue;
      }
      if (x.type === T_SPLIT) {
        for (const t of x.targets) walk(t);
        return;
      }
      if (x.type === T_EOS) {
        state.end = true;
        return;
      }
      if (x.type === T_END) {
        state.any = true;
        return;
      }
      for (let c = 0; c < 256; c++) if (x.low[c] === 1) low[c] = 1;
      if (x.high.length > 0) state.high = true;
      if (x.min >= 1) return;
      k = x.next;
    }
  };
  walk(from);
  if (state.any) return; // anything may follow: keep the defaults (every position)
  it.followLow = low;
  it.followHigh = state.high;
  it.followEnd = state.end;
  let overlap = state.high && it.high.length > 0;
  for (let c = 0; c < 256 && !overlap; c++) if (low[c] === 1 && it.low[c] === 1) overlap = true;
  it.disjoint = !overlap;
}

/** The matcher for a RegExp source in the subset, or null. */
export function compileSequence(jsSource: string): SequenceMatcher | null {
  const p = new Parser(jsSource);
  try {
    p.parse();
  } catch (e) {
    if (e instanceof Unsupported || e instanceof TypeError) return null;
    throw e;
  }
  return new SequenceMatcher(p.items, p.alts, p.groups);
}

/**
 * True when at least two runs are ambiguous: unbounded over a wide class that crosses spaces (such
 * as `.+`) and also contains a character the rest may start with, so a backtracking engine retries
 * every split of the text between them (`^.+: (.+): .+: (\S+): `); `\S+ ` or `\d+\.` are not.
 */
export function hasAmbiguousRuns(m: SequenceMatcher): boolean {
  return m.ambiguousRuns >= 2;
}

function isAmbiguous(it: Item): boolean {
  // Only runs that cross spaces (`.+`, `[^"]+`): a run that stops at a space (`\S+`) backtracks
  // within one word of an ordinary line, which V8 does fast; long lines use the matcher anyway.
  if (it.low[32] !== 1) return false;
  let members = 0;
  for (let c = 0; c < 256; c++) members += it.low[c];
  if (members < 128) return false;
  const f = it.followLow;
  if (f === null) return true;
  for (let c = 0; c < 256; c++) if (f[c] === 1 && it.low[c] === 1) return true;
  return it.followHigh && it.high.length > 0;
}

/** Cheap test on the RegExp source: at least two unbounded quantifiers (else nothing to gain). */
export function mayHaveAmbiguousRuns(jsSource: string): boolean {
  let n = 0;
  for (let i = 0; i < jsSource.length; i++) {
    const c = jsSource.charCodeAt(i);
    if (c === 92) i++; // escaped character
    else if ((c === 43 || c === 42 || (c === 44 && jsSource.charCodeAt(i + 1) === 125)) && ++n >= 2) return true; // + * ,}
  }
  return false;
}
