/**
 * A matcher for decoder regexes shaped as chains of runs and literals, such as the Windows
 * decoder's `^.+: ([A-Za-z0-9@_-]+?)\((\d+?)\): (.+): (.+): .+: (\S+): `, where a backtracking
 * engine retries every split of the `.+` runs (tens of microseconds per Windows line).
 *
 * Same answers as the PCRE2 pattern (same match, same captures, same end): it explores the
 * choices in the backtracking order (greedy runs longest first, lazy shortest first, start
 * positions left to right), but a run followed by a literal only stops where that literal occurs
 * (found with the native indexOf / lastIndexOf), and every (item, position) that failed once is
 * not tried again (without back-references the rest of the pattern does not depend on how a
 * position was reached). Lines that are long, or that would take many steps, go to the pattern.
 *
 * Subset (compileChainMatcher returns null outside it): one alternative, optional leading `^`,
 * characters, escapes, `.`, classes, quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy, not
 * possessive) on single atoms, unquantified capture / non-capturing groups.
 */
import { HIGH, TABLE, pcre2Atom, type Cls } from '../compile/first-char';
import type { MatchResult, Pattern } from '../patterns';

const RUN = 0;
const LIT = 1;
const OPEN = 2;
const CLOSE = 3;

interface Item {
  kind: number;
  /** RUN: the class (TABLE entries). */
  t: Cls | null;
  /** RUN: the class is `.` (every unit but the line feed). */
  dot: boolean;
  min: number;
  max: number;
  lazy: boolean;
  /** LIT: the text; `folded`: compared ASCII case-insensitively (lower-cased here). */
  text: string;
  folded: boolean;
  /** LIT, folded: the index of a character without case to search for natively, or -1. */
  probe: number;
  /** LIT: where it occurs in the current line (the first occN entries; valid when occStamp is the line's stamp). */
  occ: Int32Array;
  occN: number;
  occStamp: number;
  /** OPEN / CLOSE: the capture slot. */
  slot: number;
  /** RUN: the literal that must follow it (after capture boundaries), or null. */
  follow: Item | null;
}

const INF = 0x7fffffff;
/** Longer lines go to the pattern (bounded memo memory). */
const MAX_LINE = 4096;
/** Steps allowed per character (plus a base) before the pattern takes over. */
const STEPS_PER_CHAR = 16;
const STEPS_BASE = 2000;

function item(kind: number): Item {
  return { kind, t: null, dot: false, min: 1, max: 1, lazy: false, text: '', folded: false, probe: -1, occ: new Int32Array(16), occN: 0, occStamp: 0, slot: -1, follow: null };
}

/** The single character a class holds, or -1 (a caseless letter pair counts as its lower case). */
function singleChar(t: Cls): { code: number; folded: boolean } | null {
  let n = 0;
  let code = -1;
  for (let c = 0; c < TABLE; c++) if (t[c]) { n++; if (code < 0) code = c; }
  if (n === 1 && code < HIGH) return { code, folded: false };
  if (n === 2 && code >= 65 && code <= 90 && t[code + 32]) return { code: code + 32, folded: true };
  return null;
}

function parse(src: string, caseless: boolean): { items: Item[]; anchored: boolean; groups: number } | null {
  const items: Item[] = [];
  let i = 0;
  let anchored = false;
  if (src[0] === '^') { anchored = true; i = 1; }
  let groups = 0;
  const open: number[] = []; // slots of the groups open here (-1: non-capturing)
  while (i < src.length) {
    const c = src[i];
    if (c === '(') {
      if (src[i + 1] === '?') {
        if (src[i + 2] !== ':') return null;
        open.push(-1);
        i += 3;
      } else {
        const it = item(OPEN);
        it.slot = groups++;
        items.push(it);
        open.push(it.slot);
        i += 1;
      }
      continue;
    }
    if (c === ')') {
      const slot = open.pop();
      if (slot === undefined) return null;
      if (i + 1 < src.length && '*+?{'.includes(src[i + 1])) return null; // a quantified group
      if (slot >= 0) {
        const it = item(CLOSE);
        it.slot = slot;
        items.push(it);
      }
      i += 1;
      continue;
    }
    if (c === '|' || c === '$' || c === '^') return null;
    const a = pcre2Atom(src, i, caseless, false);
    if (a === null) return null;
    i = a.next;
    let min = 1;
    let max = 1;
    const q = src[i];
    if (q === '*' || q === '+' || q === '?') {
      min = q === '+' ? 1 : 0;
      max = q === '?' ? 1 : INF;
      i++;
    } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
      if (m === null) return null; // a literal `{`: not modelled
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? INF : Number(m[3]);
      if (max < min || min > 65535 || (max !== INF && max > 65535)) return null;
      i += m[0].length;
    }
    let lazy = false;
    if (q !== undefined && '*+?{'.includes(q)) {
      if (src[i] === '+') return null; // possessive
      if (src[i] === '?') { lazy = true; i++; }
    }
    const single = min === 1 && max === 1 ? singleChar(a.t) : null;
    if (single !== null) {
      const prev = items[items.length - 1];
      const ch = String.fromCharCode(single.code);
      if (prev !== undefined && prev.kind === LIT) {
        prev.text += ch;
        prev.folded ||= single.folded;
      } else {
        const it = item(LIT);
        it.text = ch;
        it.folded = single.folded;
        items.push(it);
      }
      continue;
    }
    const it = item(RUN);
    it.t = a.t;
    it.dot = a.t[10] === 0 && a.t.every((v, c) => v === 1 || c === 10);
    it.min = min;
    it.max = max;
    it.lazy = lazy;
    items.push(it);
  }
  if (open.length > 0) return null;
  for (let k = 0; k < items.length; k++) {
    if (items[k].kind !== RUN) continue;
    let j = k + 1;
    while (j < items.length && (items[j].kind === OPEN || items[j].kind === CLOSE)) j++;
    if (j < items.length && items[j].kind === LIT) items[k].follow = items[j];
  }
  // a folded literal compares against lower-cased text; a literal without letters needs no folding
  for (const it of items) {
    if (it.kind !== LIT) continue;
    if (it.folded) it.text = it.text.toLowerCase();
    if (!/[a-z]/i.test(it.text)) it.folded = false;
    if (it.folded) it.probe = it.text.search(/[^a-z]/);
  }
  return { items, anchored, groups };
}

/**
 * Whether V8's backtracking would retry many splits: two or more unbounded `.` runs (`.+`, `.*`),
 * each of which could run over everything after it. Elsewhere V8 is faster than this matcher.
 */
function ambiguous(items: Item[]): boolean {
  let n = 0;
  for (const it of items) if (it.kind === RUN && it.dot && it.max === INF) n++;
  return n >= 2;
}

/** Failure memo shared by every chain matcher (the engine is single-threaded): stamp per (item, position). */
let memo = new Int32Array(0);
let stamp = 0;

export class ChainPattern implements Pattern {
  private readonly items: Item[];
  private readonly anchored: boolean;
  /** Capture boundaries of the last match (2 per group). */
  private readonly caps: Int32Array;
  /** Per run item: a range of ends known to fail (reset each line; empty when lo > hi). */
  private readonly failLo: Int32Array;
  private readonly failHi: Int32Array;
  /** The literal an unanchored match must start with (after capture opens), or null. */
  private readonly lead: Item | null;
  private s = '';
  private len = 0;
  private width = 0;
  private steps = 0;
  private budget = 0;
  private end = -1;
  /** The first line feed at or after the start, or the length (none: `.` runs to the end). */
  private newline = 0;

  constructor(readonly source: string, parsed: { items: Item[]; anchored: boolean; groups: number }, private readonly fallback: Pattern) {
    this.items = parsed.items;
    this.anchored = parsed.anchored;
    this.caps = new Int32Array(parsed.groups * 2);
    this.failLo = new Int32Array(parsed.items.length);
    const first = parsed.items.find((it) => it.kind !== OPEN && it.kind !== CLOSE);
    this.lead = first !== undefined && first.kind === LIT ? first : null;
    this.failHi = new Int32Array(parsed.items.length);
  }

  test(subject: string, start = 0): boolean {
    return this.matchEnd(subject, start) >= 0;
  }

  matchEnd(subject: string, start = 0): number {
    const r = this.run(subject, start);
    if (r === -2) return this.fallback.matchEnd ? this.fallback.matchEnd(subject, start) : (this.fallback.exec(subject, start)?.end ?? -1);
    return r;
  }

  exec(subject: string, start = 0): MatchResult | null {
    const r = this.run(subject, start);
    if (r === -2) return this.fallback.exec(subject, start);
    if (r < 0) return null;
    const captures: string[] = [];
    const caps = this.caps;
    for (let g = 0; g < caps.length; g += 2) captures.push(subject.slice(caps[g], caps[g + 1]));
    return { captures, end: r };
  }

  /** The match end, -1 for no match, -2 when the pattern must answer. */
  private run(s: string, start: number): number {
    const len = s.length;
    if (len > MAX_LINE) return -2;
    this.s = s;
    this.len = len;
    if (this.anchored && this.lead !== null && !this.litAt(this.lead, start)) return -1; // the usual miss, at once
    const width = len + 1;
    const need = this.items.length * width;
    if (memo.length < need) memo = new Int32Array(Math.max(need, memo.length * 2));
    if (++stamp === 0x7fffffff) { memo.fill(0); stamp = 1; }
    this.width = width;
    this.steps = 0;
    this.budget = STEPS_PER_CHAR * (len - start) + STEPS_BASE;
    this.failLo.fill(1);
    this.failHi.fill(-2);
    const nl = s.indexOf('\n', start);
    this.newline = nl < 0 ? len : nl;
    let found = -1;
    if (this.anchored) {
      if (this.at(0, start)) found = this.end;
    } else {
      const lead = this.lead;
      for (let p = start; p <= len; p++) {
        if (lead !== null) {
          // a match can only start where the leading literal occurs
          p = this.nextLit(lead, p, len);
          if (p < 0) break;
        }
        if (this.at(0, p)) { found = this.end; break; }
        if (this.steps > this.budget) break;
      }
    }
    this.s = '';
    return this.steps > this.budget ? -2 : found;
  }

  /** Does the pattern from item k match at p? Records captures and `end` on the way out. */
  private at(k: number, p: number): boolean {
    const items = this.items;
    for (;;) {
      if (k === items.length) { this.end = p; return true; }
      const it = items[k];
      if (it.kind === OPEN) { this.caps[2 * it.slot] = p; k++; continue; }
      if (it.kind === CLOSE) { this.caps[2 * it.slot + 1] = p; k++; continue; }
      if (it.kind === LIT) {
        if (!this.litAt(it, p)) return false;
        p += it.text.length;
        k++;
        continue;
      }
      break;
    }
    const key = k * this.width + p;
    if (memo[key] === stamp) return false;
    if (++this.steps > this.budget) return false;
    const it = items[k];
    const ext = this.extent(it, p);
    const lo = p + it.min;
    if (ext >= lo) {
      const f = it.follow;
      // [failLo, failHi]: ends e after which the rest is known to fail (from any start of this run)
      const failLo = this.failLo;
      const failHi = this.failHi;
      if (it.lazy) {
        for (let e = lo; e <= ext; e++) {
          if (e >= failLo[k] && e <= failHi[k]) e = failHi[k] + 1;
          if (f !== null) e = this.nextLit(f, e, ext);
          if (e < 0 || e > ext) break;
          if (this.at(k + 1, e)) return true;
          if (this.steps > this.budget) return false;
          // every end in [lo, e] has now failed
          if (e >= failLo[k] - 1 && lo <= failHi[k] + 1) { if (lo < failLo[k]) failLo[k] = lo; if (e > failHi[k]) failHi[k] = e; }
          else { failLo[k] = lo; failHi[k] = e; }
        }
      } else {
        for (let e = ext; e >= lo; e--) {
          if (e >= failLo[k] && e <= failHi[k]) e = failLo[k] - 1;
          if (f !== null) e = this.prevLit(f, e, lo);
          if (e < lo) break;
          if (this.at(k + 1, e)) return true;
          if (this.steps > this.budget) return false;
          // every end in [e, ext] has now failed
          if (ext >= failLo[k] - 1 && e <= failHi[k] + 1) { if (e < failLo[k]) failLo[k] = e; if (ext > failHi[k]) failHi[k] = ext; }
          else { failLo[k] = e; failHi[k] = ext; }
        }
      }
    }
    memo[key] = stamp;
    return false;
  }

  /** How far a run may reach from p: the end of its class, capped by its maximum. */
  private extent(it: Item, p: number): number {
    const cap = it.max === INF || this.len - p < it.max ? this.len : p + it.max;
    if (it.dot && this.newline === this.len) return cap; // no line feed: `.` takes everything
    const t = it.t!;
    const s = this.s;
    let e = p;
    while (e < cap) {
      const c = s.charCodeAt(e);
      if (t[c < HIGH ? c : HIGH] === 0) break;
      e++;
    }
    this.steps += (e - p) >> 4;
    return e;
  }

  private litAt(it: Item, p: number): boolean {
    const s = this.s;
    const text = it.text;
    if (!it.folded) return s.startsWith(text, p);
    if (this.len - p < text.length) return false;
    for (let j = 0; j < text.length; j++) {
      let c = s.charCodeAt(p + j);
      if (c >= 65 && c <= 90) c |= 32;
      if (c !== text.charCodeAt(j)) return false;
    }
    return true;
  }

  /** Where the literal occurs in the current line, ascending (found once per line, on first use). */
  private occurrences(f: Item): Int32Array {
    if (f.occStamp === stamp) return f.occ;
    const s = this.s;
    const text = f.text;
    let n = 0;
    let occ = f.occ;
    const add = (q: number): void => {
      if (n === occ.length) {
        const grown = new Int32Array(Math.max(16, occ.length * 2));
        grown.set(occ);
        occ = grown;
      }
      occ[n++] = q;
    };
    if (!f.folded) {
      for (let q = s.indexOf(text); q >= 0; q = s.indexOf(text, q + 1)) add(q);
    } else if (f.probe >= 0) {
      // caseless: find a character without case natively, then compare the rest
      const j = f.probe;
      const ch = text[j];
      for (let q = s.indexOf(ch, j); q >= 0; q = s.indexOf(ch, q + 1)) if (this.litAt(f, q - j)) add(q - j);
    } else {
      for (let q = 0; q + text.length <= this.len; q++) if (this.litAt(f, q)) add(q);
    }
    f.occ = occ;
    f.occN = n;
    f.occStamp = stamp;
    return occ;
  }

  /** The first position in [from, upto] where the literal starts, or -1. */
  private nextLit(f: Item, from: number, upto: number): number {
    const occ = this.occurrences(f);
    let lo = 0;
    let hi = f.occN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (occ[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < f.occN && occ[lo] <= upto ? occ[lo] : -1;
  }

  /** The last position in [downto, from] where the literal starts, or -1. */
  private prevLit(f: Item, from: number, downto: number): number {
    if (from < downto) return -1;
    const occ = this.occurrences(f);
    let lo = 0;
    let hi = f.occN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (occ[mid] <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && occ[lo - 1] >= downto ? occ[lo - 1] : -1;
  }
}

/**
 * The chain matcher for a PCRE2 decoder pattern when its shape makes backtracking costly (see
 * ambiguous()), else null (the pattern is
 * used as it is). `pattern` is the compiled pattern: it answers the lines the matcher hands back.
 * `always`: build it for any pattern of the subset (tests).
 */
export function compileChainMatcher(source: string, caseless: boolean, pattern: Pattern, always = false): ChainPattern | null {
  const parsed = parse(source, caseless);
  if (parsed === null || (!always && !ambiguous(parsed.items))) return null;
  return new ChainPattern(source, parsed, pattern);
}
