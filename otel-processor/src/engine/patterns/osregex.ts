/**
 * OS_Regex — the classic OSSEC/Wazuh pattern dialect, re-implemented from the
 * semantics documented in ../shared/notes/osregex.md (§2, §3).
 *
 * The classic matcher is not a regular-expression engine in the textbook sense:
 * it is a single left-to-right scan per start position with a one-token
 * lookahead for quantifiers and at most four remembered restart points. Many
 * rules and decoders depend on its quirks (lazy quantifiers that do not look
 * through a following `*` class, captures that are only as good as the scan,
 * end pointers that land on the character after a run, ...), so this module
 * reproduces the scan itself rather than translating to a RegExp.
 *
 * Compilation turns every top-level alternative into a small token program
 * (typed arrays). Matching allocates nothing except the returned captures.
 */
import { MatchResult, Pattern, PatternError } from './types';

/** Wazuh OS_PATTERN_MAXSIZE. */
export const OS_PATTERN_MAXSIZE = 20480;

// ---------------------------------------------------------------------------
// Byte classes (exact sets, see §2 of the note).
// ---------------------------------------------------------------------------

const C_D = 1; // \d
const C_W = 2; // \w
const C_S = 3; // \s
const C_P = 4; // \p
const C_LPAREN = 5; // \(
const C_RPAREN = 6; // \)
const C_BSLASH = 7; // \\
const C_ND = 8; // \D
const C_NW = 9; // \W
const C_NS = 10; // \S
const C_ANY = 11; // \.
const C_TAB = 12; // \t
const C_DOLLAR = 13; // \$
const C_PIPE = 14; // \|
const C_LT = 15; // \<
const N_CLASSES = 16;

const ESCAPES: Record<string, number> = {
  d: C_D, w: C_W, s: C_S, p: C_P, '(': C_LPAREN, ')': C_RPAREN, '\\': C_BSLASH,
  D: C_ND, W: C_NW, S: C_NS, '.': C_ANY, t: C_TAB, $: C_DOLLAR, '|': C_PIPE, '<': C_LT,
};

/** CLASS_TABLE[(code << 8) | byte] === 1 when `byte` belongs to class `code`. */
const CLASS_TABLE = new Uint8Array(N_CLASSES * 256);
/** Membership of every code unit >= 256 (only the negated / any classes contain them). */
const CLASS_HIGH = new Uint8Array(N_CLASSES);

function isWordByte(b: number): boolean {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 45 || b === 64 || b === 95;
}
function isPunctByte(b: number): boolean {
  return (b >= 33 && b <= 46) || (b >= 58 && b <= 63) || b === 91 || b === 93 || (b >= 123 && b <= 125);
}
(function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    const set = (code: number, v: boolean): void => {
      if (v) CLASS_TABLE[(code << 8) | b] = 1;
    };
    const digit = b >= 48 && b <= 57;
    set(C_D, digit);
    set(C_W, isWordByte(b));
    set(C_S, b === 32);
    set(C_P, isPunctByte(b));
    set(C_LPAREN, b === 40);
    set(C_RPAREN, b === 41);
    set(C_BSLASH, b === 92);
    set(C_ND, !digit);
    set(C_NW, !isWordByte(b));
    set(C_NS, b !== 32);
    set(C_ANY, true);
    set(C_TAB, b === 9);
    set(C_DOLLAR, b === 36);
    set(C_PIPE, b === 124);
    set(C_LT, b === 60);
  }
  CLASS_HIGH[C_ND] = 1;
  CLASS_HIGH[C_NW] = 1;
  CLASS_HIGH[C_NS] = 1;
  CLASS_HIGH[C_ANY] = 1;
})();

function inClass(code: number, c: number): boolean {
  return c < 256 ? CLASS_TABLE[(code << 8) | c] === 1 : CLASS_HIGH[code] === 1;
}

/** ASCII-only lower-casing (the classic `charmap`). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

// ---------------------------------------------------------------------------
// Compiled form
// ---------------------------------------------------------------------------

const K_LIT = 0; // literal byte (lower-cased)
const K_PAREN = 1; // group boundary (open and close are the same marker)
const K_CLS = 2; // single class escape
const K_PLUS = 3; // class escape followed by '+'
const K_STAR = 4; // class escape followed by '*'

/** "No pointer" (the C NULL). Pointers are subject indices; -1 is a valid value (one before `start`). */
const NONE = -2;

/** Raw layout bytes used to reproduce the classic end-of-subject acceptance test. */
const RAW_BS = 0x5c;
const RAW_PAREN = 0x28;
const RAW_PLUS = 0x2b;
const RAW_STAR = 0x2a;
const RAW_OTHER = 0xfe; // literal outside the Latin-1 range (never special)
const RAW_PAD = 0xff; // bytes "after the terminator": treated as non-special, non-zero

const SKIP_NONE = 0;
const SKIP_LIT = 1; // first token (after an optional group open) is a literal
const SKIP_CLS = 2; // ... a single class
const SKIP_PLUS = 3; // ... a '+' class (only usable when the lookahead flag is clear)

interface Alt {
  readonly n: number;
  readonly kind: Uint8Array;
  /** literal code (lower-cased) for K_LIT, '(' for K_PAREN (a second consecutive marker is compared as a literal). */
  readonly lit: Int32Array;
  /** class code for K_CLS / K_PLUS / K_STAR */
  readonly cls: Uint8Array;
  /** index into the capture-boundary array for K_PAREN, else -1 */
  readonly pidx: Int32Array;
  /** class token whose failure may end the match early (classic `*(pt+3) == '\0'`) */
  readonly failEnd: Uint8Array;
  /** raw layout offsets of each token (n+1 entries), and the raw bytes */
  readonly off: Int32Array;
  readonly raw: Uint8Array;
  readonly begin: boolean;
  readonly end: boolean;
  /** number of group markers (2 per group) */
  readonly nParens: number;
  readonly prts: Int32Array;
  readonly savePt: Int32Array;
  readonly saveSt: Int32Array;
  readonly skip: number;
  readonly skipTok: number;
  readonly skipLit: number;
  readonly skipCls: number;
}

interface ParsedToken {
  kind: number;
  lit: number;
  cls: number;
}

function buildAlt(tokens: ParsedToken[], begin: boolean, end: boolean): Alt {
  const n = tokens.length;
  const kind = new Uint8Array(n);
  const lit = new Int32Array(n);
  const cls = new Uint8Array(n);
  const pidx = new Int32Array(n).fill(-1);
  const off = new Int32Array(n + 1);
  let bytes = 0;
  let parens = 0;
  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    kind[i] = t.kind;
    lit[i] = t.kind === K_PAREN ? RAW_PAREN : t.lit;
    cls[i] = t.cls;
    if (t.kind === K_PAREN) pidx[i] = parens++;
    off[i] = bytes;
    bytes += t.kind === K_LIT || t.kind === K_PAREN ? 1 : t.kind === K_CLS ? 2 : 3;
  }
  off[n] = bytes;
  const raw = new Uint8Array(bytes + 1 + 8).fill(RAW_PAD);
  for (let i = 0; i < n; i++) {
    const o = off[i];
    switch (kind[i]) {
      case K_LIT:
        raw[o] = lit[i] < 256 && lit[i] > 0 ? lit[i] : RAW_OTHER;
        break;
      case K_PAREN:
        raw[o] = RAW_PAREN;
        break;
      default:
        raw[o] = RAW_BS;
        raw[o + 1] = cls[i];
        if (kind[i] === K_PLUS) raw[o + 2] = RAW_PLUS;
        if (kind[i] === K_STAR) raw[o + 2] = RAW_STAR;
    }
  }
  raw[bytes] = 0;
  const failEnd = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (kind[i] >= K_CLS && raw[off[i] + 3] === 0) failEnd[i] = 1;

  let skip = SKIP_NONE;
  let skipTok = 0;
  let skipLit = 0;
  let skipCls = 0;
  if (!begin && n > 0) {
    let f = 0;
    if (kind[0] === K_PAREN) f = 1;
    if (f < n) {
      skipTok = f;
      if (kind[f] === K_LIT) {
        skip = SKIP_LIT;
        skipLit = lit[f];
      } else if (kind[f] === K_CLS) {
        skip = SKIP_CLS;
        skipCls = cls[f];
      } else if (kind[f] === K_PLUS) {
        skip = SKIP_PLUS;
        skipCls = cls[f];
      }
    }
  }
  return {
    n, kind, lit, cls, pidx, failEnd, off, raw, begin, end, nParens: parens,
    prts: new Int32Array(Math.max(parens, 1)),
    savePt: new Int32Array(4),
    saveSt: new Int32Array(4),
    skip, skipTok, skipLit, skipCls,
  };
}

/**
 * Parse the pattern into alternatives. Throws PatternError on the cases the classic
 * compiler rejects (unknown escape, nested / unbalanced groups, `|` inside a group).
 */
function parse(source: string): Alt[] {
  if (source.length > OS_PATTERN_MAXSIZE) {
    throw new PatternError(`OS_Regex pattern longer than ${OS_PATTERN_MAXSIZE} characters`, source);
  }
  const alts: Alt[] = [];
  let cur: ParsedToken[] = [];
  let depth = 0;
  const len = source.length;
  const finish = (): void => {
    let begin = false;
    let end = false;
    let toks = cur;
    if (toks.length > 0 && toks[0].kind === K_LIT && toks[0].lit === 0x5e /* ^ */) {
      begin = true;
      toks = toks.slice(1);
    }
    if (toks.length > 0) {
      const last = toks[toks.length - 1];
      if (last.kind === K_LIT && last.lit === 0x24 /* $ */) {
        end = true;
        toks = toks.slice(0, -1);
      }
    }
    alts.push(buildAlt(toks, begin, end));
    cur = [];
  };
  for (let i = 0; i < len; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 0) throw new PatternError(`OS_Regex pattern contains a NUL character at offset ${i}`, source);
    if (ch === 0x5c /* \ */) {
      if (i + 1 >= len) throw new PatternError('OS_Regex pattern ends with a lone backslash', source);
      const e = source[i + 1];
      const code = ESCAPES[e];
      if (code === undefined) {
        throw new PatternError(
          `OS_Regex: invalid escape "\\${e}" at offset ${i} (valid: \\d \\w \\s \\p \\W \\D \\S \\. \\t \\$ \\( \\) \\\\ \\| \\<)`,
          source,
        );
      }
      i++;
      const q = source.charCodeAt(i + 1);
      if (q === 0x2b /* + */ || q === 0x2a /* * */) {
        cur.push({ kind: q === 0x2b ? K_PLUS : K_STAR, lit: 0, cls: code });
        i++;
      } else {
        cur.push({ kind: K_CLS, lit: 0, cls: code });
      }
      continue;
    }
    if (ch === 0x28 /* ( */) {
      depth++;
      if (depth > 1) throw new PatternError(`OS_Regex: nested group at offset ${i} (only one level of parentheses is allowed)`, source);
      cur.push({ kind: K_PAREN, lit: 0, cls: 0 });
      continue;
    }
    if (ch === 0x29 /* ) */) {
      depth--;
      if (depth < 0) throw new PatternError(`OS_Regex: unbalanced ")" at offset ${i}`, source);
      cur.push({ kind: K_PAREN, lit: 0, cls: 0 });
      continue;
    }
    if (ch === 0x7c /* | */) {
      if (depth !== 0) throw new PatternError(`OS_Regex: "|" inside a group at offset ${i}`, source);
      finish();
      continue;
    }
    cur.push({ kind: K_LIT, lit: lower(ch), cls: 0 });
  }
  if (depth !== 0) throw new PatternError('OS_Regex: unclosed group', source);
  finish();
  return alts;
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

/** First index >= from where the skip token can match, or len. */
function skipAhead(a: Alt, s: string, from: number, len: number): number {
  const j = scanAhead(a, s, from, len);
  steps += j - from;
  return j;
}

function scanAhead(a: Alt, s: string, from: number, len: number): number {
  let j = from;
  if (a.skip === SKIP_LIT) {
    const c0 = a.skipLit;
    for (; j < len; j++) {
      const c = s.charCodeAt(j);
      if ((c >= 65 && c <= 90 ? c | 32 : c) === c0) break;
    }
  } else {
    const code = a.skipCls;
    for (; j < len; j++) if (inClass(code, s.charCodeAt(j))) break;
  }
  return j;
}

/**
 * Classic end-of-subject acceptance (after the scan ran off the end of the subject),
 * evaluated on the raw layout exactly like the original pointer walk, side effects included.
 */
function tailAccepts(a: Alt, p: number, rm: number): boolean {
  const R = a.raw;
  let b = a.off[p];
  // pattern finished (optionally after one group marker)
  if (R[b] === RAW_PAREN) b++;
  if (R[b] === 0) return true;
  // a '+'/'*' class that already consumed something, optionally followed by a '*' class
  if (R[b] === RAW_BS && rm === 1) {
    b += 2;
    if (R[b] === RAW_PLUS || R[b] === RAW_STAR) {
      b++;
      if (R[b] === RAW_PAREN) b++;
      if (R[b] === 0) return true;
      b = overStarClass(R, b);
      if (b < 0) return true;
    }
  }
  // a trailing '*' class that matched nothing
  return overStarClass(R, b) < 0;
}

/**
 * Steps over a `\x*` class (and a group marker) at `b` as the C pointer walk does, stopping
 * where it stops: -1 when the pattern ends after it, else where the walk stopped.
 */
function overStarClass(R: Alt['raw'], b: number): number {
  if (R[b] !== RAW_BS) return b;
  b += 2;
  if (R[b] !== RAW_STAR) return b;
  b++;
  if (R[b] === RAW_PAREN) b++;
  return R[b] === 0 ? -1 : b;
}

/** Scan steps allowed per subject character (plus a base) before an alternative gives up. */
export const STEP_BUDGET_PER_CHAR = 64;
export const STEP_BUDGET_BASE = 100_000;
let budgetExhausted = 0;
let steps = 0;
/** Scan steps taken since start-up (every loop turn and skipped character): for the linear-work test. */
export function osRegexSteps(): number {
  return steps;
}
/** How many alternative scans gave up on the step budget since start-up (reported as no match). */
export function osRegexBudgetExhaustions(): number {
  return budgetExhausted;
}

/**
 * Run one alternative. Returns the classic result pointer `r` (a subject index,
 * possibly start-1) or NONE. With `cap`, group boundaries are written to a.prts.
 */
/**
 * `wz`: Wazuh 4.x's matcher, which differs from the classic one on two edges: the end of the
 * subject is no character of any class (`\.+` does not match an empty value), and a pattern
 * that is only a trailing `*`-run matches (`\w*` matches a non-empty value).
 */
function runAlt(a: Alt, s: string, start: number, cap: boolean, wz = false): number {
  const len = s.length;
  const n = a.n;
  const kind = a.kind;
  const lit = a.lit;
  const cls = a.cls;
  const prts = a.prts;
  const pidx = a.pidx;
  const savePt = a.savePt;
  const saveSt = a.saveSt;
  const endSet = a.end;

  let pt = 0;
  let st = start;
  let r = NONE;
  let stErr = NONE;
  let rm = 0; // "regex matched": inside a quantifier run (lookahead mode)
  let sp = 0; // remembered restart points (max 4)

  if (a.skip !== SKIP_NONE && start < len) {
    st = skipAhead(a, s, start, len);
    if (st >= len) return NONE;
    if (a.skip !== SKIP_LIT && st > start) rm = 0;
  }

  let budget = STEP_BUDGET_PER_CHAR * (len - start + 1) + STEP_BUDGET_BASE;
  do {
    steps++;
    if (--budget === 0) {
      // pathological resume/restart explosion (the classic algorithm is polynomial of high degree
      // on adversarial lines): give up instead of stalling the pipeline
      budgetExhausted++;
      return NONE;
    }
    let c = st < len ? s.charCodeAt(st) : 0; // end of subject reads as NUL
    if (c >= 65 && c <= 90) c |= 32;
    let k: number;
    if (pt === n) {
      if (!endSet || st === len) return r;
      k = -1;
    } else {
      k = kind[pt];
      if (k === K_PAREN) {
        if (cap) prts[pidx[pt]] = st;
        pt++;
        if (pt === n) {
          if (!endSet || st === len) return r;
          k = -1;
        } else {
          k = kind[pt];
        }
      }
    }

    if (k >= K_CLS) {
      if ((st < len || !wz) && inClass(cls[pt], c)) {
        if (k === K_CLS) {
          pt++;
          if (stErr === NONE) stErr = st;
          r = st;
          continue;
        }
        if (k === K_STAR) rm = 1;
        if (rm === 1) {
          // one-token lookahead: may the current character start the next token?
          let tt = pt + 1;
          let pp = -1;
          if (tt < n && kind[tt] === K_PAREN) {
            pp = tt;
            tt++;
          }
          let ok = -1;
          if (tt === n) {
            ok = 1;
          } else {
            const tk = kind[tt];
            if (tk >= K_CLS) {
              if (inClass(cls[tt], c)) ok = tk === K_CLS ? 2 : 0;
            } else if (lit[tt] === c) {
              rm = 0;
              ok = 1;
            }
          }
          if (ok >= 0) {
            if (tt === n) {
              // last quantifier: keep consuming; r stays on the run's first char and the
              // closing marker follows the run (past the last char at the end of the subject)
              if (cap && pp >= 0) prts[pidx[pp]] = st + 1 === len ? st + 1 : st;
              if (wz && r === NONE) r = st;
              continue;
            }
            // the character starts the next token: the group closes before it
            if (cap && pp >= 0) prts[pidx[pp]] = st;
            if (sp < 4) {
              savePt[sp] = pt;
              saveSt[sp] = st;
              sp++;
            }
            pt = ok === 0 ? tt : tt + 1;
          }
        } else {
          // first character of a '+' run
          if (cap && pt + 1 < n && kind[pt + 1] === K_PAREN) prts[pidx[pt + 1]] = st + 1 === len ? st + 1 : st;
          rm = 1;
        }
        r = st;
        continue;
      }
      // the class does not match the current character
      if (a.failEnd[pt] === 1 && rm === 1 && r !== NONE) {
        r = st;
        if (!endSet || st === len) return r;
      } else if (k === K_PLUS && rm === 1) {
        pt++;
        st--;
        rm = 0;
        continue;
      } else if (k === K_STAR) {
        pt++;
        st--;
        r = st;
        rm = 0;
        continue;
      }
      rm = 0;
    } else if (k >= 0 && lit[pt] === c && st < len) {
      pt++;
      if (stErr === NONE) stErr = st;
      r = st;
      continue;
    }

    // mismatch: resume from the most recent remembered point, or restart
    if (sp > 0) {
      sp--;
      pt = savePt[sp];
      st = saveSt[sp];
      continue;
    }
    if (a.begin) return NONE;
    if (stErr !== NONE) {
      st = stErr;
      stErr = NONE;
    }
    pt = 0;
    r = NONE;
    if (a.skip !== SKIP_NONE && (a.skip !== SKIP_PLUS || rm === 0)) {
      const j = skipAhead(a, s, st + 1, len);
      if (j >= len) return NONE;
      if (a.skip !== SKIP_LIT && j > st + 1) rm = 0;
      st = j - 1;
    }
  } while (++st < len);

  // ran off the end of the subject
  let p = pt;
  if (cap) {
    while (p < n && kind[p] === K_STAR) p++;
    if (p < n && kind[p] === K_PAREN) prts[pidx[p]] = st;
  }
  if (r !== NONE && tailAccepts(a, p, rm)) return r;
  return NONE;
}

/** Empty alternative body (after removing ^ / $): always matches (see §3.5). */
function emptyAltEnd(a: Alt, s: string, start: number): number {
  if (a.end && a.begin) return start === s.length ? start : -1;
  return a.end ? s.length : start;
}

export class OsRegexPattern implements Pattern {
  readonly source: string;
  /** number of top-level alternatives */
  readonly alternatives: number;
  /** the pattern contains at least one group (classic OS_RETURN_SUBSTRING mode applies to exec) */
  readonly hasGroups: boolean;
  private readonly alts: Alt[];

  constructor(source: string, private readonly wazuh = false) {
    this.source = source;
    this.alts = parse(source);
    this.alternatives = this.alts.length;
    this.hasGroups = this.alts.some((a) => a.nParens > 0);
  }

  /** Boolean match (classic call without substrings, as rules and prematch use it). */
  test(subject: string, start = 0): boolean {
    return this.matchEnd(subject, start) >= 0;
  }

  /**
   * Continuation index without captures (classic call without OS_RETURN_SUBSTRING, e.g.
   * decoder `<prematch>`), or -1 when there is no match.
   */
  matchEnd(subject: string, start = 0): number {
    const len = subject.length;
    for (const a of this.alts) {
      if (a.n === 0) {
        const e = emptyAltEnd(a, subject, start);
        if (e >= 0) return e;
        continue;
      }
      const r = runAlt(a, subject, start, false, this.wazuh);
      if (r !== NONE) return r < len ? r + 1 : len;
    }
    return -1;
  }

  /** Match with captures (classic call with OS_RETURN_SUBSTRING, as decoder `<regex>` uses it). */
  exec(subject: string, start = 0): MatchResult | null {
    const len = subject.length;
    const cap = this.hasGroups;
    for (const a of this.alts) {
      if (a.n === 0) {
        const e = emptyAltEnd(a, subject, start);
        if (e >= 0) return { captures: [], end: e };
        continue;
      }
      if (cap) a.prts.fill(-1);
      const r = runAlt(a, subject, start, cap, this.wazuh);
      if (r === NONE) continue;
      const captures: string[] = [];
      if (cap) {
        const prts = a.prts;
        for (let j = 0; j + 1 < a.nParens; j += 2) {
          const o = prts[j];
          const e = prts[j + 1];
          if (o < 0 || e < 0) break;
          // the classic code copies (close - open) bytes: a negative length fails the whole call
          if (e < o) return null;
          captures.push(subject.slice(o, e));
        }
      }
      return { captures, end: r < len ? r + 1 : len };
    }
    return null;
  }
}

/** Compile an OS_Regex pattern (throws PatternError when the classic compiler would reject it). */
export function compileOsRegex(source: string, opts?: { wazuh?: boolean }): OsRegexPattern {
  return new OsRegexPattern(source, opts?.wazuh === true);
}
