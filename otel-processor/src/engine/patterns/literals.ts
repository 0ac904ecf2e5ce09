/**
 * PCRE2 patterns that are alternations of plain literals, each optionally anchored by `^` and/or
 * `$` (`^4|^5|^6`, `^5-|^6-`, `-4-`, `INFORMATION\(1\)`), answered with string compares and
 * indexOf instead of a RegExp call (some 20-25 ns however simple the pattern). The answers are
 * PCRE2's for the same pattern: the leftmost match, the first alternative in order among those
 * matching there; `^` at `start` (Pcre2Pattern reads the subject from `start` on), `$` at the end
 * or before a final newline; caseless compares fold ASCII letters only (default tables).
 *
 * Only where it pays on this V8 (a charCodeAt step costs 1.5-3 ns, String.startsWith as much a
 * character, and rules mostly test lines that hold their literal): `^`/`$` alternatives of a few
 * characters with distinct first characters; unanchored ones searched with indexOf, a case-exact
 * one as it is, a caseless one only by a run of it without letters that lines seldom hold (`(1)`,
 * `01630` of `AH01630`), the rest compared where it is found. Anything else keeps the RegExp.
 */

/** A literal character of the body: anything but PCRE2's metacharacters and `{ } ]` (kept simple). */
const PLAIN = /[^\\^$.|?*+()[\]{}]/;
/** Unanchored alternatives searched one by one: past this many, one RegExp scan is cheaper. */
const MAX_SEARCHED = 3;
/**
 * Longest text of a `^` or `$` alternative: comparing more in JavaScript (1.5-3 ns a character
 * here, rules mostly test lines that hold their literal) costs more than the RegExp call.
 */
const MAX_ANCHORED = 4;

interface Alternative {
  lit: LiteralAt;
  text: string;
  /** What indexOf looks for (unanchored only): the text, or a run of it without letters. */
  needle: string;
  /** Where `needle` is in the text. */
  needleAt: number;
  /** The text before and after `needle`, compared where the needle is found. */
  before: LiteralAt;
  after: LiteralAt;
  /** `^`: only at `start`. */
  atStart: boolean;
  /** `$`: only at the end (or before a final newline). */
  atEnd: boolean;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The longest run of `text` without ASCII letters if lines seldom hold it (two characters or
 * more with a digit, as `(1)` or `01630`; punctuation runs such as `): ` are common), with its
 * index; else null.
 */
function seldomRun(text: string): [string, number] | null {
  let best: [string, number] | null = null;
  for (const m of text.matchAll(/[^A-Za-z]+/g)) if (best === null || m[0].length > best[0].length) best = [m[0], m.index as number];
  return best !== null && best[0].length >= 2 && /[0-9]/.test(best[0]) ? best : null;
}

/**
 * The alternatives of `source` when it is such an alternation, or null. `caseless`: the
 * pattern's PCRE2_CASELESS (letters then compare caselessly).
 */
function parseAlternatives(source: string, caseless: boolean): Alternative[] | null {
  const out: Alternative[] = [];
  let searched = 0;
  let i = 0;
  const n = source.length;
  for (;;) {
    let atStart = false;
    let atEnd = false;
    let text = '';
    if (source[i] === '^') {
      atStart = true;
      i++;
    }
    while (i < n && source[i] !== '|') {
      const c = source[i];
      if (c === '$') {
        // only as the alternative's last item
        if (i + 1 < n && source[i + 1] !== '|') return null;
        atEnd = true;
        i++;
        break;
      }
      if (c === '\\') {
        const e = source[i + 1];
        // a backslash before a non-alphanumeric ASCII character is that character
        if (e === undefined || !/[!-/:-@[-`{-~ ]/.test(e)) return null;
        text += e;
        i += 2;
        continue;
      }
      if (!PLAIN.test(c) || c.charCodeAt(0) < 32 || c.charCodeAt(0) > 126) return null;
      text += c;
      i++;
    }
    if (text.length === 0) return null;
    let hasLetter = false;
    for (let k = 0; k < text.length; k++) if (isLetter(text.charCodeAt(k))) hasLetter = true;
    const ci = caseless && hasLetter;
    let needle = text;
    let needleAt = 0;
    if (!atStart && !atEnd) {
      if (++searched > MAX_SEARCHED) return null;
      if (ci) {
        const run = seldomRun(text);
        if (run === null) return null;
        [needle, needleAt] = run;
      }
    } else if (text.length > MAX_ANCHORED) return null;
    const before = new LiteralAt(text.slice(0, needleAt), ci);
    const after = new LiteralAt(text.slice(needleAt + needle.length), ci);
    out.push({ lit: new LiteralAt(text, ci), text, needle, needleAt, before, after, atStart, atEnd });
    if (i >= n) return out;
    i++; // '|'
  }
}

/**
 * Up to this length a literal is compared by a loop of charCodeAt (some 1.5-3 ns a step); a longer
 * one, once its first characters agree, by a sticky RegExp of it (~15 ns however long; on this V8
 * String.startsWith also steps in a loop).
 */
const LOOP_COMPARE = 8;
/** Characters a long literal's loop checks before its RegExp runs (most candidates differ early). */
const LOOP_PREFIX = 2;

/** A literal compared at a given index, ASCII letters folded when caseless. */
export class LiteralAt {
  /** the characters, A-Z lower-cased when caseless */
  readonly codes: Int32Array;
  private readonly sticky: RegExp | null;

  constructor(readonly text: string, readonly caseless: boolean) {
    this.codes = Int32Array.from(text, (ch) => {
      const c = ch.charCodeAt(0);
      return caseless && c >= 65 && c <= 90 ? c + 32 : c;
    });
    let src = '';
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const lower = c | 32;
      if (caseless && lower >= 97 && lower <= 122) src += '[' + String.fromCharCode(lower - 32, lower) + ']';
      else src += c < 256 ? '\\x' + c.toString(16).padStart(2, '0') : '\\u' + c.toString(16).padStart(4, '0');
    }
    this.sticky = text.length > LOOP_COMPARE ? new RegExp(src, 'y') : null;
  }

  get length(): number {
    return this.codes.length;
  }

  /** Whether the literal is at `at` in `s` (which has room for it). */
  at(s: string, at: number): boolean {
    const codes = this.codes;
    const sticky = this.sticky;
    const loop = sticky === null ? codes.length : LOOP_PREFIX;
    for (let i = 0; i < loop; i++) {
      let c = s.charCodeAt(at + i);
      if (this.caseless && c >= 65 && c <= 90) c += 32;
      if (c !== codes[i]) return false;
    }
    if (sticky === null) return true;
    sticky.lastIndex = at;
    return sticky.test(s);
  }
}

export class LiteralAlternation {
  /** Every alternative starts with `^` (then one look at the first character settles most lines). */
  private readonly allAtStart: boolean;
  /** Per alternative: its first character (A-Z lower-cased when the pattern is caseless). */
  private readonly firsts: Int32Array;

  private constructor(
    private readonly alts: Alternative[],
    private readonly caseless: boolean,
  ) {
    this.allAtStart = alts.every((a) => a.atStart);
    this.firsts = Int32Array.from(alts, (a) => a.lit.codes[0]);
  }

  /** The matcher for `source`, or null when it is not a plain-literal alternation this can answer. */
  static compile(source: string, caseless: boolean): LiteralAlternation | null {
    const alts = parseAlternatives(source, caseless);
    if (alts === null) return null;
    // `^` alternatives sharing a first character would each be compared further: V8's RegExp
    // does that faster than a loop of charCodeAt
    const firsts = alts.filter((a) => a.atStart).map((a) => a.lit.codes[0]);
    if (new Set(firsts).size !== firsts.length) return null;
    return new LiteralAlternation(alts, caseless);
  }

  /** Where alternative `a` matches first from `start` (its match starts there), or -1. */
  private static position(a: Alternative, s: string, start: number): number {
    const len = s.length;
    const n = a.text.length;
    if (a.atStart) return LiteralAlternation.fitsAtStart(a, s, start) && a.lit.at(s, start) ? start : -1;
    if (a.atEnd) {
      // the text holds no newline: before a final one if there is one, else at the very end
      const at = s.charCodeAt(len - 1) === 10 ? len - 1 - n : len - n;
      return at >= start && a.lit.at(s, at) ? at : -1;
    }
    if (a.needle === a.text) return s.indexOf(a.text, start);
    // each place of the letterless run, compared as a whole (the first that holds is the leftmost)
    const n0 = a.text.length;
    for (let from = start + a.needleAt; ; ) {
      const i = s.indexOf(a.needle, from);
      if (i < 0) return -1;
      const p = i - a.needleAt;
      if (p + n0 > len) return -1;
      if (a.before.at(s, p) && a.after.at(s, i + a.needle.length)) return p;
      from = i + 1;
    }
  }

  /** Whether the rest of the subject from `start` has room for `^`-anchored `a` (and ends with it for `$`). */
  private static fitsAtStart(a: Alternative, s: string, start: number): boolean {
    const rest = s.length - start;
    const n = a.lit.length;
    if (!a.atEnd) return rest >= n;
    return rest === n || (rest === n + 1 && s.charCodeAt(s.length - 1) === 10);
  }

  /**
   * The alternative matching at `start` when all are `^`-anchored: the first in order whose first
   * character is the subject's (compared before any call), or -1.
   */
  private anchoredAt(s: string, start: number): number {
    if (start >= s.length) return -1;
    let c = s.charCodeAt(start);
    if (this.caseless && c >= 65 && c <= 90) c += 32;
    const firsts = this.firsts;
    for (let i = 0; i < firsts.length; i++) {
      if (firsts[i] !== c) continue;
      const a = this.alts[i];
      if (LiteralAlternation.fitsAtStart(a, s, start) && a.lit.at(s, start)) return i;
    }
    return -1;
  }

  /** The end of the leftmost match from `start` (first alternative first on a tie), or -1. */
  matchEnd(s: string, start: number): number {
    if (this.allAtStart) {
      const i = this.anchoredAt(s, start);
      return i < 0 ? -1 : start + this.alts[i].text.length;
    }
    const alts = this.alts;
    let best = -1;
    let end = -1;
    for (let i = 0; i < alts.length; i++) {
      const a = alts[i];
      const p = LiteralAlternation.position(a, s, start);
      if (p >= 0 && (best < 0 || p < best)) {
        best = p;
        end = p + a.text.length;
        if (p === start) break; // none can start earlier, and later alternatives lose the tie
      }
    }
    return end;
  }

  /** Whether any alternative matches from `start`. */
  test(s: string, start: number): boolean {
    if (this.allAtStart) return this.anchoredAt(s, start) >= 0;
    const alts = this.alts;
    for (let i = 0; i < alts.length; i++) if (LiteralAlternation.position(alts[i], s, start) >= 0) return true;
    return false;
  }
}
