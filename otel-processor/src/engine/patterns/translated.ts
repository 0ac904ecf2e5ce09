/**
 * Reads back the JavaScript RegExp source the PCRE2 translator (pcre2.ts) emits, as a small
 * syntax tree, so that matchers of our own (chain.ts) can run the same pattern. The translator
 * writes a normalised subset (literals as `\xNN`, caseless letters as `[xX]`, classes as ranges);
 * anything else makes the parse fail (null), never guess.
 */

/** A character; `ci`: an ASCII letter in either case (`text` is then the lower-case one). */
export interface Lit {
  text: string;
  ci: boolean;
}

export const INF = 0x7fffffff;

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

  /** One escaped character (not `\0`, which this reader leaves to the RegExp). */
  private escapedChar(): number {
    const r = this.s[this.pos + 1] === '0' ? null : escapedCharAt(this.s, this.pos);
    if (r === null) throw new Unsupported();
    this.pos = r[1];
    return r[0];
  }
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0 };

/**
 * The escape at `pos` of a translated pattern (`\xNN`, `\uNNNN`, `\n`, `\t`, `\0` not followed by a
 * digit, or an escaped punctuation character): its code unit and the position after it; null
 * for any other escape (`\b`, `\1`, `\k`, `\p`, ...).
 */
export function escapedCharAt(s: string, pos: number): [code: number, next: number] | null {
  const e = s[pos + 1];
  let m: RegExpExecArray | null;
  if (e === 'x' && (m = /^[0-9a-fA-F]{2}/.exec(s.slice(pos + 2, pos + 4)))) return [parseInt(m[0], 16), pos + 4];
  if (e === 'u' && (m = /^[0-9a-fA-F]{4}/.exec(s.slice(pos + 2, pos + 6)))) return [parseInt(m[0], 16), pos + 6];
  if (e !== undefined && e in SIMPLE_ESCAPES) {
    if (e === '0' && /[0-9]/.test(s[pos + 2] ?? '')) return null;
    return [SIMPLE_ESCAPES[e], pos + 2];
  }
  if (e === undefined || /[A-Za-z0-9]/.test(e)) return null;
  return [e.charCodeAt(0), pos + 2];
}

/** The set as one literal character: a single code unit, or an ASCII letter in both cases. */
export function charLit(r: Ranges): Lit | null {
  let n = 0;
  for (const [lo, hi] of r) n += hi - lo + 1;
  if (n === 1) {
    const c = r[0][0];
    return { text: String.fromCharCode(c), ci: false };
  }
  if (n === 2) {
    const cs: number[] = [];
    for (const [lo, hi] of r) for (let c = lo; c <= hi; c++) cs.push(c);
    const [a, b] = cs[0] < cs[1] ? [cs[0], cs[1]] : [cs[1], cs[0]];
    if (a >= 65 && a <= 90 && b === a + 32) return { text: String.fromCharCode(b), ci: true };
  }
  return null;
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
