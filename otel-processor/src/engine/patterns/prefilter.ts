/**
 * Exact prefilters for translated PCRE2 patterns, worked out once at load time from the
 * translated RegExp source (pcre2.ts output), so that most lines a pattern cannot match are
 * turned away without entering the RegExp:
 *
 * - anchored: every alternative starts with `^`, so a match starts at `start`; the character
 *   there must be one the pattern can start with, and the text there one of its literal prefixes;
 * - required literals: every match contains one of a few strings (each alternative's longest
 *   necessary literal run), looked for with indexOf (caseless ones in an ASCII-folded copy
 *   of the line, made once per line);
 * - literal alternation: a pattern that is only literals (`telnetd`, `^Installed|^Updated`,
 *   caseless or not, no groups that capture) is answered entirely without a RegExp, leftmost
 *   first, alternatives in order, as the backtracking engine answers.
 *
 * Every filter is necessary-only: it may let a line through that then fails, never the reverse.
 * Whatever the analysis does not understand gives no filter (null), never a guess.
 */

/** A literal; `ci` means ASCII-caseless and `text` is then ASCII-lower-cased. */
export interface Lit {
  text: string;
  ci: boolean;
  /** Built from caseless and case-sensitive letters: usable as a filter only (not exact). */
  mixed: boolean;
}

export const INF = 0x7fffffff;
/** At most this many strings in a literal set (cross products and alternations beyond it are dropped). */
const MAX_SET = 16;
/** Literals longer than this are cut (their prefix is still necessary). */
const MAX_LIT = 64;

export type Ranges = [number, number][];

export type Node =
  | { k: 'set'; ranges: Ranges; min: number; max: number; lazy: boolean }
  | { k: 'group'; alts: Node[][]; capture: boolean; min: number; max: number; lazy: boolean }
  /** zero-width: `^` (start), `$`, \b, \B, lookaround (contents ignored) */
  | { k: 'bol' }
  | { k: 'zero' }
  /** back-reference: consumes an unknown text */
  | { k: 'ref' };

class Unsupported extends Error {}

const WORD: Ranges = [[48, 57], [65, 90], [95, 95], [97, 122]];
const DIGIT: Ranges = [[48, 57]];
// JavaScript's \s (no `u` flag)
const SPACE: Ranges = [[9, 13], [32, 32], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];

function complement(r: Ranges): Ranges {
  const sorted = [...r].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

/** Parser of the JavaScript RegExp syntax the translator emits (anything else: Unsupported). */
class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parse(): Node[][] {
    const alts = this.alternation();
    if (this.pos !== this.s.length) throw new Unsupported();
    return alts;
  }

  private alternation(): Node[][] {
    const alts: Node[][] = [this.sequence()];
    while (this.s[this.pos] === '|') {
      this.pos++;
      alts.push(this.sequence());
    }
    return alts;
  }

  private sequence(): Node[] {
    const s = this.s;
    const out: Node[] = [];
    while (this.pos < s.length && s[this.pos] !== '|' && s[this.pos] !== ')') {
      const c = s[this.pos];
      if (c === '^') {
        this.pos++;
        out.push({ k: 'bol' });
        continue;
      }
      if (c === '$') {
        this.pos++;
        out.push({ k: 'zero' });
        continue;
      }
      if (c === '(') {
        const g = this.group();
        if (g.k === 'group') this.quantify(g);
        else if (/^[*+?{]/.test(s[this.pos] ?? '')) throw new Unsupported();
        out.push(g);
        continue;
      }
      if (c === '\\') {
        const e = s[this.pos + 1];
        if (e === 'b' || e === 'B') {
          this.pos += 2;
          out.push({ k: 'zero' });
          continue;
        }
        if (e !== undefined && e >= '1' && e <= '9') {
          this.pos += 2;
          while (/[0-9]/.test(s[this.pos] ?? '')) this.pos++;
          const ref: Node = { k: 'ref' };
          this.quantify({ min: 1, max: 1, lazy: false }); // a quantifier on it changes nothing here
          out.push(ref);
          continue;
        }
      }
      const node: Node = { k: 'set', ranges: this.atom(), min: 1, max: 1, lazy: false };
      this.quantify(node);
      out.push(node);
    }
    return out;
  }

  private group(): Node {
    const s = this.s;
    this.pos++; // (
    let capture = true;
    let look = false;
    if (s[this.pos] === '?') {
      const t = s.slice(this.pos, this.pos + 3);
      if (t.startsWith('?:')) {
        capture = false;
        this.pos += 2;
      } else if (t.startsWith('?=') || t.startsWith('?!')) {
        look = true;
        this.pos += 2;
      } else if (t === '?<=' || t === '?<!') {
        look = true;
        this.pos += 3;
      } else if (t.startsWith('?<')) {
        const e = s.indexOf('>', this.pos);
        if (e < 0) throw new Unsupported();
        this.pos = e + 1;
      } else throw new Unsupported();
    }
    const alts = this.alternation();
    if (s[this.pos] !== ')') throw new Unsupported();
    this.pos++;
    if (look) return { k: 'zero' };
    return { k: 'group', alts, capture, min: 1, max: 1, lazy: false };
  }

  private quantify(n: { min: number; max: number; lazy: boolean }): void {
    const s = this.s;
    const q = s[this.pos];
    if (q === '*' || q === '+' || q === '?') {
      n.min = q === '+' ? 1 : 0;
      n.max = q === '?' ? 1 : INF;
      this.pos++;
    } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.pos, this.pos + 24));
      if (!m) throw new Unsupported();
      n.min = Number(m[1]);
      n.max = m[2] === undefined ? n.min : m[3] === '' ? INF : Number(m[3]);
      this.pos += m[0].length;
    } else return;
    if (s[this.pos] === '?') {
      n.lazy = true;
      this.pos++;
    }
  }

  /** One character-consuming atom: its set. */
  private atom(): Ranges {
    const s = this.s;
    const c = s[this.pos];
    if (c === '[') return this.charClass();
    if (c === '.') {
      this.pos++;
      return complement([[10, 10], [13, 13], [0x2028, 0x2029]]);
    }
    if (c === '\\') {
      const r = this.classEscape();
      if (r !== null) return r;
      const cu = this.escapedChar();
      return [[cu, cu]];
    }
    if ('*+?{}'.includes(c)) throw new Unsupported();
    this.pos++;
    const cu = c.charCodeAt(0);
    return [[cu, cu]];
  }

  private classEscape(): Ranges | null {
    const e = this.s[this.pos + 1];
    let r: Ranges | null = null;
    switch (e) {
      case 'd': r = DIGIT; break;
      case 'D': r = complement(DIGIT); break;
      case 'w': r = WORD; break;
      case 'W': r = complement(WORD); break;
      case 's': r = SPACE; break;
      case 'S': r = complement(SPACE); break;
      default: return null;
    }
    this.pos += 2;
    return r;
  }

  private charClass(): Ranges {
    const s = this.s;
    this.pos++;
    let negate = false;
    if (s[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    while (s[this.pos] !== ']') {
      if (this.pos >= s.length) throw new Unsupported();
      let lo: number;
      if (s[this.pos] === '\\') {
        const r = this.classEscape();
        if (r !== null) {
          ranges.push(...r);
          continue;
        }
        if (s[this.pos + 1] === 'b') {
          this.pos += 2;
          lo = 8;
        } else lo = this.escapedChar();
      } else if (s[this.pos] === '[') throw new Unsupported();
      else lo = s.charCodeAt(this.pos++);
      if (s[this.pos] === '-' && s[this.pos + 1] !== ']') {
        this.pos++;
        if (s[this.pos] === '\\' && /[dDwWsS]/.test(s[this.pos + 1] ?? '')) throw new Unsupported();
        const hi = s[this.pos] === '\\' ? this.escapedChar() : s.charCodeAt(this.pos++);
        if (hi < lo) throw new Unsupported();
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    this.pos++;
    return negate ? complement(ranges) : ranges;
  }

  /** `\xNN`, `\uNNNN`, `\n`, `\t`, ... or an escaped punctuation character. */
  private escapedChar(): number {
    const s = this.s;
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
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11 };
    if (e !== undefined && e in simple) {
      this.pos += 2;
      return simple[e];
    }
    if (e === undefined || /[A-Za-z0-9]/.test(e)) throw new Unsupported(); // \0 \c \k \p ...
    this.pos += 2;
    return e.charCodeAt(0);
  }
}

// ---------------------------------------------------------------------------
// Literal analysis
// ---------------------------------------------------------------------------

/** The set as one literal character: a single code unit, or an ASCII letter in both cases. */
export function charLit(r: Ranges): Lit | null {
  let n = 0;
  for (const [lo, hi] of r) n += hi - lo + 1;
  if (n === 1) {
    const c = r[0][0];
    return { text: String.fromCharCode(c), ci: false, mixed: false };
  }
  if (n === 2) {
    const cs: number[] = [];
    for (const [lo, hi] of r) for (let c = lo; c <= hi; c++) cs.push(c);
    const [a, b] = cs[0] < cs[1] ? [cs[0], cs[1]] : [cs[1], cs[0]];
    if (a >= 65 && a <= 90 && b === a + 32) return { text: String.fromCharCode(b), ci: true, mixed: false };
  }
  return null;
}

function hasLetter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 32;
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

function concatLit(a: Lit, b: Lit): Lit {
  const text = a.text + b.text;
  // case matters only for letters: a side without letters takes the other's mode
  const aLet = hasLetter(a.text);
  const bLet = hasLetter(b.text);
  if (!aLet) return { text, ci: b.ci, mixed: b.mixed };
  if (!bLet) return { text, ci: a.ci, mixed: a.mixed };
  if (a.ci === b.ci) return { text, ci: a.ci, mixed: a.mixed || b.mixed };
  return { text: asciiLower(text), ci: true, mixed: true };
}

export function asciiLower(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  return out;
}

/** Every concatenation a+b in priority order, or null beyond MAX_SET (or past MAX_LIT characters). */
function cross(a: Lit[], b: Lit[]): Lit[] | null {
  if (a.length * b.length > MAX_SET) return null;
  const out: Lit[] = [];
  for (const x of a) {
    for (const y of b) {
      const l = concatLit(x, y);
      if (l.text.length > MAX_LIT) return null;
      out.push(l);
    }
  }
  return out;
}

const EMPTY: Lit[] = [{ text: '', ci: false, mixed: false }];

function repeat(set: Lit[], n: number): Lit[] | null {
  let out: Lit[] | null = EMPTY;
  for (let i = 0; i < n && out !== null; i++) out = cross(out, set);
  return out;
}

/**
 * The strings a node matches, in priority order, when it matches only a few fixed strings
 * (`strict`: no zero-width items allowed either, and a group must not capture); else null.
 */
function exactOf(n: Node, strict: boolean): Lit[] | null {
  switch (n.k) {
    case 'set': {
      if (n.min !== n.max) return null;
      const c = charLit(n.ranges);
      return c === null ? null : repeat([c], n.min);
    }
    case 'group': {
      if (n.min !== n.max || (strict && n.capture)) return null;
      const one = exactAlts(n.alts, strict);
      return one === null ? null : repeat(one, n.min);
    }
    case 'bol':
    case 'zero':
      return strict ? null : EMPTY;
    default:
      return null;
  }
}

function exactSeq(seq: Node[], strict: boolean): Lit[] | null {
  let run: Lit[] | null = EMPTY;
  for (const n of seq) {
    const e = exactOf(n, strict);
    if (e === null) return null;
    run = cross(run, e);
    if (run === null) return null;
  }
  return run;
}

function exactAlts(alts: Node[][], strict: boolean): Lit[] | null {
  const out: Lit[] = [];
  for (const a of alts) {
    const e = exactSeq(a, strict);
    if (e === null) return null;
    out.push(...e);
    if (out.length > MAX_SET) return null;
  }
  return out;
}

/** Higher is a better filter: the shortest literal's length, then fewer literals. */
function score(set: Lit[]): number {
  let min = INF;
  for (const l of set) min = Math.min(min, l.text.length);
  return min * 100 - set.length;
}

/** A set of literals one of which every match of the sequence contains; null if none known. */
function requiredSeq(seq: Node[]): Lit[] | null {
  let best: Lit[] | null = null;
  const offer = (set: Lit[] | null): void => {
    if (set === null || set.length === 0 || set.some((l) => l.text.length === 0)) return;
    if (best === null || score(set) > score(best)) best = set;
  };
  let run: Lit[] = EMPTY;
  for (const n of seq) {
    const e = exactOf(n, false);
    if (e !== null) {
      const c = cross(run, e);
      if (c !== null) {
        run = c;
        continue;
      }
      offer(run);
      run = e;
      continue;
    }
    // one repetition exact, repeated min..max (min >= 1): the run takes min copies, and the
    // last min copies are followed directly by what comes next
    if ((n.k === 'set' || n.k === 'group') && n.min >= 1) {
      const base = n.k === 'set' ? (charLit(n.ranges) === null ? null : [charLit(n.ranges) as Lit]) : exactAlts(n.alts, false);
      const copies = base === null ? null : repeat(base, n.min);
      if (copies !== null) {
        const c = cross(run, copies);
        offer(c ?? run);
        run = copies;
        continue;
      }
      if (n.k === 'group') offer(requiredAlts(n.alts));
    }
    offer(run);
    run = EMPTY;
  }
  offer(run);
  return best;
}

function requiredAlts(alts: Node[][]): Lit[] | null {
  const out: Lit[] = [];
  for (const a of alts) {
    const r = requiredSeq(a);
    if (r === null) return null;
    out.push(...r);
    if (out.length > MAX_SET) return null;
  }
  return out;
}

// ---------------------------------------------------------------------------
// First characters of anchored patterns
// ---------------------------------------------------------------------------

/** First-character table: 256 entries for code units < 256, `high` for the rest. */
interface First {
  low: Uint8Array;
  high: boolean;
}

function addRanges(f: First, r: Ranges): void {
  for (const [lo, hi] of r) {
    for (let c = lo; c <= Math.min(hi, 255); c++) f.low[c] = 1;
    if (hi >= 256) f.high = true;
  }
}

/** Adds what the sequence from `i` can start with; returns false when it may match empty (or is unknown). */
function firstOfSeq(seq: Node[], i: number, f: First): boolean {
  for (; i < seq.length; i++) {
    const n = seq[i];
    if (n.k === 'bol' || n.k === 'zero') continue;
    if (n.k === 'ref') return false;
    if (n.k === 'set') {
      addRanges(f, n.ranges);
      if (n.min >= 1) return true;
      continue;
    }
    let all = true;
    for (const a of n.alts) if (!firstOfSeq(a, 0, f)) all = false;
    if (all && n.min >= 1) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The filter
// ---------------------------------------------------------------------------

/** What the analysis found; consumed by Pcre2Pattern. */
export interface Analysis {
  /** Every alternative starts with `^`: a match starts at `start`. */
  anchored: boolean;
  /** For anchored patterns: characters a match can start with (null: unknown). */
  first: First | null;
  /** For anchored patterns: one of these is at `start` (null: unknown). */
  prefixes: Lit[] | null;
  /** One of these occurs in every match (null: none known). */
  required: Lit[] | null;
  /**
   * The pattern is exactly an alternation of these literals (each `anchored[i]` or not), in
   * priority order, with no group that captures and no other assertion; else null.
   */
  literals: { lits: Lit[]; anchored: boolean[] } | null;
}

/** The translated RegExp source as alternatives of node sequences; null if outside the known syntax. */
export function parseTranslated(jsSource: string): Node[][] | null {
  try {
    return new Parser(jsSource).parse();
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/** Analyse a translated RegExp source (the exact rendering); null if outside the known syntax. */
export function analyze(jsSource: string): Analysis | null {
  const alts = parseTranslated(jsSource);
  return alts === null ? null : analyzeParsed(alts);
}

export function analyzeParsed(alts: Node[][]): Analysis {
  const anchored = alts.every((a) => a.length > 0 && a[0].k === 'bol');
  let first: First | null = null;
  let prefixes: Lit[] | null = null;
  if (anchored) {
    const f: First = { low: new Uint8Array(256), high: false };
    first = alts.every((a) => firstOfSeq(a, 1, f)) ? f : null;
    const pre: Lit[] = [];
    for (const a of alts) {
      let run: Lit[] = EMPTY;
      for (let i = 1; i < a.length; i++) {
        const e = exactOf(a[i], false);
        const c = e === null ? null : cross(run, e);
        if (c === null) break;
        run = c;
      }
      pre.push(...run);
    }
    prefixes = pre.length <= MAX_SET && pre.every((l) => l.text.length >= 2) ? pre : null;
  }
  const required = requiredAlts(alts);

  let literals: Analysis['literals'] = null;
  const lits: Lit[] = [];
  const anch: boolean[] = [];
  for (const a of alts) {
    const bol = a.length > 0 && a[0].k === 'bol';
    const e = exactSeq(bol ? a.slice(1) : a, true);
    if (e === null || e.some((l) => l.mixed)) {
      lits.length = 0;
      break;
    }
    for (const l of e) {
      lits.push(l);
      anch.push(bol);
    }
    if (lits.length > MAX_SET) break;
  }
  if (lits.length > 0 && lits.length <= MAX_SET) literals = { lits, anchored: anch };
  return { anchored, first, prefixes, required: required !== null && sameLits(required, prefixes) ? null : required, literals };
}

function sameLits(a: Lit[], b: Lit[] | null): boolean {
  return b !== null && a.length === b.length && a.every((l, i) => l.text === b[i].text && l.ci === b[i].ci);
}

// ---------------------------------------------------------------------------
// Per-line support
// ---------------------------------------------------------------------------

const NON_ASCII = /[^\x00-\x7f]/;
const UPPER_RUN = /[A-Z]+/g;
const lowerRun = (m: string): string => m.toLowerCase();

// The lines patterns run on: the last two subjects and their ASCII-folded copies.
let foldSubjectA = '';
let foldA = '';
let foldSubjectB = '';
let foldB = '';

/** `s` with A-Z turned to a-z and nothing else changed (same length, same positions); cached per line. */
export function foldedLine(s: string): string {
  if (s === foldSubjectA) return foldA;
  if (s === foldSubjectB) return foldB;
  // toLowerCase also maps non-ASCII letters (sometimes to other lengths): only ASCII lines use it
  const f = NON_ASCII.test(s) ? s.replace(UPPER_RUN, lowerRun) : s.toLowerCase();
  foldSubjectB = foldSubjectA;
  foldB = foldA;
  foldSubjectA = s;
  foldA = f;
  return f;
}

/** Whether `lit` (ASCII-lower-cased when `ci`) is at `at`. */
export function litAt(s: string, at: number, lit: Lit): boolean {
  const t = lit.text;
  if (!lit.ci) return s.startsWith(t, at);
  const n = t.length;
  if (at + n > s.length) return false;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== t.charCodeAt(i)) return false;
  }
  return true;
}

/** Index of the first occurrence of `lit` in `s` from `from`, or -1. */
export function litIndex(s: string, from: number, lit: Lit): number {
  return (lit.ci ? foldedLine(s) : s).indexOf(lit.text, from);
}
