/**
 * `type="pcre2"` patterns: PCRE2 syntax translated to a JavaScript RegExp, with the
 * execution semantics of OSSEC 4.2.0's OSPcre2_Compile / OSPcre2_Execute:
 *
 * - plain-string fast path for patterns matching `^\^?[a-zA-Z0-9 !"#%&',/:;<=>@_`~-]*\$?$`
 *   (`^abc$` equality, `^abc` prefix, `abc$` suffix; case-insensitive only when caseless);
 * - captures are PACKED: groups that did not participate are skipped, a group that matched
 *   the empty string is kept as '';
 * - `end` is the index right after the whole match.
 *
 * The translation reproduces PCRE2 (non-UTF, default tables) semantics where JavaScript differs:
 * `.` excludes only `\n`, `\s` is [\t\n\v\f\r ], `$` also matches before a final newline,
 * multiline anchors only know `\n`, case-insensitivity is ASCII-only (letters are expanded to
 * `[xX]` so the RegExp stays eligible for V8's linear-time fallback engine), possessive
 * quantifiers and atomic groups are emulated with `(?=(x))\N`, POSIX classes, `\h`, `\v`, `\R`,
 * `\N`, `\x{...}`, `\o{...}`, `\Q...\E`, `\e`, `\A`, `\z`, `\Z`, inline and scoped flags (i m s x n U).
 *
 * Patterns that chain several `.+`-like runs between literals (the Windows and iptables decoders)
 * run on chain.ts's matcher instead of the RegExp, which would retry every split of the line.
 */
import { linearRegexpFallbackEnabled } from './regexp-guard';
import { CaptureBuffer, MatchResult, Pattern, PatternError } from './types';
import { compileSequence, hasAmbiguousRuns, mayHaveAmbiguousRuns, type SequenceMatcher } from './sequence';
import { parseTranslated } from './translated';
import { compileChain, type ChainMatcher } from './chain';
import { LiteralAlternation, LiteralAt } from './literals';

export interface Pcre2Options {
  /** PCRE2_CASELESS (Wazuh compiles rule pcre2 without it; `(?i)` in the pattern still works). */
  caseless: boolean;
  /**
   * Wazuh: a group that did not take part keeps its position with an empty value (groups after
   * the last one that matched are not returned, as PCRE2's match count ends there).
   */
  keepUnsetGroups?: boolean;
  /**
   * Answer alternations of plain literals (`^4|^5|^6`) with string compares (literals.ts), the
   * default; false runs the RegExp as for any pattern (the reference the tests compare with).
   */
  literalMatcher?: boolean;
  /** Translate `(?:P\S+L1|P\S+L2|...) ` factored (see factorRunAlternation), the default; false translates it as written (the reference for tests). */
  factorRuns?: boolean;
}

// ---------------------------------------------------------------------------
// Character sets as sorted range lists over UTF-16 code units
// ---------------------------------------------------------------------------

type Ranges = [number, number][];
const MAX_CU = 0xffff;

function normalize(r: Ranges): Ranges {
  const a = r.filter(([lo, hi]) => lo <= hi).sort((x, y) => x[0] - y[0]);
  const out: Ranges = [];
  for (const [lo, hi] of a) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(r: Ranges): Ranges {
  const n = normalize(r);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of n) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CU) out.push([next, MAX_CU]);
  return out;
}

function caseFold(r: Ranges): Ranges {
  const out: Ranges = r.map(([lo, hi]) => [lo, hi] as [number, number]);
  for (const [lo, hi] of r) {
    const ulo = Math.max(lo, 65);
    const uhi = Math.min(hi, 90);
    if (ulo <= uhi) out.push([ulo + 32, uhi + 32]);
    const llo = Math.max(lo, 97);
    const lhi = Math.min(hi, 122);
    if (llo <= lhi) out.push([llo - 32, lhi - 32]);
  }
  return normalize(out);
}

const R_DIGIT: Ranges = [[48, 57]];
const R_WORD: Ranges = [[48, 57], [65, 90], [95, 95], [97, 122]];
const R_SPACE: Ranges = [[9, 13], [32, 32]];
const R_HSPACE: Ranges = [[9, 9], [32, 32], [0xa0, 0xa0]];
const R_VSPACE: Ranges = [[10, 13], [0x85, 0x85]];

const POSIX: Record<string, Ranges> = {
  alpha: [[65, 90], [97, 122]],
  digit: R_DIGIT,
  alnum: [[48, 57], [65, 90], [97, 122]],
  upper: [[65, 90]],
  lower: [[97, 122]],
  space: R_SPACE,
  blank: [[9, 9], [32, 32]],
  punct: [[33, 47], [58, 64], [91, 96], [123, 126]],
  xdigit: [[48, 57], [65, 70], [97, 102]],
  cntrl: [[0, 31], [127, 127]],
  print: [[32, 126]],
  graph: [[33, 126]],
  word: R_WORD,
  ascii: [[0, 127]],
};

function escCu(c: number): string {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return String.fromCharCode(c);
  if (c < 256) return '\\x' + c.toString(16).padStart(2, '0');
  return '\\u' + c.toString(16).padStart(4, '0');
}

function rangesToClass(r: Ranges, negate: boolean): string {
  const n = normalize(r);
  let s = '';
  for (const [lo, hi] of n) s += lo === hi ? escCu(lo) : hi === lo + 1 ? escCu(lo) + escCu(hi) : escCu(lo) + '-' + escCu(hi);
  return (negate ? '[^' : '[') + s + ']';
}

function cuOf(cp: number, source: string): number {
  if (cp > MAX_CU) throw new PatternError(`PCRE2: character value \\x{${cp.toString(16)}} is too large (non-UTF mode)`, source);
  return cp;
}

// ---------------------------------------------------------------------------
// Translator
// ---------------------------------------------------------------------------

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  n: boolean;
  U: boolean;
}

/** Output pieces: plain text, capture-group opens (numbered at the end), back-references, anchors. */
type Piece =
  | string
  | { t: 'open'; id: number; name?: string }
  | { t: 'ref'; id: number }
  | { t: 'anchor'; fast: string; exact: string };

const ANCHOR_START = { t: 'anchor' as const, fast: '^', exact: '^' };

interface Translation {
  pieces: Piece[];
  /** user group id (1-based PCRE number) -> piece id; internal groups are not listed */
  userGroups: number[];
  nonLinear: boolean;
  nestedUnbounded: boolean;
  /** 0: anchors independent of newlines; 1: exact only when the subject ends with \n; 2: when it contains \n */
  newlineSensitivity: number;
  /** result depends on text before `start` (anchors, lookbehind, \b): slice when start > 0 */
  contextSensitive: boolean;
  hasBackref: boolean;
}

class Translator {
  private pos = 0;
  private pieces: Piece[] = [];
  private nextId = 1;
  private userGroups: number[] = [];
  private names = new Map<string, number>();
  private nonLinear = false;
  private nestedUnbounded = false;
  private newlineSensitivity = 0;
  private contextSensitive = false;
  private hasBackref = false;
  private readonly totalGroups: number;

  constructor(private readonly src: string, caseless: boolean) {
    this.flags0 = { i: caseless, m: false, s: false, x: false, n: false, U: false };
    this.totalGroups = this.countGroups();
  }
  private readonly flags0: Flags;

  private err(msg: string): never {
    throw new PatternError(`PCRE2: ${msg} at offset ${this.pos}`, this.src);
  }

  /** Rough count of capturing groups (for the \N backreference-vs-octal rule). */
  private countGroups(): number {
    let n = 0;
    const s = this.src;
    let inClass = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (inClass) {
        if (c === ']') inClass = false;
        continue;
      }
      if (c === '[') inClass = true;
      else if (c === '(' && (s[i + 1] !== '?' || /^\(\?(P?<[A-Za-z_]|')/.test(s.slice(i, i + 4))) && s[i + 1] !== '*') n++;
    }
    return n;
  }

  /** `(*UTF)` at the start: the subject is read as characters (JS strings already are). */
  private utf = false;

  run(): Translation {
    const flags = { ...this.flags0 };
    const start = /^\(\*UTF8?\)/.exec(this.src);
    if (start) {
      this.utf = true;
      this.pos = start[0].length;
    }
    this.seq(flags, 0);
    if (this.pos < this.src.length) this.err('unmatched closing parenthesis');
    return {
      pieces: this.pieces,
      userGroups: this.userGroups,
      nonLinear: this.nonLinear,
      nestedUnbounded: this.nestedUnbounded,
      newlineSensitivity: this.newlineSensitivity,
      contextSensitive: this.contextSensitive,
      hasBackref: this.hasBackref,
    };
  }

  private lit(cu: number, f: Flags): string {
    if (f.i && ((cu >= 65 && cu <= 90) || (cu >= 97 && cu <= 122))) {
      const lo = cu | 32;
      return '[' + String.fromCharCode(lo - 32) + String.fromCharCode(lo) + ']';
    }
    return escCu(cu);
  }

  private skipExtended(f: Flags): void {
    if (!f.x) return;
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.pos++;
      else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else return;
    }
  }

  /**
   * Parse a sequence of alternatives until ')' (depth > 0) or the end. Returns whether the
   * sequence contains an unbounded quantifier (for nested-quantifier detection).
   */
  private seq(f: Flags, depth: number): boolean {
    const s = this.src;
    let atomStart = -1; // index in pieces where the last quantifiable atom starts
    let atomUnbounded = false; // the last atom contains an unbounded quantifier
    let any = false;
    for (;;) {
      this.skipExtended(f);
      if (this.pos >= s.length) {
        if (depth > 0) this.err('missing closing parenthesis');
        return any;
      }
      const c = s[this.pos];
      if (c === ')') {
        if (depth === 0) this.err('unmatched closing parenthesis');
        return any;
      }
      // quantifiers
      const q = this.readQuantifier();
      if (q) {
        if (atomStart < 0) this.err('quantifier does not follow a repeatable item');
        let lazy = false;
        let possessive = false;
        if (s[this.pos] === '?') {
          lazy = true;
          this.pos++;
        } else if (s[this.pos] === '+') {
          possessive = true;
          this.pos++;
        }
        if (f.U && !possessive) lazy = !lazy;
        if (q.unbounded && atomUnbounded) this.nestedUnbounded = true;
        if (q.big) this.nonLinear = true;
        if (q.unbounded) any = true;
        const text = q.text + (lazy ? '?' : '');
        if (possessive) this.atomicWrap(atomStart, text);
        else this.pieces.push(text);
        atomStart = -1;
        atomUnbounded = false;
        continue;
      }
      const start = this.pieces.length;
      atomUnbounded = false;
      this.pos++;
      switch (c) {
        case '|':
          this.pieces.push('|');
          atomStart = -1;
          continue;
        case '^':
          this.contextSensitive = true;
          if (f.m) {
            this.newlineSensitivity = 2;
            this.pieces.push({ t: 'anchor', fast: '^', exact: '(?<![^\\n])' });
          } else this.pieces.push(ANCHOR_START);
          atomStart = -1;
          continue;
        case '$':
          if (f.m) {
            this.newlineSensitivity = 2;
            this.pieces.push({ t: 'anchor', fast: '$', exact: '(?=\\n|$)' });
          } else {
            this.newlineSensitivity = Math.max(this.newlineSensitivity, 1);
            this.pieces.push({ t: 'anchor', fast: '$', exact: '(?=\\n?$)' });
          }
          atomStart = -1;
          continue;
        case '.':
          this.pieces.push(f.s ? '[\\s\\S]' : '[^\\n]');
          break;
        case '[':
          this.pieces.push(this.charClass(f));
          break;
        case '\\': {
          const r = this.escape(f);
          if (r === null) {
            atomStart = -1;
            continue;
          }
          if (r === '') continue; // \E or empty \Q\E: nothing emitted, keep the previous atom
          atomStart = this.pieces.length - 1; // a quantifier applies to the last emitted character
          continue;
        }
        case '(': {
          const g = this.group(f);
          if (g === 'flags') continue;
          if (g === 'assert') {
            atomStart = -1;
            continue;
          }
          atomUnbounded = g === 'unbounded';
          if (atomUnbounded) any = true;
          break;
        }
        default: {
          if (c === '{' || c === '}' || c === ']') {
            this.pieces.push(escCu(c.charCodeAt(0)));
            break;
          }
          const cu = c.charCodeAt(0);
          this.pieces.push(this.lit(cu, f));
        }
      }
      atomStart = start;
    }
  }

  private readQuantifier(): { text: string; unbounded: boolean; big: boolean } | null {
    const s = this.src;
    const c = s[this.pos];
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      return { text: c, unbounded: c !== '?', big: false };
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.pos, this.pos + 24));
      if (!m) return null;
      this.pos += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) this.err('numbers out of order in {} quantifier');
      if (min > 65535 || (max !== Infinity && max > 65535)) this.err('number too big in {} quantifier');
      return { text: m[0], unbounded: max === Infinity, big: min > 9 || (max !== Infinity && max > 9) };
    }
    return null;
  }

  /** Emulate an atomic group / possessive quantifier: (?=(X))\N */
  private atomicWrap(atomStart: number, suffix: string): void {
    const id = this.nextId++;
    const inner = this.pieces.splice(atomStart);
    this.pieces.push('(?=', { t: 'open', id }, '(?:', ...inner, ')' + suffix, '))', { t: 'ref', id });
    this.nonLinear = true;
  }

  /** Parse a group after '('. Returns what kind of item was produced. */
  private group(f: Flags): 'flags' | 'assert' | 'unbounded' | 'atom' {
    const s = this.src;
    if (s[this.pos] === '*') this.err('(*VERB) and (*OPTION) items are not supported');
    if (s[this.pos] !== '?') {
      if (f.n) return this.groupBody(f, '(?:', null);
      return this.capture(f, undefined);
    }
    this.pos++;
    const c = s[this.pos];
    const rest = s.slice(this.pos, this.pos + 3);
    if (c === '#') {
      const e = s.indexOf(')', this.pos);
      if (e < 0) this.err('missing ) after (?# comment');
      this.pos = e + 1;
      return 'flags';
    }
    if (c === ':') {
      this.pos++;
      return this.groupBody({ ...f }, '(?:', null);
    }
    if (c === '=' || c === '!') {
      this.pos++;
      this.nonLinear = true;
      this.groupBody({ ...f }, '(?' + c, null);
      return 'assert';
    }
    if (rest.startsWith('<=') || rest.startsWith('<!')) {
      this.pos += 2;
      this.nonLinear = true;
      this.contextSensitive = true;
      this.groupBody({ ...f }, '(?' + rest.slice(0, 2), null);
      return 'assert';
    }
    if (c === '>') {
      this.pos++;
      const id = this.nextId++;
      this.nonLinear = true;
      this.pieces.push('(?=', { t: 'open', id });
      const r = this.groupBody({ ...f }, '(?:', null);
      this.pieces.push('))', { t: 'ref', id });
      return r;
    }
    if (c === 'P' && s[this.pos + 1] === '<') {
      this.pos += 2;
      return this.capture(f, this.readName('>'));
    }
    if (c === '<' || c === "'") {
      this.pos++;
      return this.capture(f, this.readName(c === '<' ? '>' : "'"));
    }
    if (c === 'P' && s[this.pos + 1] === '=') {
      this.pos += 2;
      const name = this.readName(')');
      this.namedRef(name);
      return 'atom';
    }
    if (c === '|') this.err('branch reset groups (?| are not supported');
    if (c === '(') this.err('conditional groups are not supported');
    if (
      c === 'R' || c === '&' || (c === 'P' && s[this.pos + 1] === '>') || /[0-9]/.test(c ?? '') ||
      ((c === '+' || c === '-') && /[0-9]/.test(s[this.pos + 1] ?? ''))
    ) {
      this.err('recursion and subroutine calls are not supported');
    }
    // flags: (?imsx-imsx) or (?imsx-imsx: ... )
    const m = /^(\^)?([imsxnUJ]*)(?:-([imsxnUJ]*))?([:)])/.exec(s.slice(this.pos));
    if (!m) this.err('unrecognized character after (? or (?-');
    const nf: Flags = m[1] ? { i: false, m: false, s: false, x: false, n: false, U: false } : { ...f };
    const apply = (letters: string, v: boolean): void => {
      for (const L of letters) {
        if (L === 'J') this.err('(?J) duplicate group names are not supported');
        nf[L as keyof Flags] = v;
      }
    };
    apply(m[2], true);
    if (m[3] !== undefined) apply(m[3], false);
    this.pos += m[0].length;
    if (m[4] === ')') {
      // applies to the rest of the enclosing group
      Object.assign(f, nf);
      return 'flags';
    }
    return this.groupBody(nf, '(?:', null);
  }

  private readName(term: string): string {
    const s = this.src;
    const e = s.indexOf(term, this.pos);
    if (e < 0) this.err('missing terminator for group name');
    const name = s.slice(this.pos, e);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.err(`invalid group name "${name}"`);
    this.pos = e + 1;
    return name;
  }

  private capture(f: Flags, name: string | undefined): 'unbounded' | 'atom' {
    const id = this.nextId++;
    this.userGroups.push(id);
    if (name !== undefined) {
      if (this.names.has(name)) this.err(`duplicate group name "${name}"`);
      this.names.set(name, id);
    }
    return this.groupBody({ ...f }, null, { t: 'open', id, name });
  }

  private groupBody(f: Flags, open: string | null, openPiece: Piece | null): 'unbounded' | 'atom' {
    if (open !== null) this.pieces.push(open);
    if (openPiece !== null) this.pieces.push(openPiece);
    const any = this.seq(f, 1);
    this.pos++; // ')'
    this.pieces.push(')');
    return any ? 'unbounded' : 'atom';
  }

  private namedRef(name: string): void {
    const id = this.names.get(name);
    if (id === undefined) this.err(`reference to non-existent group "${name}"`);
    this.pieces.push({ t: 'ref', id });
    this.hasBackref = true;
    this.nonLinear = true;
  }

  private numberedRef(n: number): void {
    if (n <= 0 || n > this.totalGroups) this.err(`reference to non-existent group ${n}`);
    // user group n: ids are assigned in order, but internal groups may interleave; resolve later
    this.pieces.push({ t: 'ref', id: -n });
    this.hasBackref = true;
    this.nonLinear = true;
  }

  private readHex(): number {
    const s = this.src;
    if (s[this.pos] === '{') {
      const e = s.indexOf('}', this.pos);
      const h = e < 0 ? '' : s.slice(this.pos + 1, e);
      if (!/^[0-9A-Fa-f]+$/.test(h)) this.err('invalid \\x{...}');
      this.pos = e + 1;
      return cuOf(parseInt(h, 16), s);
    }
    const m = /^[0-9A-Fa-f]{0,2}/.exec(s.slice(this.pos, this.pos + 2));
    const h = m ? m[0] : '';
    this.pos += h.length;
    return h ? parseInt(h, 16) : 0;
  }

  /** Escapes that denote a single character (shared by classes and the main body), or -1. */
  private charEscape(e: string, inClass: boolean): number {
    const s = this.src;
    switch (e) {
      case 'a': return 7;
      case 'e': return 0x1b;
      case 'f': return 0x0c;
      case 'n': return 0x0a;
      case 'r': return 0x0d;
      case 't': return 0x09;
      case 'b': return inClass ? 0x08 : -1;
      case 'x': return this.readHex();
      case 'c': {
        const ch = s[this.pos++];
        if (ch === undefined || ch.charCodeAt(0) > 127) this.err('\\c must be followed by an ASCII character');
        return ch.toUpperCase().charCodeAt(0) ^ 0x40;
      }
      case 'o': {
        const m = /^\{([0-7]+)\}/.exec(s.slice(this.pos));
        if (!m) this.err('invalid \\o{...}');
        this.pos += m[0].length;
        return cuOf(parseInt(m[1], 8), s);
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(s.slice(this.pos, this.pos + 2));
        const d = m ? m[0] : '';
        this.pos += d.length;
        return parseInt('0' + d, 8);
      }
      default:
        return -1;
    }
  }

  private classEscapeRanges(e: string): Ranges | null {
    switch (e) {
      case 'd': return R_DIGIT;
      case 'D': return complement(R_DIGIT);
      case 'w': return R_WORD;
      case 'W': return complement(R_WORD);
      case 's': return R_SPACE;
      case 'S': return complement(R_SPACE);
      case 'h': return R_HSPACE;
      case 'H': return complement(R_HSPACE);
      case 'v': return R_VSPACE;
      case 'V': return complement(R_VSPACE);
      case 'N': return complement([[10, 10]]);
      default: return null;
    }
  }

  /**
   * Escape in the body. Returns the emitted text, '' when nothing was emitted but the previous
   * atom stays quantifiable (\E), or null for zero-width items (anchors).
   */
  private escape(f: Flags): string | null {
    const s = this.src;
    if (this.pos >= s.length) this.err('\\ at end of pattern');
    const e = s[this.pos++];
    if (e === 'Q') {
      let end = s.indexOf('\\E', this.pos);
      if (end < 0) end = s.length;
      const text = s.slice(this.pos, end);
      this.pos = Math.min(s.length, end + 2);
      let out = '';
      for (let i = 0; i < text.length; i++) out += this.lit(text.charCodeAt(i), f);
      if (out === '') return '';
      // quantifier after \Q..\E applies to the last character only
      if (text.length > 1) {
        let head = '';
        for (let i = 0; i < text.length - 1; i++) head += this.lit(text.charCodeAt(i), f);
        this.pieces.push(head);
      }
      this.pieces.push(this.lit(text.charCodeAt(text.length - 1), f));
      return 'x';
    }
    if (e === 'E') return '';
    switch (e) {
      case 'A':
        this.contextSensitive = true;
        this.pieces.push(ANCHOR_START);
        return null;
      case 'G':
        if (this.pos !== 2) this.err('\\G is only supported at the start of the pattern');
        this.contextSensitive = true;
        this.pieces.push(ANCHOR_START);
        return null;
      case 'z':
        this.pieces.push('$');
        return null;
      case 'Z':
        this.newlineSensitivity = Math.max(this.newlineSensitivity, 1);
        this.pieces.push({ t: 'anchor', fast: '$', exact: '(?=\\n?$)' });
        return null;
      case 'b':
      case 'B':
        this.contextSensitive = true;
        this.pieces.push('\\' + e);
        return null;
      case 'R':
        this.pieces.push('(?:\\r\\n|[\\n\\x0b\\f\\r\\x85])');
        return 'x';
      case 'K':
        this.err('\\K is not supported');
        break;
      case 'g': {
        const m = /^(?:\{(-?\d+)\}|(-?\d+)|\{([A-Za-z_]\w*)\})/.exec(s.slice(this.pos));
        if (!m) this.err('\\g is not followed by a group number or name (subroutine calls are not supported)');
        this.pos += m[0].length;
        if (m[3] !== undefined) this.namedRef(m[3]);
        else {
          let n = Number(m[1] ?? m[2]);
          if (n < 0) n = this.userGroups.length + 1 + n;
          this.numberedRef(n);
        }
        return 'x';
      }
      case 'k': {
        const open = s[this.pos];
        const close = open === '<' ? '>' : open === "'" ? "'" : open === '{' ? '}' : '';
        if (!close) this.err('\\k is not followed by a name');
        this.pos++;
        this.namedRef(this.readName(close));
        return 'x';
      }
      case 'p':
      case 'P':
      case 'X':
      case 'C':
        this.err(`\\${e} is not supported`);
    }
    if (e >= '1' && e <= '9') {
      const m = /^\d*/.exec(s.slice(this.pos));
      const digits = e + (m ? m[0] : '');
      const n = Number(digits);
      if (n < 10 || n <= this.totalGroups) {
        this.pos += digits.length - 1;
        this.numberedRef(n);
        return 'x';
      }
      const om = /^[0-7]{1,3}/.exec(digits);
      if (!om) this.err(`reference to non-existent group ${n}`);
      this.pos += om[0].length - 1;
      const t = this.lit(parseInt(om[0], 8), f);
      this.pieces.push(t);
      return 'x';
    }
    if (e === 'N' && s[this.pos] === '{') {
      // \N{U+hhhh}: a code point, UTF mode only (PCRE2 refuses it otherwise).
      const m = /^\{U\+([0-9A-Fa-f]+)\}/.exec(s.slice(this.pos));
      if (!m || !this.utf) this.err('\\N{U+dddd} is supported only in UTF mode');
      this.pos += m[0].length;
      const cp = parseInt(m[1], 16);
      this.pieces.push(cp > MAX_CU ? `(?:${String.fromCodePoint(cp).split('').map((c) => escCu(c.charCodeAt(0))).join('')})` : this.lit(cp, f));
      return 'x';
    }
    const ranges = this.classEscapeRanges(e);
    if (ranges) {
      if (e === 'd' || e === 'D' || e === 'w' || e === 'W') this.pieces.push('\\' + e);
      else this.pieces.push(rangesToClass(ranges, false));
      return 'x';
    }
    const cu = this.charEscape(e, false);
    if (cu >= 0) {
      this.pieces.push(this.lit(cu, f));
      return 'x';
    }
    if (/[A-Za-z0-9]/.test(e)) this.err(`unrecognized escape \\${e}`);
    this.pieces.push(this.lit(e.charCodeAt(0), f));
    return 'x';
  }

  /** Parse a bracket expression after '['. */
  private charClass(f: Flags): string {
    const s = this.src;
    let negate = false;
    if (s[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    const items: Ranges = [];
    let first = true;
    let prev = -1; // previous single character (range start candidate)
    for (;;) {
      if (this.pos >= s.length) this.err('missing terminating ] for character class');
      const c = s[this.pos];
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      // POSIX class
      if (c === '[' && (s[this.pos + 1] === ':' || s[this.pos + 1] === '.' || s[this.pos + 1] === '=')) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(s.slice(this.pos));
        if (m) {
          const set = POSIX[m[2]];
          if (!set) this.err(`unknown POSIX class name "${m[2]}"`);
          items.push(...(m[1] ? complement(set) : set));
          this.pos += m[0].length;
          prev = -1;
          continue;
        }
        if (s[this.pos + 1] !== ':') this.err('POSIX collating elements are not supported');
      }
      let cu: number;
      if (c === '\\') {
        this.pos++;
        const e = s[this.pos++];
        if (e === undefined) this.err('\\ at end of pattern');
        if (e === 'Q') {
          let end = s.indexOf('\\E', this.pos);
          if (end < 0) end = s.length;
          for (let i = this.pos; i < end; i++) items.push([s.charCodeAt(i), s.charCodeAt(i)]);
          prev = end > this.pos ? s.charCodeAt(end - 1) : prev;
          this.pos = Math.min(s.length, end + 2);
          continue;
        }
        if (e === 'E') continue;
        const r = this.classEscapeRanges(e);
        if (r && e !== 'N') {
          items.push(...r);
          prev = -1;
          continue;
        }
        if (e >= '1' && e <= '7') {
          const m = /^[0-7]{1,3}/.exec(s.slice(this.pos - 1));
          this.pos += (m ? m[0].length : 1) - 1;
          cu = parseInt(m ? m[0] : e, 8);
        } else {
          cu = this.charEscape(e, true);
          if (cu < 0) {
            if (/[A-Za-z0-9]/.test(e)) this.err(`unrecognized escape \\${e} in character class`);
            cu = e.charCodeAt(0);
          }
        }
      } else {
        cu = c.charCodeAt(0);
        this.pos++;
      }
      // range?
      if (s[this.pos] === '-' && s[this.pos + 1] !== ']' && this.pos + 1 < s.length) {
        const save = this.pos;
        this.pos++;
        let hi: number;
        const d = s[this.pos];
        if (d === '\\') {
          this.pos++;
          const e = s[this.pos++];
          if (this.classEscapeRanges(e) && e !== 'N') {
            // "a-\d": '-' is literal
            this.pos = save;
            items.push([cu, cu]);
            prev = cu;
            continue;
          }
          hi = this.charEscape(e, true);
          if (hi < 0) hi = e.charCodeAt(0);
        } else if (d === '[' && s[this.pos + 1] === ':') {
          this.pos = save;
          items.push([cu, cu]);
          continue;
        } else {
          hi = d.charCodeAt(0);
          this.pos++;
        }
        if (hi < cu) this.err('range out of order in character class');
        items.push([cu, hi]);
        prev = -1;
        continue;
      }
      items.push([cu, cu]);
      prev = cu;
    }
    void prev;
    const set = f.i ? caseFold(items) : normalize(items);
    return rangesToClass(set, negate);
  }
}

/**
 * `^A|^B|...` as `A|B|...` when the anchors open every top-level alternative and nothing else
 * looks at the text before the match (no other `^`, `\b`, `\B`, lookbehind, named group); else null.
 */
function stickySource(src: string): string | null {
  let out = '';
  let from = 0;
  let depth = 0;
  let inClass = false;
  let altStart = true;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const e = src[i + 1];
      if (!inClass && (altStart || e === 'b' || e === 'B')) return null;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '^') {
      if (!altStart) return null;
      out += src.slice(from, i);
      from = i + 1;
      altStart = false;
      continue;
    }
    if (altStart) return null; // an alternative without its anchor
    if (c === '[') inClass = true;
    else if (c === '(') {
      if (src.startsWith('(?<', i)) return null;
      depth++;
    } else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      altStart = true;
      continue;
    }
  }
  if (altStart) return null;
  return out + src.slice(from);
}

/** Render the pieces with the fast (no-newline) or exact anchor translation. */
function render(tr: Translation, exact: boolean): { source: string; jsIndex: number[] } {
  const jsOf = new Map<number, number>();
  let n = 0;
  for (const p of tr.pieces) if (typeof p !== 'string' && p.t === 'open') jsOf.set(p.id, ++n);
  const userId = (k: number): number => tr.userGroups[k - 1];
  let out = '';
  for (const p of tr.pieces) {
    if (typeof p === 'string') out += p;
    else if (p.t === 'open') out += p.name !== undefined ? `(?<${p.name}>` : '(';
    else if (p.t === 'ref') {
      const id = p.id < 0 ? userId(-p.id) : p.id;
      out += '\\' + jsOf.get(id) + '(?:)';
    } else out += exact ? p.exact : p.fast;
  }
  return { source: out, jsIndex: tr.userGroups.map((id) => jsOf.get(id) as number) };
}

// ---------------------------------------------------------------------------
// Pattern
// ---------------------------------------------------------------------------

/** A literal item of PCRE2 source outside classes: a plain character, or an escaped non-alphanumeric one. */
const LIT_ITEM = String.raw`(?:[A-Za-z0-9_:;,@#%&'"<>=~!/-]|\\[^A-Za-z0-9\s])`;
/** One branch `P\S+L` or `P\S*L` (P, L literals; L without spaces). */
const RUN_BRANCH = `(${LIT_ITEM}*)\\\\S([+*])(${LIT_ITEM}+)`;
const RUN_GROUP = new RegExp(String.raw`\(\?:(${RUN_BRANCH}(?:\|${RUN_BRANCH})+)\) (?![*+?{])`);
const RUN_BRANCH_ALL = new RegExp(`^${RUN_BRANCH}$`);

/**
 * `(?:P\S+L1|P\S*L2|...) ` (one literal P for all branches, literals Li of non-space
 * characters, a space right after the group) rewritten `P(?:\S+(?:L1|L2|...)|(?:L2|...)) `
 * (the second branch for the `\S*` ones only): V8 then scans the run once, not once a branch.
 * Exact: whichever branch matches from a start, the run and Li (all non-space) reach up to the
 * space, so the group ends at the end of the non-space run after P, the same end for every
 * branch and split, and it holds no capture; both forms match from the same starts with the
 * same end. Only where nothing can change how the source reads (no `(?` other than `(?:`, no
 * `\Q`, no `#` that (?x) could read); else the source is returned as it is.
 */
export function factorRunAlternation(source: string): string {
  // no flags, \Q, comments, and no class the group could sit in
  if (/\(\?[^:]|\\Q|#|(?:^|[^\\])(?:\\\\)*\[/.test(source)) return source;
  const m = RUN_GROUP.exec(source);
  if (m === null) return source;
  // the `(` must not be escaped
  let slashes = 0;
  while (m.index - slashes - 1 >= 0 && source[m.index - slashes - 1] === '\\') slashes++;
  if (slashes % 2 !== 0) return source;
  const branches = m[1].split('|').map((b) => RUN_BRANCH_ALL.exec(b));
  if (branches.some((b) => b === null)) return source;
  const prefix = branches[0]![1];
  if (branches.some((b) => b![1] !== prefix)) return source;
  const all = branches.map((b) => b![3]);
  const empty = branches.filter((b) => b![2] === '*').map((b) => b![3]);
  const body = `\\S+(?:${all.join('|')})` + (empty.length > 0 ? `|(?:${empty.join('|')})` : '');
  return source.slice(0, m.index) + `${prefix}(?:${body}) ` + source.slice(m.index + m[0].length);
}

const FAST_PATH = /^\^?[a-zA-Z0-9 !"#%&',/:;<=>@_`~-]*\$?\n?$/;

const FP_EQUAL = 1;
const FP_PREFIX = 2;
const FP_SUFFIX = 3;
/** not OSSEC's fast path: a PCRE2 alternation of plain literals (literals.ts) */
const FP_LITERALS = 4;

/** From this length on, every pattern the sequence matcher can run uses it (linear work). */
const LONG_SUBJECT = 2048;

let regexpFailures = 0;
/** How many regex runs failed (e.g. stack overflow on a huge line) and counted as no match. */
export function pcre2RunFailures(): number {
  return regexpFailures;
}

// Many patterns run on the same log line: remember the last line's newline position.
let nlSubject = '';
let nlIndex = -1;
function hasNewlineFrom(subject: string, start: number): boolean {
  if (subject !== nlSubject) {
    nlSubject = subject;
    nlIndex = subject.lastIndexOf('\n');
  }
  return nlIndex >= start;
}

export class Pcre2Pattern implements Pattern {
  readonly source: string;
  readonly caseless: boolean;
  /** 'equal' | 'prefix' | 'suffix' when the OSSEC plain-string fast path applies, else 'regex' */
  readonly mode: 'equal' | 'prefix' | 'suffix' | 'regex';
  /** the JavaScript RegExp source used for subjects without newlines (undefined for fast paths) */
  readonly jsSource?: string;
  /** true when the RegExp can fall back to V8's linear-time engine (no lookaround/backreference/big counters) */
  readonly linear: boolean;
  private readonly fp: number = 0;
  private readonly literals: LiteralAlternation | null = null;
  private readonly lit: string = '';
  /** the fast path's literal, compared where it must be */
  private readonly litAt: LiteralAt | null = null;
  private readonly re?: RegExp;
  /**
   * Our linear matcher (see sequence.ts) for the same translation, or null outside its subset;
   * built on first use (undefined until then), so loading a ruleset does not pay for it. It runs
   * in place of `re` on every line when the pattern has ambiguous `.+` chains, and on long lines
   * for every pattern it can run (V8 backtracks, then falls back to its slow linear engine).
   */
  private seq: SequenceMatcher | null | undefined;
  /** The same for the exact (newline) translation, built on first use. */
  private seqExact: SequenceMatcher | null | undefined;
  private seqAlways = false;
  /** Fewer than two unbounded runs: no need for the matcher before a long line comes. */
  private readonly seqUnlikely: boolean = true;
  private readonly reExact?: RegExp;
  private readonly jsIndex: number[] = [];
  private readonly nlSens: number = 0;
  private readonly ctxSens: boolean = false;

  private readonly keepUnset: boolean;

  /**
   * Separator-chain matcher (chain.ts) for patterns whose runs a backtracking engine would split
   * in every way; below LONG_SUBJECT it answers when the line has many splits to try (else the
   * RegExp does, faster); from LONG_SUBJECT on the sequence matcher does, as for other patterns.
   */
  private readonly chain: ChainMatcher | null = null;

  constructor(source: string, opts: Pcre2Options) {
    this.source = source;
    this.caseless = opts.caseless;
    this.keepUnset = opts.keepUnsetGroups === true;
    if (source.length === 0) throw new PatternError('PCRE2: empty pattern', source);
    if (FAST_PATH.test(source)) {
      const first = source[0];
      const last = source[source.length - 1];
      if (first === '^') {
        this.fp = last === '$' ? FP_EQUAL : FP_PREFIX;
        this.lit = last === '$' ? source.slice(1, -1) : source.slice(1);
      } else if (last === '$') {
        this.fp = FP_SUFFIX;
        this.lit = source.slice(0, -1);
      }
    }
    if (this.fp !== 0) {
      this.litAt = new LiteralAt(this.lit, opts.caseless);
      this.mode = this.fp === FP_EQUAL ? 'equal' : this.fp === FP_PREFIX ? 'prefix' : 'suffix';
      this.linear = true;
      return;
    }
    this.mode = 'regex';
    const tr = new Translator(opts.factorRuns === false ? source : factorRunAlternation(source), opts.caseless).run();
    if (tr.nonLinear && tr.nestedUnbounded) {
      throw new PatternError(
        'PCRE2: pattern nests unbounded quantifiers and also needs backtracking-only features ' +
          '(lookaround, backreference, atomic/possessive, large {n,m}); it could backtrack catastrophically ' +
          'and cannot run on the linear-time engine',
        source,
      );
    }
    const fast = render(tr, false);
    this.jsIndex = fast.jsIndex;
    this.nlSens = tr.newlineSensitivity;
    this.ctxSens = tr.contextSensitive;
    this.linear = !tr.nonLinear;
    this.jsSource = fast.source;
    const exactSource = tr.newlineSensitivity > 0 ? render(tr, true).source : fast.source;
    try {
      this.re = new RegExp(fast.source, 'g');
      if (tr.newlineSensitivity > 0) this.reExact = new RegExp(exactSource, 'g');
    } catch (e) {
      throw new PatternError(`PCRE2: cannot translate pattern: ${(e as Error).message}`, source);
    }
    // (two unbounded runs at least: a cheap look at the source first keeps loading fast)
    const mayBeAmbiguous = mayHaveAmbiguousRuns(fast.source);
    this.seqUnlikely = !mayBeAmbiguous;
    if (!tr.nonLinear && mayBeAmbiguous) {
      // The exact rendering: what it reads holds for subjects with and without newlines alike.
      const parsed = parseTranslated(exactSource);
      const chain = parsed === null ? null : compileChain(parsed);
      // only where backtracking would retry the splits of `.+`-like runs (quadratic in the line)
      if (chain !== null && chain.ambiguousRuns >= 2) this.chain = chain;
    }
    this.regexUnlessLong = this.chain === null && this.seqUnlikely;
    const sticky = tr.contextSensitive && tr.newlineSensitivity < 2 ? stickySource(fast.source) : null;
    this.reSticky = sticky === null ? null : new RegExp(sticky, 'gy');
    if (opts.literalMatcher !== false) {
      this.literals = LiteralAlternation.compile(source, opts.caseless);
      if (this.literals !== null) this.fp = FP_LITERALS;
    }
  }

  /**
   * For a pattern whose only tie to the text before `start` is a leading `^` on every alternative:
   * the fast translation without those anchors, sticky, so that a start > 0 needs no slice of
   * the subject (one allocation per call on decoders' `offset=` regexes); else null.
   */
  private readonly reSticky: RegExp | null = null;

  /** Below LONG_SUBJECT neither the chain nor the sequence matcher answers: the RegExp does at once. */
  private readonly regexUnlessLong: boolean = false;

  private reLinear?: RegExp | null;

  /**
   * After the backtracking engine threw (out of stack on a multi-megabyte line), the same
   * translation on V8's linear-time engine, when the pattern allows it; else null.
   */
  private linearTwin(re: RegExp): RegExp | null {
    if (re !== this.re || !this.linear || !linearRegexpFallbackEnabled()) return null;
    if (this.reLinear === undefined) {
      try {
        // eslint-disable-next-line no-invalid-regexp -- 'l' is V8's linear-engine flag (enabled at start-up)
        this.reLinear = new RegExp(this.jsSource as string, 'gl');
      } catch {
        this.reLinear = null;
      }
    }
    return this.reLinear;
  }

  /** The translation to use: the exact one only where a newline makes the two differ. */
  private pick(subject: string, start: number): RegExp {
    const exact = this.nlSens === 2 ? hasNewlineFrom(subject, start) : this.nlSens === 1 && subject.charCodeAt(subject.length - 1) === 10;
    return (exact ? this.reExact : this.re) as RegExp;
  }

  private run(subject: string, start: number): RegExpExecArray | null {
    const re = this.pick(subject, start);
    try {
      if (start > 0 && this.ctxSens) {
        const sticky = this.reSticky;
        if (sticky !== null && re === this.re) {
          sticky.lastIndex = start;
          return sticky.exec(subject);
        }
        // anchors / lookbehind / \b must see `start` as the beginning of the subject (V8 slices in O(1))
        re.lastIndex = 0;
        const m = re.exec(subject.slice(start));
        if (m) m.index += start;
        return m;
      }
      re.lastIndex = start;
      return re.exec(subject);
    } catch {
      const lin = this.linearTwin(re);
      if (lin !== null) {
        try {
          lin.lastIndex = 0;
          const m = lin.exec(start > 0 ? subject.slice(start) : subject);
          if (m) m.index += start;
          return m;
        } catch { /* counted below */ }
      }
      regexpFailures++;
      return null;
    }
  }

  /** Yes or no, without building a match array (most rule conditions). */
  test(subject: string, start = 0): boolean {
    if (this.fp === FP_LITERALS) return (this.literals as LiteralAlternation).test(subject, start);
    return this.matchEnd(subject, start) >= 0;
  }

  private fastEnd(s: string, start: number): number {
    if (this.fp === FP_LITERALS) return (this.literals as LiteralAlternation).matchEnd(s, start);
    const lit = this.litAt as LiteralAt;
    const n = lit.length;
    const rest = s.length - start;
    switch (this.fp) {
      case FP_EQUAL:
        return rest === n && lit.at(s, start) ? s.length : -1;
      case FP_PREFIX:
        return rest >= n && lit.at(s, start) ? start + n : -1;
      default:
        return rest >= n && lit.at(s, s.length - n) ? s.length : -1;
    }
  }

  matchEnd(subject: string, start = 0): number {
    if (this.fp !== 0) return this.fastEnd(subject, start);
    if (!this.regexUnlessLong || subject.length - start >= LONG_SUBJECT) {
      const chain = this.chain;
      if (chain !== null && subject.length - start < LONG_SUBJECT) {
        // few splits to try: the RegExp is the fastest
        if (chain.worthIt(subject, start)) return chain.exec(subject, start);
      } else {
        const seq = this.sequenceFor(subject, start);
        if (seq !== null) return seq.exec(subject, start);
      }
    }
    // a global RegExp leaves lastIndex at the end of its match
    const re = this.nlSens === 0 ? (this.re as RegExp) : this.pick(subject, start);
    try {
      if (start > 0 && this.ctxSens) {
        const sticky = this.reSticky;
        if (sticky !== null && re === this.re) {
          sticky.lastIndex = start;
          return sticky.test(subject) ? sticky.lastIndex : -1;
        }
        re.lastIndex = 0;
        return re.test(subject.slice(start)) ? start + re.lastIndex : -1;
      }
      re.lastIndex = start;
      return re.test(subject) ? re.lastIndex : -1;
    } catch {
      // a stack overflow on a multi-megabyte line: run() retries on the linear engine (never a crash)
      const m = this.run(subject, start);
      return m === null ? -1 : m.index + m[0].length;
    }
  }

  exec(subject: string, start = 0): MatchResult | null {
    const out: CaptureBuffer = { values: [], count: 0 };
    const end = this.execInto(subject, start, out);
    return end < 0 ? null : { captures: out.values, end };
  }

  /**
   * The match's captures written into `out` (packed as exec packs them), without a result
   * object or array; returns the match end, or -1 (`out` then unspecified).
   */
  execInto(subject: string, start: number, out: CaptureBuffer): number {
    if (this.fp !== 0) {
      out.count = 0;
      return this.fastEnd(subject, start);
    }
    if (!this.regexUnlessLong || subject.length - start >= LONG_SUBJECT) {
      const chain = this.chain;
      if (chain !== null && subject.length - start < LONG_SUBJECT) {
        if (chain.worthIt(subject, start)) {
          const e = chain.exec(subject, start);
          if (e >= 0) this.packOffsets(chain.caps, 0, subject, out);
          return e;
        }
      } else {
        const seq = this.sequenceFor(subject, start);
        if (seq !== null) {
          const e = seq.exec(subject, start);
          if (e >= 0) this.packOffsets(seq.caps, 2, subject, out);
          return e;
        }
      }
    }
    const m = this.run(subject, start);
    if (m === null) return -1;
    const idx = this.jsIndex;
    const values = out.values;
    let n = 0;
    if (this.keepUnset) {
      let last = idx.length - 1;
      while (last >= 0 && m[idx[last]] === undefined) last--;
      for (let j = 0; j <= last; j++) values[n++] = m[idx[j]] ?? '';
    } else {
      for (let j = 0; j < idx.length; j++) {
        const v = m[idx[j]];
        if (v !== undefined) values[n++] = v;
      }
    }
    out.count = n;
    return m.index + m[0].length;
  }

  /**
   * Captures from a matcher's offsets (`caps[2g + shift - 2]`, `caps[2g + shift - 1]` for
   * JavaScript group g; -1: unset), packed as exec packs them.
   */
  private packOffsets(caps: Int32Array, shift: number, subject: string, out: CaptureBuffer): void {
    const idx = this.jsIndex;
    const values = out.values;
    let n = 0;
    if (this.keepUnset) {
      let last = idx.length - 1;
      while (last >= 0 && caps[2 * idx[last] + shift - 2] < 0) last--;
      for (let k = 0; k <= last; k++) {
        const o = caps[2 * idx[k] + shift - 2];
        values[n++] = o >= 0 ? subject.slice(o, caps[2 * idx[k] + shift - 1]) : '';
      }
    } else {
      for (let k = 0; k < idx.length; k++) {
        const o = caps[2 * idx[k] + shift - 2];
        if (o >= 0) values[n++] = subject.slice(o, caps[2 * idx[k] + shift - 1]);
      }
    }
    out.count = n;
  }

  /** The sequence matcher when it should answer for this subject, else null (the RegExp does). */
  private sequenceFor(subject: string, start: number): SequenceMatcher | null {
    const long = subject.length - start >= LONG_SUBJECT;
    let seq = this.seq;
    if (seq === undefined) {
      // Built on the first long line, or at once for shapes that may need it on every line.
      if (this.seqUnlikely && !long) return null;
      seq = this.seq = compileSequence(this.jsSource as string);
      // V8 is faster on ordinary lines; ours wins where backtracking would retry every split.
      this.seqAlways = seq !== null && !this.seqUnlikely && hasAmbiguousRuns(seq);
    }
    if (seq === null || (!this.seqAlways && !long)) return null;
    const re = this.pick(subject, start);
    if (re === this.re) return seq;
    if (this.seqExact === undefined) this.seqExact = compileSequence(re.source);
    return this.seqExact;
  }
}

export function compilePcre2(source: string, opts: Pcre2Options = { caseless: false }): Pcre2Pattern {
  return new Pcre2Pattern(source, opts);
}
