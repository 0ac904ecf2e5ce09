/**
 * OS_Match (§4 of ../shared/notes/osregex.md) and OS_WordMatch.
 *
 * OS_Match: the pattern is split on every `|`; each alternative is a case-insensitive
 * (ASCII) equality (`^abc$`), prefix (`^abc`), suffix (`abc$`) or substring (`abc`)
 * test; an empty alternative (or a bare `^` / `$`) is always true. Nothing else is
 * special. Wazuh: a leading `!` negates the whole pattern.
 */
import { MatchResult, Pattern, PatternError } from './types';
import { OS_PATTERN_MAXSIZE } from './osregex';

const M_ALWAYS = 0;
const M_EQUAL = 1;
const M_PREFIX = 2;
const M_SUFFIX = 3;
const M_SUBSTR = 4;

interface MatchAlt {
  mode: number;
  /** lower-cased (ASCII) literal */
  text: string;
}

function asciiLower(s: string): string {
  // fast path: nothing to do
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 65 && c <= 90 ? c | 32 : c);
  }
  return out;
}

/** ASCII case-insensitive comparison of subject[at .. at+lit.length) with the lower-cased literal. */
function eqAt(subject: string, at: number, lit: string): boolean {
  const n = lit.length;
  for (let i = 0; i < n; i++) {
    const c = subject.charCodeAt(at + i);
    if ((c >= 65 && c <= 90 ? c | 32 : c) !== lit.charCodeAt(i)) return false;
  }
  return true;
}

/** ASCII case-insensitive search of `lit` in subject from `from`; returns the index or -1. */
function findCi(subject: string, from: number, lit: string): number {
  const n = lit.length;
  const last = subject.length - n;
  if (n === 0) return from <= subject.length ? from : -1;
  const f = lit.charCodeAt(0);
  // candidates by the native indexOf: of the first character, and of its upper case for a letter
  const lo = String.fromCharCode(f);
  let a = subject.indexOf(lo, from);
  if (f < 97 || f > 122) {
    while (a >= 0 && a <= last) {
      if (eqAt(subject, a, lit)) return a;
      a = subject.indexOf(lo, a + 1);
    }
    return -1;
  }
  const up = String.fromCharCode(f - 32);
  let b = subject.indexOf(up, from);
  for (;;) {
    const i = b < 0 || (a >= 0 && a < b) ? a : b;
    if (i < 0 || i > last) return -1;
    if (eqAt(subject, i, lit)) return i;
    if (i === a) a = subject.indexOf(lo, i + 1);
    else b = subject.indexOf(up, i + 1);
  }
}

export class OsMatchPattern implements Pattern {
  readonly source: string;
  readonly negate: boolean;
  private readonly alts: MatchAlt[];

  constructor(source: string) {
    if (source.length > OS_PATTERN_MAXSIZE) {
      throw new PatternError(`OS_Match pattern longer than ${OS_PATTERN_MAXSIZE} characters`, source);
    }
    this.source = source;
    let body = source;
    this.negate = false;
    if (body.startsWith('!')) {
      this.negate = true;
      body = body.slice(1);
    }
    this.alts = body.split('|').map((raw): MatchAlt => {
      const p = asciiLower(raw);
      if (p.length === 0) return { mode: M_ALWAYS, text: '' };
      const begin = p.charCodeAt(0) === 0x5e;
      const end = p.length > 0 && p.charCodeAt(p.length - 1) === 0x24;
      if (begin && end && p.length >= 2) return { mode: M_EQUAL, text: p.slice(1, -1) };
      if (end) return { mode: M_SUFFIX, text: p.slice(0, -1) };
      if (begin) return { mode: M_PREFIX, text: p.slice(1) };
      return { mode: M_SUBSTR, text: p };
    });
  }

  /** End index of the first matching alternative, or -1 (ignores negation). */
  private find(subject: string, start: number): number {
    const len = subject.length;
    for (const a of this.alts) {
      const t = a.text;
      switch (a.mode) {
        case M_ALWAYS:
          return start;
        case M_EQUAL:
          if (len - start === t.length && eqAt(subject, start, t)) return len;
          break;
        case M_PREFIX:
          if (len - start >= t.length && eqAt(subject, start, t)) return start + t.length;
          break;
        case M_SUFFIX:
          if (len - start >= t.length && eqAt(subject, len - t.length, t)) return len;
          break;
        default: {
          const i = findCi(subject, start, t);
          if (i >= 0) return i + t.length;
        }
      }
    }
    return -1;
  }

  test(subject: string, start = 0): boolean {
    return (this.find(subject, start) >= 0) !== this.negate;
  }

  exec(subject: string, start = 0): MatchResult | null {
    const e = this.find(subject, start);
    if (this.negate) return e >= 0 ? null : { captures: [], end: start };
    return e >= 0 ? { captures: [], end: e } : null;
  }
}

export function compileOsMatch(source: string): OsMatchPattern {
  return new OsMatchPattern(source);
}

/**
 * OS_WordMatch (used for `<if_group>` tree linking): case-insensitive substring terms
 * joined by `|` (or) and `&` (and), evaluated left to right; a term may start with `^`
 * (prefix; `^x$` = equality) or end with `$` (suffix). Empty pattern or term: true.
 */
export class WordMatchPattern implements Pattern {
  readonly source: string;
  private readonly terms: { op: string; mode: number; text: string }[] = [];

  constructor(source: string) {
    this.source = source;
    let op = '|';
    let cur = '';
    const push = (): void => {
      const p = asciiLower(cur);
      let mode = M_SUBSTR;
      let text = p;
      if (p.length === 0) mode = M_ALWAYS;
      else if (p.charCodeAt(0) === 0x5e) {
        if (p.length >= 2 && p.charCodeAt(p.length - 1) === 0x24) {
          mode = M_EQUAL;
          text = p.slice(1, -1);
        } else {
          mode = M_PREFIX;
          text = p.slice(1);
        }
      } else if (p.charCodeAt(p.length - 1) === 0x24) {
        mode = M_SUFFIX;
        text = p.slice(0, -1);
      }
      this.terms.push({ op, mode, text });
    };
    for (const ch of source) {
      if (ch === '|' || ch === '&') {
        push();
        op = ch;
        cur = '';
      } else {
        cur += ch;
      }
    }
    push();
  }

  private termMatches(t: { mode: number; text: string }, s: string, start: number): boolean {
    const len = s.length;
    switch (t.mode) {
      case M_ALWAYS:
        return true;
      case M_EQUAL:
        return len - start === t.text.length && eqAt(s, start, t.text);
      case M_PREFIX:
        return len - start >= t.text.length && eqAt(s, start, t.text);
      case M_SUFFIX:
        return len - start >= t.text.length && eqAt(s, len - t.text.length, t.text);
      default:
        return start < len && findCi(s, start, t.text) >= 0;
    }
  }

  test(subject: string, start = 0): boolean {
    if (this.source.length === 0) return true;
    // terms[i] is followed by separator terms[i+1].op; the last term decides
    const n = this.terms.length;
    for (let i = 0; i < n - 1; i++) {
      const ok = this.termMatches(this.terms[i], subject, start);
      const sep = this.terms[i + 1].op;
      if (ok && sep === '|') return true;
      if (!ok && sep === '&') return false;
    }
    return this.termMatches(this.terms[n - 1], subject, start);
  }

  exec(subject: string, start = 0): MatchResult | null {
    return this.test(subject, start) ? { captures: [], end: start } : null;
  }
}

export function compileWordMatch(source: string): WordMatchPattern {
  return new WordMatchPattern(source);
}
