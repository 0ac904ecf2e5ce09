/**
 * What the first characters of an anchored pattern must be, worked out once at load time, so the
 * decoder can skip a decoder whose prematch cannot match a line before running any pattern.
 *
 * Exact as a filter: a line it rejects is one the pattern rejects too (every class here is a
 * superset of what the compiled pattern accepts at that position). Whenever the analysis is
 * unsure it stops early (a shorter prefix) or answers "any" (null).
 *
 * - PCRE2 (`*_pcre2`, `type="pcre2"`): every top-level alternative anchored by `^`; its fixed-width
 *   start (literals, escapes, `.`, classes, `{n}` repeats, through plain and non-capturing groups;
 *   the first `+` / `{n,}` item counts once) up to the first variable item, alternation inside a
 *   group, quantified group, anchor or unknown syntax.
 * - OS_Regex: the first character only (the classic matcher's end-of-subject quirks allow a match
 *   whose later tokens never saw a character, so only the first token is certain).
 * - OS_Match: `^text` / `^text$` alternatives, case-insensitive (program names).
 */
import type { Dialect } from './elements';
import { Pcre2Pattern, type Pattern } from '../patterns';
import { charLit, parseTranslated, type Node } from '../patterns/translated';

export type FirstChars = Uint8Array | null; // 128 entries, 1 = possible; null = any character

/** Positions a filter checks at most: enough to tell the stock decoders apart, little memory. */
const MAX_PREFIX = 16;
/** Class tables have 257 entries: code units 0-255, then one for every unit >= 256. */
const HIGH = 256;
const TABLE = 257;

type Cls = Uint8Array; // TABLE entries

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function cls(chars: string): Cls {
  const t = new Uint8Array(TABLE);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

function complementOf(t: Cls): Cls {
  const r = new Uint8Array(TABLE);
  for (let i = 0; i < TABLE; i++) r[i] = t[i] ? 0 : 1;
  r[HIGH] = 1;
  return r;
}

function addInto(into: Cls, t: Cls): void {
  for (let i = 0; i < TABLE; i++) if (t[i]) into[i] = 1;
}

/** ASCII-only case folding (PCRE2 default tables, the classic charmap). */
function folded(t: Cls): Cls {
  const r = new Uint8Array(t);
  for (let c = 65; c <= 90; c++) if (t[c] || t[c + 32]) { r[c] = 1; r[c + 32] = 1; }
  return r;
}

const ALL = complementOf(new Uint8Array(TABLE));
const NOT_NEWLINE = (() => { const t = new Uint8Array(ALL); t[10] = 0; return t; })();

// PCRE2 (default tables, non-UTF): \s is 9-13 and space; \h is tab, space, 0xa0.
const P_DIGIT = cls(DIGITS);
const P_WORD = cls(DIGITS + UPPER + LOWER + '_');
const P_SPACE = cls(' \t\n\v\f\r');
const P_HSPACE = (() => { const t = cls(' \t'); t[0xa0] = 1; return t; })();
const PCRE2_ESCAPES: Record<string, Cls> = {
  d: P_DIGIT, D: complementOf(P_DIGIT),
  w: P_WORD, W: complementOf(P_WORD),
  s: P_SPACE, S: complementOf(P_SPACE),
  h: P_HSPACE, H: complementOf(P_HSPACE),
};
/** Character escapes that stand for one fixed character. */
const PCRE2_CHAR_ESCAPES: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, e: 27, a: 7 };

const OSREGEX_CLASSES: Record<string, Cls> = {
  d: cls(DIGITS),
  w: cls(DIGITS + UPPER + LOWER + '-@_'),
  s: cls(' '),
  t: cls('\t'),
  p: cls('!"#$%&\'()*+,-.:;<=>?[]{|}'),
};

/** Splits at top-level `|` (outside groups, classes and escapes). */
function alternatives(src: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') {
      inClass = true;
      // a `]` right after `[` or `[^` is a member, not the end
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) { out.push(src.slice(from, i)); from = i + 1; }
  }
  if (depth !== 0 || inClass) return null;
  out.push(src.slice(from));
  return out;
}

interface Atom { t: Cls; next: number }

/** A PCRE2 `[...]` class starting at `i` (the `[`), or null when it uses syntax this does not model. */
function pcre2Class(src: string, i: number, caseless: boolean): Atom | null {
  let p = i + 1;
  let negate = false;
  if (src[p] === '^') { negate = true; p++; }
  const t = new Uint8Array(TABLE);
  let first = true;
  for (;;) {
    if (p >= src.length) return null;
    let c = src[p];
    if (c === ']' && !first) break;
    first = false;
    if (c === '[') return null; // POSIX classes and the like
    let code: number;
    if (c === '\\') {
      const e = src[p + 1];
      if (e === undefined) return null;
      if (PCRE2_ESCAPES[e]) { addInto(t, PCRE2_ESCAPES[e]); p += 2; continue; }
      if (PCRE2_CHAR_ESCAPES[e] !== undefined) code = PCRE2_CHAR_ESCAPES[e];
      else if (/[A-Za-z0-9]/.test(e)) return null;
      else code = e.charCodeAt(0);
      c = String.fromCharCode(code);
      p += 2;
    } else {
      code = c.charCodeAt(0);
      p += 1;
    }
    if (code >= 128) return null;
    // a range `x-y` (a `-` before the closing `]` is a member)
    if (src[p] === '-' && src[p + 1] !== ']' && p + 1 < src.length) {
      let hi = src[p + 1];
      let used = 2;
      if (hi === '\\') {
        const e = src[p + 2];
        if (e === undefined || /[A-Za-z0-9]/.test(e)) return null;
        hi = e;
        used = 3;
      } else if (hi === '[') return null;
      const h = hi.charCodeAt(0);
      if (h >= 128 || h < code) return null;
      for (let k = code; k <= h; k++) t[k] = 1;
      p += used;
      continue;
    }
    t[code] = 1;
  }
  const set = caseless ? folded(t) : t;
  return { t: negate ? complementOf(set) : set, next: p + 1 };
}

/** One PCRE2 atom at `i` (a character, an escape, `.`, a class), or null for anything else. */
function pcre2Atom(src: string, i: number, caseless: boolean, dotAll: boolean): Atom | null {
  const c = src[i];
  if (c === undefined) return null;
  if (c === '\\') {
    const e = src[i + 1];
    if (e === undefined) return null;
    if (PCRE2_ESCAPES[e]) return { t: PCRE2_ESCAPES[e], next: i + 2 };
    let code: number;
    if (PCRE2_CHAR_ESCAPES[e] !== undefined) code = PCRE2_CHAR_ESCAPES[e];
    else if (/[A-Za-z0-9]/.test(e)) return null; // \b \A \x.. \Q \1 ...: not modelled
    else code = e.charCodeAt(0);
    if (code >= 128) return null;
    const t = new Uint8Array(TABLE);
    t[code] = 1;
    return { t: caseless ? folded(t) : t, next: i + 2 };
  }
  if (c === '.') return { t: dotAll ? ALL : NOT_NEWLINE, next: i + 1 };
  if (c === '[') return pcre2Class(src, i, caseless);
  if ('()|^$*+?{}'.includes(c)) return null;
  const code = c.charCodeAt(0);
  if (code >= 128) return null;
  const t = new Uint8Array(TABLE);
  t[code] = 1;
  return { t: caseless ? folded(t) : t, next: i + 1 };
}

/** One step of a prefix: `min`..`max` characters of a class. */
interface Item { t: Cls; min: number; max: number }

const INF = 0x7fffffff;

/** `(`...`)` at `i`: the index of its `)`, and whether `|` splits it at its own depth; null if unbalanced. */
function groupEnd(src: string, i: number): { end: number; alternation: boolean } | null {
  let depth = 0;
  let inClass = false;
  let alternation = false;
  for (let k = i; k < src.length; k++) {
    const c = src[k];
    if (c === '\\') { k++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') {
      inClass = true;
      if (src[k + 1] === '^') k++;
      if (src[k + 1] === ']') k++;
    } else if (c === '(') depth++;
    else if (c === ')') { if (--depth === 0) return { end: k, alternation }; }
    else if (c === '|' && depth === 1) alternation = true;
  }
  return null;
}

/** The quantifier at `i`: its bounds and length, or null when none (a `{` that is no quantifier is none). */
function quantifier(src: string, i: number): { min: number; max: number; len: number } | null {
  const q = src[i];
  let r: { min: number; max: number; len: number } | null = null;
  if (q === '*') r = { min: 0, max: INF, len: 1 };
  else if (q === '+') r = { min: 1, max: INF, len: 1 };
  else if (q === '?') r = { min: 0, max: 1, len: 1 };
  else if (q === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? INF : Number(m[3]);
    r = { min, max, len: m[0].length };
  }
  // lazy and possessive forms match the same lengths
  if (r !== null && (src[i + r.len] === '?' || src[i + r.len] === '+')) r.len++;
  return r;
}

/**
 * The start of one anchored alternative (text after `^`) as items, up to the first construct not
 * modelled (alternation in a group, a quantified group, lookaround, anchors, back-references ...).
 * Plain and non-capturing groups are transparent.
 */
function pcre2Items(alt: string, caseless: boolean, dotAll: boolean): Item[] {
  const out: Item[] = [];
  let i = 0;
  for (;;) {
    const c = alt[i];
    if (c === ')') {
      // the end of a transparent group (opened only when unquantified)
      i++;
      continue;
    }
    if (c === '(') {
      const open = alt[i + 1] === '?' ? (alt[i + 2] === ':' ? 3 : -1) : 1;
      if (open < 0) break;
      const g = groupEnd(alt, i);
      if (g === null || g.alternation || quantifier(alt, g.end + 1) !== null || alt[g.end + 1] === '{') break;
      i += open;
      continue;
    }
    const a = pcre2Atom(alt, i, caseless, dotAll);
    if (a === null) break;
    const q = quantifier(alt, a.next);
    if (q === null) {
      if (alt[a.next] === '{') break; // a literal `{` follows: not modelled
      out.push({ t: a.t, min: 1, max: 1 });
      i = a.next;
      continue;
    }
    out.push({ t: a.t, min: q.min, max: q.max });
    i = a.next + q.len;
  }
  return out;
}

/**
 * The classes of the fixed positions an alternative starts with: fixed items, then the minimum
 * of the first variable run, up to MAX_PREFIX positions.
 */
function fixedStart(items: Item[]): Cls[] {
  const out: Cls[] = [];
  for (const it of items) {
    for (let r = 0; r < it.min && out.length < MAX_PREFIX; r++) out.push(it.t);
    if (it.min !== it.max || out.length === MAX_PREFIX) break;
  }
  return out;
}

/**
 * What the first characters of an anchored pattern must be: per alternative, the class of each
 * of its fixed start positions. Every class is a superset of what the pattern accepts there.
 */
export class PrefixFilter {
  constructor(private readonly alternatives: readonly Cls[][]) {}

  /**
   * The start positions every alternative has, at most `maxPositions`, as one flat table: 129
   * entries per position (ASCII, then one for every other unit); null when there is none.
   * Checked inline by the decoder with headAllows.
   */
  head(maxPositions: number): Uint8Array | null {
    const k = Math.min(maxPositions, ...this.alternatives.map((a) => a.length));
    if (k === 0) return null;
    const out = new Uint8Array(k * 129);
    for (const alt of this.alternatives) {
      for (let pos = 0; pos < k; pos++) {
        const t = alt[pos];
        for (let c = 0; c < TABLE; c++) if (t[c]) out[pos * 129 + (c < 128 ? c : 128)] = 1;
      }
    }
    return out;
  }

  /** First characters (ASCII; entry 128 = any other unit) any alternative allows. */
  firstChars(): Uint8Array {
    return this.head(1)!;
  }
}

/** Whether `s` from `from` fits a head table (see PrefixFilter.head): a few array reads, no call into the pattern. */
export function headAllows(head: Uint8Array, s: string, from: number): boolean {
  const k = (head.length / 129) | 0;
  if (s.length - from < k) return false;
  for (let j = 0, base = 0; j < k; j++, base += 129) {
    const c = s.charCodeAt(from + j);
    if (head[base + (c < 128 ? c : 128)] === 0) return false;
  }
  return true;
}

/** Leading `(?flags)`: the flags that apply to the whole pattern, or null when they are not modelled. */
function leadingFlags(src: string): { rest: string; i: boolean; s: boolean } | null {
  const m = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (!m) return { rest: src, i: false, s: false };
  // x ignores white space, m lets `^` match after a newline: neither is modelled.
  if (!/^[isnU]+$/.test(m[1])) return null;
  return { rest: src.slice(m[0].length), i: m[1].includes('i'), s: m[1].includes('s') };
}

/** The prefix filter of a PCRE2 pattern, or null when some alternative has no known fixed start. */
export function pcre2PrefixFilter(source: string, caseless: boolean): PrefixFilter | null {
  const flags = leadingFlags(source);
  if (flags === null) return null;
  const alts = alternatives(flags.rest);
  if (!alts) return null;
  const out: Cls[][] = [];
  for (const a of alts) {
    if (!a.startsWith('^')) return null;
    const start = fixedStart(pcre2Items(a.slice(1), caseless || flags.i, flags.s));
    if (start.length === 0) return null;
    out.push(start);
  }
  return new PrefixFilter(out);
}

/** The prefix filter of an OS_Regex pattern: its first character only (see the file comment). */
export function osRegexPrefixFilter(source: string): PrefixFilter | null {
  const alts = alternatives(source);
  if (!alts) return null;
  const out: Cls[][] = [];
  for (const a of alts) {
    if (!a.startsWith('^')) return null;
    const t = osRegexFirst(a.slice(1));
    if (t === null) return null;
    out.push([t]);
  }
  return new PrefixFilter(out);
}

/** The first token of an anchored OS_Regex alternative (case-insensitive), or null (any). */
function osRegexFirst(alt: string): Cls | null {
  const c = alt[0];
  // `^$` matches the empty line; a group start is not a character
  if (c === undefined || c === '(' || c === ')' || (c === '$' && alt.length === 1)) return null;
  let t: Cls;
  let next = 1;
  if (c === '\\') {
    const e = alt[1];
    if (e === undefined) return null;
    if (OSREGEX_CLASSES[e]) t = OSREGEX_CLASSES[e];
    else if ('$()\\|<'.includes(e)) t = cls(e);
    else return null; // \. \S \W \D: (nearly) any
    next = 2;
  } else {
    if (c.charCodeAt(0) >= 128) return null;
    t = cls(c);
  }
  const q = alt[next];
  if (q === '*' || q === '?') return null;
  return folded(t);
}

/**
 * The prefix filter of an OS_Match pattern: every `|` alternative a case-insensitive `^text`
 * prefix or `^text$` equality (anything else, an empty text, or a leading `!`: null).
 */
export function osMatchPrefixFilter(source: string): PrefixFilter | null {
  if (source.startsWith('!')) return null;
  const out: Cls[][] = [];
  for (const alt of source.split('|')) {
    if (alt[0] !== '^') return null;
    const text = alt.length >= 2 && alt.endsWith('$') ? alt.slice(1, -1) : alt.slice(1);
    const classes: Cls[] = [];
    for (let i = 0; i < text.length && classes.length < MAX_PREFIX; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) break;
      const t = new Uint8Array(TABLE);
      t[c] = 1;
      classes.push(folded(t));
    }
    if (classes.length === 0) return null;
    out.push(classes);
  }
  return new PrefixFilter(out);
}

/** Prefix filter of a pattern in `dialect` (plain strings: null). */
export function prefixFilter(dialect: Dialect, source: string, caseless: boolean): PrefixFilter | null {
  if (dialect === 'pcre2') return pcre2PrefixFilter(source, caseless);
  if (dialect === 'osregex') return osRegexPrefixFilter(source);
  if (dialect === 'osmatch') return osMatchPrefixFilter(source);
  return null;
}

/** First characters `source` can match at the start of a subject (128 entries), or null (any). */
export function firstChars(dialect: Dialect, source: string, caseless: boolean): FirstChars {
  const f = prefixFilter(dialect, source, caseless);
  if (f === null) return null;
  const t = f.firstChars();
  return t[128] ? null : t.subarray(0, 128);
}

/**
 * What an anchored pattern made of runs that cannot take a space, each followed by a literal that
 * starts with one (e.g. Apache access `^\S+ - \S+ \[`, `^\d+? \d{2}/\d{2}/\d{4} `), needs of
 * the line: each run must end at the next space, so from the start every next space must be
 * followed by its literal, after a run of a length the quantifiers allow. Checked with native
 * indexOf and a few character reads in place of a RegExp call on lines of other formats. Exact
 * as a filter: every test is implied by a match.
 */
export interface SpaceRunGuard {
  readonly steps: readonly GuardStep[];
}

/** One run and the literal after it: one of `alts` (alternatives of the pattern that differ only there). */
export interface GuardStep {
  readonly alts: readonly GuardLiteral[];
  readonly min: number;
  readonly max: number;
}

/** A literal: its characters (caseless letters lower-cased, with their bit set in `fold`). */
export interface GuardLiteral {
  readonly text: string;
  readonly codes: readonly number[];
  readonly fold: number;
}

/** Literal characters kept per step (bits of GuardLiteral.fold). */
const MAX_GUARD_LITERAL = 31;

/**
 * The guard of a compiled PCRE2 pattern (its JavaScript translation, every alternative anchored),
 * at most `maxSteps` runs, or null. With several alternatives (e.g. `^\[\w+\] \[imp\] |^\[\w+\] \[horde\] `),
 * the steps they all share, then, where they differ only by the literal after the same run,
 * that step with each one's literal: a match of any one implies those.
 */
export function spaceRunGuard(p: Pattern | null, maxSteps: number): SpaceRunGuard | null {
  if (!(p instanceof Pcre2Pattern) || p.jsSource === undefined) return null;
  const alts = parseTranslated(p.jsSource);
  if (alts === null || alts.length === 0) return null;
  let steps: GuardStep[] = [];
  for (let a = 0; a < alts.length; a++) {
    const mine = alternativeSteps(alts[a], maxSteps);
    if (mine === null) return null;
    if (a === 0) {
      steps = mine;
      continue;
    }
    let k = 0;
    while (k < steps.length && k < mine.length && sameStep(steps[k], mine[k])) k++;
    if (k < steps.length && k < mine.length && steps[k].min === mine[k].min && steps[k].max === mine[k].max) {
      // the same run, then another literal: either one there, and nothing checked after
      const extra = mine[k].alts.filter((x) => !steps[k].alts.some((y) => y.text === x.text && y.fold === x.fold));
      steps = [...steps.slice(0, k), { ...steps[k], alts: [...steps[k].alts, ...extra] }];
    } else steps = steps.slice(0, k);
  }
  // a lone space after an unbounded run says little (most lines have words): trailing ones left out
  let k = steps.length;
  while (k > 0 && steps[k - 1].max === INF && steps[k - 1].alts.every((x) => x.text.length === 1)) k--;
  return k === 0 ? null : { steps: steps.slice(0, k) };
}

function sameStep(x: GuardStep, y: GuardStep): boolean {
  return x.min === y.min && x.max === y.max && x.alts.length === y.alts.length &&
    x.alts.every((a, i) => a.text === y.alts[i].text && a.fold === y.alts[i].fold);
}

/** The steps of one anchored alternative (see SpaceRunGuard), or null when it is not anchored. */
function alternativeSteps(seq: Node[], maxSteps: number): GuardStep[] | null {
  if (seq[0]?.k !== 'bol') return null;
  const steps: GuardStep[] = [];
  const literalOf = (n: Node) => (n.k === 'set' && n.min === 1 && n.max === 1 ? charLit(n.ranges) : null);
  const spaceFree = (n: Node): boolean => n.k === 'set' && n.ranges.every(([lo, hi]) => hi < 32 || lo > 32);
  let i = 1;
  while (steps.length < maxSteps) {
    // the run: items none of which can take a space (their lengths add up), up to a literal space
    let lo = 0;
    let hi = 0;
    let j = i;
    for (; j < seq.length && spaceFree(seq[j]); j++) {
      const n = seq[j] as { min: number; max: number };
      lo += n.min;
      hi = Math.min(INF, hi + n.max);
    }
    if (j === i) break;
    let text = '';
    let fold = 0;
    for (; j < seq.length && text.length < MAX_GUARD_LITERAL; j++) {
      const lit = literalOf(seq[j]);
      if (lit === null) break;
      if (lit.ci) fold |= 1 << text.length;
      text += lit.text;
    }
    if (text.charCodeAt(0) !== 32) break;
    steps.push({ alts: [{ text, codes: Array.from(text, (c) => c.charCodeAt(0)), fold }], min: lo, max: hi });
    i = j;
    // one telling step is where the guard pays: each more costs a native call on every line that passes
    if (text.length > 1 || hi !== INF) break;
  }
  return steps;
}

/** Whether `s` from `from` passes a guard (see SpaceRunGuard). */
export function spaceRunsAllow(g: SpaceRunGuard, s: string, from: number): boolean {
  const steps = g.steps;
  let pos = from;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k];
    const w = s.indexOf(' ', pos);
    const n = w - pos;
    if (w < 0 || n < step.min || n > step.max) return false;
    // the literal's first character is the space found
    const alts = step.alts;
    let next = -1;
    for (let a = 0; a < alts.length && next < 0; a++) {
      const { codes, fold } = alts[a];
      let j = 1;
      for (; j < codes.length; j++) {
        const c = s.charCodeAt(w + j);
        if ((fold >>> j) & 1 ? (c | 32) !== codes[j] : c !== codes[j]) break;
      }
      if (j === codes.length) next = w + codes.length;
    }
    if (next < 0) return false;
    pos = next;
  }
  return true;
}
