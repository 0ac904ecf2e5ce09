/**
 * Which first characters an anchored pattern can match, worked out once at load time, so the
 * decoder can skip roots whose prematch cannot match a line before running any pattern.
 * Conservative: whenever the analysis is unsure it answers "any" (null).
 */
import type { Dialect } from './elements';

export type FirstChars = Uint8Array | null; // 128 entries, 1 = possible; null = any character

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function set(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const OSREGEX_CLASSES: Record<string, Uint8Array> = {
  d: set(DIGITS),
  w: set(DIGITS + UPPER + LOWER + '-@_'),
  s: set(' '),
  t: set('\t'),
  p: set('!"#$%&\'()*+,-.:;<=>?[]{|}'),
};
const PCRE2_CLASSES: Record<string, Uint8Array> = {
  d: set(DIGITS),
  w: set(DIGITS + UPPER + LOWER + '_'),
  s: set(' \t\n\r\f\v'),
  h: set(' \t'),
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
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) { out.push(src.slice(from, i)); from = i + 1; }
  }
  if (depth !== 0 || inClass) return null;
  out.push(src.slice(from));
  return out;
}

function withCase(t: Uint8Array, caseless: boolean): Uint8Array {
  if (!caseless) return t;
  const r = new Uint8Array(t);
  for (let c = 65; c <= 90; c++) if (t[c] || t[c + 32]) { r[c] = 1; r[c + 32] = 1; }
  return r;
}

/** The first atom of one anchored alternative (text after `^`); null = any. */
function firstAtom(alt: string, dialect: 'osregex' | 'pcre2', caseless: boolean): Uint8Array | null {
  if (alt.length === 0) return null;
  let atom: Uint8Array | null;
  let next: number;
  const c = alt[0];
  if (c === '\\') {
    const e = alt[1];
    if (e === undefined) return null;
    const classes = dialect === 'osregex' ? OSREGEX_CLASSES : PCRE2_CLASSES;
    if (classes[e]) atom = classes[e];
    else if (dialect === 'pcre2' && /[A-Za-z0-9]/.test(e)) return null; // \S \D \x... : too wide or unknown
    else if (dialect === 'osregex' && !'$()\\|<'.includes(e)) return null; // \. \S \W \D: any
    else atom = set(e);
    next = 2;
  } else if (dialect === 'pcre2' && c === '[') {
    const end = alt.indexOf(']', 2);
    if (end < 0 || alt[1] === '^') return null;
    const body = alt.slice(1, end);
    const t = new Uint8Array(128);
    for (let i = 0; i < body.length; i++) {
      let ch = body[i];
      if (ch === '\\') {
        const e = body[++i];
        if (e !== undefined && PCRE2_CLASSES[e]) { PCRE2_CLASSES[e].forEach((v, k) => { if (v) t[k] = 1; }); continue; }
        if (e === undefined || /[A-Za-z0-9]/.test(e)) return null;
        ch = e;
      }
      if (body[i + 1] === '-' && i + 2 < body.length && body[i + 2] !== '\\') {
        const a = ch.charCodeAt(0);
        const b = body.charCodeAt(i + 2);
        if (a > b || b >= 128) return null;
        for (let k = a; k <= b; k++) t[k] = 1;
        i += 2;
        continue;
      }
      const code = ch.charCodeAt(0);
      if (code >= 128) return null;
      t[code] = 1;
    }
    atom = t;
    next = end + 1;
  } else if (dialect === 'pcre2' && '.()[{?*+^$'.includes(c)) {
    return null;
  } else if (dialect === 'osregex' && c === '(') {
    return null;
  } else {
    const code = c.charCodeAt(0);
    if (code >= 128) return null;
    atom = set(c);
    next = 1;
  }
  const q = alt[next];
  if (q === '*' || q === '?' || (dialect === 'pcre2' && q === '{' && /^\{0[,}]/.test(alt.slice(next)))) return null;
  return withCase(atom, caseless || dialect === 'osregex');
}

/** First characters `source` can match at the start of a subject, or null (any). */
export function firstChars(dialect: Dialect, source: string, caseless: boolean): FirstChars {
  if (dialect !== 'osregex' && dialect !== 'pcre2') return null;
  let src = source;
  if (dialect === 'pcre2') {
    const flags = /^\(\?([a-zA-Z]+)\)/.exec(src);
    if (flags) {
      if (!/^[imsxn]+$/.test(flags[1]) || flags[1].includes('x')) return null;
      if (flags[1].includes('i')) caseless = true;
      src = src.slice(flags[0].length);
    }
  }
  const alts = alternatives(src);
  if (!alts) return null;
  const union = new Uint8Array(128);
  for (const a of alts) {
    if (!a.startsWith('^')) return null;
    const t = firstAtom(a.slice(1), dialect, caseless);
    if (!t) return null;
    for (let i = 0; i < 128; i++) if (t[i]) union[i] = 1;
  }
  return union;
}
