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
 * Beyond plain sequences it runs, still in linear time:
 * - repeated groups: `{n}` / `{n,m}` are unrolled into n mandatory and m - n nested optional copies
 *   (captures inside must be set on every pass, so the last pass's values are PCRE2's and the
 *   RegExp's alike); `*` / `+` / `{n,}` end in a loop whose body is alternatives of fixed-length
 *   class sequences with disjoint first characters (`(?:%20|\+)*`, `(?:[A-Za-z\d+\/]{4})*`):
 *   each position has at most one next pass, so the passes form a chain walked without recursion
 *   and remembered per position like a run;
 * - `\b`, `\B` and `^` anywhere, and the translator's newline anchors (`(?<![^\n])` ...): zero-width
 *   tests of the position;
 * - lookaheads right after a leading `^` (`^(?!^$|^-$)`, `^(?=.*a)`): they are tried once per
 *   call, at the start, each by a matcher of its own.
 * A repeated group's body may not match the empty string (PCRE2 and the RegExp differ there).
 *
 * Anything else (lookbehind, lookahead elsewhere, back-references, other repeated groups, ...) is
 * not compiled (compileSequence returns null) and stays with the RegExp.
 */
import { escapedCharAt } from './translated';


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
/** A zero-width test of the position (`assert`: A_START, A_WORD_BOUNDARY or A_NOT_WORD_BOUNDARY). */
const T_ASSERT = 6;
/** A repeated group's loop: zero or more passes through `loopAlts` (see Parser.loopOf). */
const T_LOOP = 7;

/** `^` (the start of the call's subject). */
const A_START = 0;
/** `\b`. */
const A_WORD_BOUNDARY = 1;
/** `\B`. */
const A_NOT_WORD_BOUNDARY = 2;
/** `(?<![^\n])`: the start or after a newline (PCRE2's multiline `^` in the exact translation). */
const A_LINE_START = 3;
/** `(?=\n|$)`: before a newline or at the end (multiline `$`). */
const A_LINE_END = 4;
/** `(?=\n?$)`: at the end or before a final newline (PCRE2's `$`, `\Z`). */
const A_END_OR_FINAL_NEWLINE = 5;

/** The translator's anchors for subjects with newlines, as they appear in its RegExp source. */
const NEWLINE_ANCHORS: [string, number][] = [
  ['(?<![^\\n])', A_LINE_START],
  ['(?=\\n|$)', A_LINE_END],
  ['(?=\\n?$)', A_END_OR_FINAL_NEWLINE],
];

/** Above this many items added by unrolling `{n,m}`, a pattern stays with the RegExp. */
const MAX_UNROLLED_ITEMS = 256;

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
  /** For T_SPLIT: what each target can start with (stand-in items' follow* fields). */
  targetStarts: Item[];
  /** For T_RUN: characters the rest of the pattern can start with (null: it may match empty). */
  followLow: Uint8Array | null;
  followHigh: boolean;
  /** No character the rest can start with is in this run's class. */
  disjoint: boolean;
  /** The rest may match at the end of the subject. */
  followEnd: boolean;
  /** For T_ASSERT: which test. */
  assert: number;
  /** For T_LOOP: one pass is one of these fixed-length sequences of class runs (min = max). */
  loopAlts: Item[][];
  /** Row in the failure memo, for the items that remember failures (-1: none). */
  row: number;
}

interface Lookahead {
  matcher: SequenceMatcher;
  negate: boolean;
}

interface Alt {
  first: number;
  anchored: boolean;
  /** Lookaheads right after the leading `^`, tried at the start of the call. */
  lookaheads: Lookahead[];
  /** What the alternative can start with (the follow* fields of a stand-in item). */
  start: Item;
  /** What its second character can be, when its first is always a one-character item; else null. */
  second: Item | null;
}

const INF = 0x7fffffff;

function emptyItem(type: number): Item {
  return {
    type, low: new Uint8Array(256), high: [], min: 1, max: 1, lazy: false, slot: -1, next: -1, targets: [],
    followLow: null, followHigh: true, disjoint: false, followEnd: true, assert: -1, loopAlts: [], row: -1, targetStarts: [],
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
      const alt: Alt = { first: this.items.length, anchored: false, lookaheads: [], start: emptyItem(T_RUN), second: null };
      if (s[this.pos] === '^') {
        alt.anchored = true;
        this.pos++;
        while (s.startsWith('(?=', this.pos) || s.startsWith('(?!', this.pos)) alt.lookaheads.push(this.lookahead());
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

  /**
   * `(?=...)` / `(?!...)` at the start of an anchored alternative: a matcher of its own for
   * `^(?:body)`, without captures (they would have to reach the outer match).
   */
  private lookahead(): Lookahead {
    const s = this.src;
    const negate = s[this.pos + 2] === '!';
    const open = this.pos;
    let depth = 0;
    let inClass = false;
    let i = open;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') i++;
      else if (inClass) inClass = c !== ']';
      else if (c === '[') inClass = true;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
    }
    if (i >= s.length) throw new Unsupported();
    const matcher = compileSequence(`^(?:${s.slice(open + 3, i)})`);
    if (matcher === null || matcher.caps.length > 2) throw new Unsupported();
    this.pos = i + 1;
    return { matcher, negate };
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
      if (c === '^' || (c === '\\' && (s[this.pos + 1] === 'b' || s[this.pos + 1] === 'B'))) {
        const it = emptyItem(T_ASSERT);
        it.assert = c === '^' ? A_START : s[this.pos + 1] === 'b' ? A_WORD_BOUNDARY : A_NOT_WORD_BOUNDARY;
        this.pos += c === '^' ? 1 : 2;
        if (/^[*+?{]/.test(s[this.pos] ?? '')) throw new Unsupported();
        this.items.push(it);
        continue;
      }
      const anchor = c === '(' ? NEWLINE_ANCHORS.find(([text]) => s.startsWith(text, this.pos)) : undefined;
      if (anchor !== undefined) {
        const it = emptyItem(T_ASSERT);
        it.assert = anchor[1];
        this.pos += anchor[0].length;
        if (/^[*+?{]/.test(s[this.pos] ?? '')) throw new Unsupported();
        this.items.push(it);
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
   * A group and its quantifier. `?` / `??` make one optional copy; `{n}`, `{n,m}` unroll into n
   * copies and m - n nested optional ones (each skip goes past them all, as `(?:X(?:X)?)?`);
   * `*`, `+`, `{n,}` end in a T_LOOP item. Copies are parsed again from the source, with the same
   * capture numbers.
   */
  private group(depth: number): void {
    const items = this.items;
    const srcStart = this.pos;
    const groupsBefore = this.groups;
    const itemStart = items.length;
    this.groupOnce(depth);
    const groupsAfter = this.groups;
    const q = this.repeat();
    if (q === null || (q.min === 1 && q.max === 1)) return;
    const srcAfter = this.pos;
    const end = items.length;
    if (this.nullable(itemStart, end)) throw new Unsupported();
    if (q.max > 1) {
      // A capture inside must be set on every pass (no alternatives or optional parts around it):
      // the RegExp clears it at each pass, PCRE2 keeps the previous pass's value.
      const body = items.slice(itemStart + 1, end);
      if (body.some((it) => it.type === T_MARK) && (q.max === INF || body.some((it) => it.type === T_SPLIT && it.targets.length > 1))) {
        throw new Unsupported();
      }
    }
    const loop = q.max === INF ? this.loopOf(itemStart, end, q.lazy) : null;
    const copies = q.max === INF ? q.min : q.max;
    if ((end - itemStart) * (copies - 1) > MAX_UNROLLED_ITEMS) throw new Unsupported();
    items.length = itemStart;
    const optional: Item[] = [];
    for (let k = 0; k < copies; k++) {
      this.pos = srcStart;
      this.groups = groupsBefore;
      const opt = this.groupOnce(depth);
      if (k >= q.min) optional.push(items[opt]);
    }
    if (loop !== null) items.push(loop);
    const after = items.length;
    for (const opt of optional) {
      const body = opt.targets[0];
      opt.targets = q.lazy ? [after, body] : [body, after];
    }
    this.pos = srcAfter;
    this.groups = groupsAfter;
  }

  /** The quantifier at pos, read; null if none. */
  private repeat(): { min: number; max: number; lazy: boolean } | null {
    const s = this.src;
    const c = s[this.pos];
    let min: number;
    let max: number;
    if (c === '?' || c === '*' || c === '+') {
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : INF;
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.pos, this.pos + 24));
      if (!m) throw new Unsupported();
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? INF : Number(m[3]);
      if (max < min) throw new Unsupported();
      this.pos += m[0].length;
    } else return null;
    const lazy = s[this.pos] === '?';
    if (lazy) this.pos++;
    return { min, max, lazy };
  }

  /** May items [from, end) match the empty string (`end` reached without taking a character)? */
  private nullable(from: number, end: number): boolean {
    const items = this.items;
    const seen = new Set<number>();
    const walk = (start: number): boolean => {
      for (let k = start; k < end;) {
        if (seen.has(k)) return false;
        seen.add(k);
        const x = items[k];
        if (x.type === T_SPLIT) return x.targets.some(walk);
        if (x.type === T_RUN && x.min >= 1) return false;
        k = x.next >= 0 ? x.next : k + 1;
      }
      return true;
    };
    return walk(from);
  }

  /**
   * The loop item for a group parsed at [from, end): `(?:A|B|...)` where each alternative is a
   * sequence of fixed-count class runs and no two alternatives can start with the same character,
   * so at most one pass can start at a position.
   */
  private loopOf(from: number, end: number, lazy: boolean): Item {
    const items = this.items;
    const altSplit = items[from + 1];
    if (altSplit.type !== T_SPLIT) throw new Unsupported(); // a capture group
    const loop = emptyItem(T_LOOP);
    loop.lazy = lazy;
    loop.min = 0;
    loop.max = INF;
    for (const t of altSplit.targets) {
      const seq: Item[] = [];
      for (let k = t; k < end && items[k].type !== T_JUMP; k++) {
        const it = items[k];
        if (it.type !== T_RUN || it.min !== it.max || it.min < 1) throw new Unsupported();
        seq.push(it);
      }
      if (seq.length === 0) throw new Unsupported();
      const first = seq[0];
      for (let c = 0; c < 256; c++) {
        if (first.low[c] === 1 && loop.low[c] === 1) throw new Unsupported();
        if (first.low[c] === 1) loop.low[c] = 1;
      }
      if (first.high.length > 0 && loop.high.length > 0) throw new Unsupported();
      loop.high.push(...first.high);
      loop.loopAlts.push(seq);
    }
    return loop;
  }

  /**
   * `(...)`, `(?:...)` with its alternatives, once. Layout: [optional split] [open mark]
   * [alternatives split] alternative, jump ... [close mark]; a split with one target just continues
   * there. Returns the index of the optional split (one target until the caller makes it optional).
   */
  private groupOnce(depth: number): number {
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
    optSplit.targets = [optIndex + 1];
    return optIndex;
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

  /** `\xNN`, `\uNNNN`, `\n`, `\t`, `\0`, ... or an escaped punctuation character. */
  private escapedChar(): number {
    const r = escapedCharAt(this.src, this.pos);
    if (r === null) throw new Unsupported();
    this.pos = r[1];
    return r[0];
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

/** Forgets every failure remembered so far (in O(1)). */
function newGeneration(): void {
  if (++generation === 0xffffffff) {
    memo.fill(0);
    generation = 1;
  }
}

/** May the rest after a run item (or an alternative) start with character c? */
function startsWith(f: Item, c: number): boolean {
  return c < 256 ? f.followLow![c] === 1 : f.followHigh;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
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
  private start = 0;
  /** Chain positions of the loops being walked (see loopMatch), shared by nested calls. */
  private chain = new Int32Array(64);
  private chainTop = 0;
  /** Per run item: the rest of the pattern failed at every position in [knownLo, knownHi] (this call). */
  private readonly knownGen: Uint32Array;
  private readonly knownLo: Int32Array;
  private readonly knownHi: Int32Array;

  /** Unbounded runs over a wide class that also holds what may follow them (see isAmbiguous). */
  readonly ambiguousRuns: number;
  private readonly onlyAnchored: boolean;
  /**
   * Past `start`, the unanchored alternatives that can start with a character (by code unit < 256;
   * then any higher one, then the end), in priority order.
   */
  private readonly altsByChar: Alt[][];
  private readonly altsHigh: Alt[];
  private readonly altsEnd: Alt[];
  /** Rows of the failure memo this matcher uses. */
  private readonly rows: number;
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
    let rows = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.type === T_RUN || it.type === T_LOOP) computeFollow(items, it.next, it);
      if (it.type === T_SPLIT && it.targets.length > 1) {
        it.targetStarts = it.targets.map((t) => {
          const standIn = emptyItem(T_RUN);
          computeFollow(items, t, standIn);
          return standIn;
        });
      }
      // only these remember failures (a one-character run has nothing to remember)
      if (it.type === T_LOOP || (it.type === T_SPLIT && it.targets.length > 1) || (it.type === T_RUN && !(it.min === 1 && it.max === 1))) it.row = rows++;
    }
    this.rows = rows;
    for (const a of alts) {
      computeFollow(items, a.first, a.start);
      a.second = secondOf(items, a.first);
    }
    this.onlyAnchored = alts.every((a) => a.anchored);
    const unanchored = alts.filter((a) => !a.anchored);
    const shared = new Map<string, Alt[]>();
    this.altsByChar = [];
    for (let c = 0; c < 256; c++) {
      const list = unanchored.filter((a) => a.start.followLow === null || startsWith(a.start, c));
      const key = list.map((a) => alts.indexOf(a)).join(',');
      if (!shared.has(key)) shared.set(key, list);
      this.altsByChar.push(shared.get(key)!);
    }
    this.altsHigh = unanchored.filter((a) => a.start.followLow === null || a.start.followHigh);
    this.altsEnd = unanchored.filter((a) => a.start.followEnd);
    this.ambiguousRuns = items.filter((it) => it.type === T_RUN && it.max === INF && isAmbiguous(it)).length;
  }

  /**
   * Leftmost match from `start` (as the RegExp with lastIndex = start, `^` meaning `start`).
   * Returns the end of the match, or -1; the captures are in `caps`.
   */
  exec(subject: string, start: number): number {
    const len = subject.length;
    // failure memo, position-major: the rows of one position share cache lines
    const need = this.rows * (len + 1);
    if (memo.length < need) memo = new Uint32Array(Math.max(need, memo.length * 2));
    newGeneration();
    this.subject = subject;
    this.start = start;
    this.chainTop = 0;
    this.caps.fill(-1);
    const alts = this.alts;
    const last = this.onlyAnchored ? start : len;
    for (let s = start; s <= last; s++) {
      steps++;
      if (s > start) {
        const c = s === len ? -1 : subject.charCodeAt(s);
        const list = c < 0 ? this.altsEnd : c < 256 ? this.altsByChar[c] : this.altsHigh;
        for (let a = 0; a < list.length; a++) {
          const f2 = list[a].second;
          if (f2 !== null && (s + 1 === len ? !f2.followEnd : !startsWith(f2, subject.charCodeAt(s + 1)))) continue;
          const end = this.match(list[a].first, s);
          if (end >= 0) {
            this.subject = '';
            return end;
          }
        }
        continue;
      }
      for (let a = 0; a < alts.length; a++) {
        const alt = alts[a];
        if (alt.anchored && s !== start) continue;
        const f = alt.start;
        if (s === len ? !f.followEnd : f.followLow !== null && !startsWith(f, subject.charCodeAt(s))) continue;
        if (alt.lookaheads.length > 0 && !this.lookaheadsHold(alt, subject, start)) continue;
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

  /**
   * The alternative's lookaheads at `start`. Their matchers share the memo: a new generation after
   * them forgets their failures (and what this call remembered so far: work, not correctness).
   */
  private lookaheadsHold(alt: Alt, subject: string, start: number): boolean {
    let hold = true;
    for (const la of alt.lookaheads) {
      if (la.matcher.exec(subject, start) >= 0 === la.negate) {
        hold = false;
        break;
      }
    }
    newGeneration();
    return hold;
  }

  private match(i: number, pos: number): number {
    steps++;
    const it = this.items[i];
    if (it.type === T_MARK) {
      const r = this.match(it.next, pos);
      // The success path is unwound once, deepest item first: a group repeated by unrolling
      // keeps its last pass's positions.
      if (r >= 0 && this.caps[it.slot] < 0) this.caps[it.slot] = pos;
      return r;
    }
    if (it.type === T_JUMP) return this.match(it.next, pos);
    if (it.type === T_EOS) return pos === this.subject.length ? this.match(it.next, pos) : -1;
    if (it.type === T_ASSERT) return this.holds(it.assert, pos) ? this.match(it.next, pos) : -1;
    if (it.type === T_LOOP) return this.loopMatch(it, pos);
    if (it.type === T_SPLIT) {
      const targets = it.targets;
      if (targets.length === 1) return this.match(targets[0], pos);
      const key = pos * this.rows + it.row;
      if (memo[key] === generation) return -1;
      const len = this.subject.length;
      const c = pos < len ? this.subject.charCodeAt(pos) : -1;
      const starts = it.targetStarts;
      for (let t = 0; t < targets.length; t++) {
        const f = starts[t];
        if (c < 0 ? !f.followEnd : f.followLow !== null && !startsWith(f, c)) continue; // cannot start here
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
    const key = pos * this.rows + it.row;
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

  /** A zero-width test at pos; the subject is seen from `start` on, as the RegExp on a slice. */
  private holds(kind: number, pos: number): boolean {
    if (kind === A_START) return pos === this.start;
    const s = this.subject;
    if (kind === A_LINE_START) return pos === this.start || s.charCodeAt(pos - 1) === 10;
    if (kind === A_LINE_END) return pos === s.length || s.charCodeAt(pos) === 10;
    if (kind === A_END_OR_FINAL_NEWLINE) return pos === s.length || (pos === s.length - 1 && s.charCodeAt(pos) === 10);
    const before = pos > this.start && isWordChar(s.charCodeAt(pos - 1));
    const after = pos < s.length && isWordChar(s.charCodeAt(pos));
    return (before !== after) === (kind === A_WORD_BOUNDARY);
  }

  /** Where one pass of the loop starting at pos ends, or -1 (at most one alternative can start there). */
  private pass(it: Item, pos: number): number {
    const s = this.subject;
    const len = s.length;
    if (pos >= len) return -1;
    const c = s.charCodeAt(pos);
    if (c < 256 ? it.low[c] === 0 : !inItem(it, c)) return -1;
    const alts = it.loopAlts;
    for (let a = 0; a < alts.length; a++) {
      const seq = alts[a];
      if (!inItem(seq[0], c)) continue;
      let p = pos;
      for (let k = 0; k < seq.length; k++) {
        const x = seq[k];
        for (let r = 0; r < x.min; r++, p++) {
          if (p >= len || !inItem(x, s.charCodeAt(p))) return -1;
        }
      }
      steps += p - pos;
      return p;
    }
    return -1;
  }

  /**
   * Zero or more passes then the rest: the pass ends from pos form a chain. Greedy tries the rest
   * from the far end of the chain back to pos, lazy from pos on. Failure is remembered at every
   * chain position (all chain positions from there failed), and a walk stops at a remembered one,
   * so each position is walked once per call.
   */
  private loopMatch(it: Item, pos: number): number {
    const rows = this.rows;
    const row = it.row;
    if (memo[pos * rows + row] === generation) return -1;
    const fl = it.followLow;
    const len = this.subject.length;
    if (it.lazy) {
      for (let p = pos; ;) {
        steps++;
        if (p === len ? it.followEnd : fl === null || startsWith(it, this.subject.charCodeAt(p))) {
          const r = this.match(it.next, p);
          if (r >= 0) return r;
        }
        memo[p * rows + row] = generation; // a success ends the whole call: no need to wait for the walk's end
        p = this.pass(it, p);
        if (p < 0 || memo[p * rows + row] === generation) return -1;
      }
    }
    const base = this.chainTop;
    let top = base;
    for (let p = pos; p >= 0 && memo[p * rows + row] !== generation; p = this.pass(it, p)) {
      if (top === this.chain.length) {
        const grown = new Int32Array(top * 2);
        grown.set(this.chain);
        this.chain = grown;
      }
      this.chain[top++] = p;
    }
    this.chainTop = top;
    for (let k = top - 1; k >= base; k--) {
      const p = this.chain[k];
      steps++;
      if (p === len ? it.followEnd : fl === null || startsWith(it, this.subject.charCodeAt(p))) {
        const r = this.match(it.next, p);
        if (r >= 0) {
          this.chainTop = base;
          return r;
        }
      }
      memo[p * rows + row] = generation;
    }
    this.chainTop = base;
    return -1;
  }
}

/**
 * What the second character of a match from item `from` can be (a stand-in item's follow*
 * fields), when every way in starts with a one-character item (`[Cc]\x3a`, `(?:[Cc][Mm][Dd]|...)`);
 * else null. Run after computeFollow of the run items.
 */
function secondOf(items: Item[], from: number): Item | null {
  const firsts: Item[] = [];
  let ok = true;
  const seen = new Set<number>();
  const walk = (start: number): void => {
    for (let k = start; ok && !seen.has(k);) {
      seen.add(k);
      const x = items[k];
      if (x.type === T_MARK || x.type === T_JUMP || x.type === T_ASSERT) {
        k = x.next;
        continue;
      }
      if (x.type === T_SPLIT) {
        for (const t of x.targets) walk(t);
        return;
      }
      if (x.type === T_RUN && x.min === 1 && x.max === 1) firsts.push(x);
      else ok = false;
      return;
    }
  };
  walk(from);
  if (!ok || firsts.length === 0) return null;
  const second = emptyItem(T_RUN);
  const low = new Uint8Array(256);
  second.followLow = low;
  second.followHigh = false;
  second.followEnd = false;
  for (const f of firsts) {
    if (f.followLow === null) return null;
    for (let c = 0; c < 256; c++) low[c] |= f.followLow[c];
    second.followHigh ||= f.followHigh;
    second.followEnd ||= f.followEnd;
  }
  return second;
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
      if (x.type === T_MARK || x.type === T_JUMP || x.type === T_ASSERT) {
        k = x.next;
        continue;
      }
      if (x.type === T_LOOP) {
        for (let c = 0; c < 256; c++) if (x.low[c] === 1) low[c] = 1;
        if (x.high.length > 0) state.high = true;
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
