/**
 * Which of many literals a line contains. A rule whose log pattern can only match where one of a
 * few literals occurs (worked out from the pattern's own text) cannot match a line holding none
 * of them: the rule walk skips it without running it (e.g. sshd's forty sibling rules, each
 * looking for its own message). A few literals are searched one by one; many at once by one
 * pass of an automaton over the line.
 *
 * Literals (of three characters or more) are searched in the line with ASCII A-Z folded to a-z: a caseless letter is kept
 * lower-cased, an exact lower-case letter or any other character as it is (folding cannot hide
 * it); an exact upper-case letter cannot be searched that way and ends the literal.
 */
import { Pcre2Pattern, type Pattern } from '../patterns';
import { charLit, parseTranslated, type Node } from '../patterns/translated';

/** At most this many literals for one pattern (alternations beyond it: no filter). */
const MAX_SET = 16;
/** Shorter literals are no filter (nearly every line has them). */
const MIN_LITERAL = 3;

/**
 * Literals (for the folded line) one of which the log holds whenever all of `patterns` match,
 * or null when none are known. Patterns anchored at the start are left out: testing them is
 * already cheap (they fail at the first characters), searching the line for them would not pay;
 * anchoredLiteralsOf gives theirs, for lines scanned anyway.
 */
export function requiredLiteralsOf(patterns: readonly Pattern[]): readonly string[] | null {
  return firstLiterals(patterns, false);
}

/** The same for the first pattern anchored at the start (in every alternative) that has literals. */
export function anchoredLiteralsOf(patterns: readonly Pattern[]): readonly string[] | null {
  return firstLiterals(patterns, true);
}

/**
 * The pattern requiredLiteralsOf takes its literals from, when that pattern matches exactly the
 * logs holding one of them: an alternation of plain literals, unanchored, every letter caseless
 * (as the literals are searched: a log holding `fail login: ` folded holds `FAIL LOGIN: ` in any
 * case). A check of it then passes, untested, on a line known to hold one. Null otherwise.
 */
export function literalPatternOf(patterns: readonly Pattern[]): Pattern | null {
  for (const p of patterns) {
    if (!(p instanceof Pcre2Pattern)) continue;
    const lits = pcre2Literals(p, false);
    if (lits === null) continue;
    return isAlternationOf(p, lits) ? p : null;
  }
  return null;
}

/** Whether `p` matches exactly where one of `lits` (folded) is: its alternatives are those texts, nothing else. */
function isAlternationOf(p: Pcre2Pattern, lits: readonly string[]): boolean {
  if (p.mode !== 'regex' || p.jsSource === undefined) return false;
  const alts = parseTranslated(p.jsSource);
  if (alts === null) return false;
  const texts = new Set<string>();
  for (const seq of alts) {
    let text = '';
    for (const n of seq) {
      if (n.k !== 'set' || n.min !== n.max || n.min < 1 || n.min > 64) return false;
      const lit = charLit(n.ranges);
      // an exact letter: the folded search would also find it in the other case
      if (lit === null || (!lit.ci && /[A-Za-z]/.test(lit.text))) return false;
      text += lit.text.repeat(n.min);
    }
    if (text.length < MIN_LITERAL) return false;
    texts.add(text);
  }
  return texts.size === new Set(lits).size && lits.every((t) => texts.has(t));
}

function firstLiterals(patterns: readonly Pattern[], anchored: boolean): string[] | null {
  for (const p of patterns) {
    if (!(p instanceof Pcre2Pattern)) continue;
    const lits = pcre2Literals(p, anchored);
    if (lits !== null) return lits;
  }
  return null;
}

const PLAIN = /^\^?([a-zA-Z0-9 !"#%&',/:;<=>@_`~-]+)\$?$/;

function pcre2Literals(p: Pcre2Pattern, anchored: boolean): string[] | null {
  if (p.mode !== 'regex') {
    // a plain string, compared as it is (or ASCII-caseless); a suffix can be anywhere, a prefix
    // or a whole line is anchored
    if ((p.mode !== 'suffix') !== anchored) return null;
    const m = PLAIN.exec(p.source);
    if (m === null) return null;
    if (p.caseless) return m[1].length >= MIN_LITERAL ? [m[1].toLowerCase()] : null;
    // exact capitals cannot be searched folded: the longest run without one
    const runs = m[1].split(/[A-Z]+/).sort((a, b) => b.length - a.length);
    return runs[0].length >= MIN_LITERAL ? [runs[0]] : null;
  }
  if (p.jsSource === undefined) return null;
  const alts = parseTranslated(p.jsSource);
  if (alts === null || alts.every((seq) => seq[0]?.k === 'bol') !== anchored) return null;
  return requiredAlts(alts);
}

function requiredAlts(alts: Node[][]): string[] | null {
  const out = new Set<string>();
  for (const seq of alts) {
    const r = requiredSeq(seq);
    if (r === null) return null;
    for (const t of r) out.add(t);
    if (out.size > MAX_SET) return null;
  }
  return [...out];
}

/** The best literal set of a sequence: runs of literal characters and groups every match goes through. */
function requiredSeq(seq: Node[]): string[] | null {
  let best: string[] | null = null;
  const offer = (set: string[] | null) => {
    if (set === null || set.length === 0 || set.some((t) => t.length < MIN_LITERAL)) return;
    const score = Math.min(...set.map((t) => t.length));
    if (best === null || score > Math.min(...best.map((t) => t.length))) best = set;
  };
  let run = '';
  const end = () => {
    if (run.length > 0) offer([run]);
    run = '';
  };
  for (const n of seq) {
    if (n.k === 'bol' || n.k === 'zero') continue; // zero-width: the characters around stay adjacent
    if (n.k === 'set') {
      const lit = charLit(n.ranges);
      if (lit === null || n.min === 0 || (!lit.ci && /[A-Z]/.test(lit.text))) {
        end();
        continue;
      }
      run += lit.text.repeat(Math.min(n.min, 64));
      if (n.max !== n.min) end();
      continue;
    }
    end();
    if (n.k === 'group' && n.min > 0) offer(requiredAlts(n.alts));
  }
  end();
  return best;
}

/**
 * A text the log must start with: `fold` has bit i set where character i is a caseless ASCII
 * letter (kept lower-cased in `text`, either case matches), else character i must be as it is.
 */
export interface Prefix {
  readonly text: string;
  readonly fold: number;
}

/** Longest prefix kept (bits of Prefix.fold). */
const MAX_PREFIX = 31;

/**
 * Texts one of which the log starts with whenever all of `patterns` match, or null when none are
 * known: the literal characters that open every alternative of a pattern anchored at the start.
 * Testing a few characters beats calling the pattern on the many lines that differ there (e.g.
 * the syslog root's `^Installed|^Updated|^Erased` on every syslog line). Only patterns that
 * cannot set the `m` flag (no `(?` nor `(*` in their text), whose `^` is the start of the log.
 */
export function anchoredPrefixesOf(patterns: readonly Pattern[]): readonly Prefix[] | null {
  return prefixedPatternOf(patterns)?.prefixes ?? null;
}

/** The pattern anchoredPrefixesOf takes its prefixes from, with them; null when none. */
export function prefixedPatternOf(patterns: readonly Pattern[]): { pattern: Pattern; prefixes: readonly Prefix[] } | null {
  for (const p of patterns) {
    if (!(p instanceof Pcre2Pattern)) continue;
    const got = pcre2Prefixes(p);
    if (got !== null) return { pattern: p, prefixes: got };
  }
  return null;
}

function pcre2Prefixes(p: Pcre2Pattern): Prefix[] | null {
  if (p.mode === 'equal' || p.mode === 'prefix') {
    // `^literal` or `^literal$`, compared as it is or with A-Z folded (Pcre2Pattern's fast path)
    const lit = p.source.slice(1, p.mode === 'equal' ? -1 : undefined);
    let text = '';
    let fold = 0;
    for (let i = 0; i < lit.length && i < MAX_PREFIX; i++) {
      const c = lit.charCodeAt(i);
      if (p.caseless && (c | 32) >= 97 && (c | 32) <= 122) {
        text += String.fromCharCode(c | 32);
        fold |= 1 << i;
      } else text += lit[i];
    }
    return text.length > 0 ? [{ text, fold }] : null;
  }
  if (p.mode !== 'regex' || p.jsSource === undefined) return null;
  if (p.source.includes('(?') || p.source.includes('(*')) return null;
  const alts = parseTranslated(p.jsSource);
  if (alts === null) return null;
  const out: Prefix[] = [];
  for (const seq of alts) {
    if (seq[0]?.k !== 'bol') return null;
    const got = seqPrefixes(seq, 1);
    if (got === null) return null;
    out.push(...got);
    if (out.length > MAX_SET) return null;
  }
  return out;
}

/** The prefixes of `seq` from node `from` on: literal characters, or one group of alternatives opening with them. */
function seqPrefixes(seq: Node[], from: number): Prefix[] | null {
  let text = '';
  let fold = 0;
  for (let i = from; i < seq.length && text.length < MAX_PREFIX; i++) {
    const n = seq[i];
    if (n.k === 'group' && text.length === 0 && n.min > 0) {
      const out: Prefix[] = [];
      for (const alt of n.alts) {
        const got = seqPrefixes(alt, 0);
        if (got === null) return null;
        out.push(...got);
      }
      return out.length > 0 && out.length <= MAX_SET ? out : null;
    }
    if (n.k !== 'set' || n.min === 0) break;
    const lit = charLit(n.ranges);
    if (lit === null) break;
    for (let r = 0; r < n.min && text.length < MAX_PREFIX; r++) {
      if (lit.ci) fold |= 1 << text.length;
      text += lit.text;
    }
    if (n.max !== n.min) break;
  }
  return text.length > 0 ? [{ text, fold }] : null;
}

/**
 * The texts an anchored PCRE2 pattern matches, when that is all it does: a log matches it exactly
 * when it starts with one of them, and the first of them (in order) that it starts with is the
 * match (PCRE2 tries alternatives in order). Alternatives of literal characters only (caseless
 * letters folded), MAX_PREFIX characters at most each; else null.
 */
export function exactPrefixesOf(p: Pattern): Prefix[] | null {
  if (!(p instanceof Pcre2Pattern)) return null;
  if (p.mode === 'prefix') {
    const lit = p.source.slice(1);
    return lit.length === 0 || lit.length > MAX_PREFIX || lit.includes('\n') ? null : pcre2Prefixes(p);
  }
  if (p.mode !== 'regex' || p.jsSource === undefined || p.source.includes('(?') || p.source.includes('(*')) return null;
  const alts = parseTranslated(p.jsSource);
  if (alts === null || alts.length > MAX_SET) return null;
  const out: Prefix[] = [];
  for (const seq of alts) {
    if (seq.length < 2 || seq[0].k !== 'bol') return null;
    let text = '';
    let fold = 0;
    for (let i = 1; i < seq.length; i++) {
      const n = seq[i];
      if (n.k !== 'set' || n.min !== n.max || n.min + text.length > MAX_PREFIX) return null;
      const lit = charLit(n.ranges);
      if (lit === null) return null;
      for (let r = 0; r < n.min; r++) {
        if (lit.ci) fold |= 1 << text.length;
        text += lit.text;
      }
    }
    if (text.length === 0) return null;
    out.push({ text, fold });
  }
  return out;
}

/** Where the first of `prefixes` that `log` holds at `from` ends, or -1 when none is there. */
export function prefixEnd(log: string, from: number, prefixes: readonly Prefix[]): number {
  for (let k = 0; k < prefixes.length; k++) {
    const { text, fold } = prefixes[k];
    if (log.length - from < text.length) continue;
    let i = 0;
    for (; i < text.length; i++) {
      const c = log.charCodeAt(from + i);
      if ((fold >>> i) & 1 ? (c | 32) !== text.charCodeAt(i) : c !== text.charCodeAt(i)) break;
    }
    if (i === text.length) return from + text.length;
  }
  return -1;
}

/**
 * Prefixes with the first characters they can open with: ASCII ones as a 128-bit mask, so that a
 * log opening with none of them (most logs, for most prefixed rules) is answered by one bit test,
 * without a call or a compare loop per prefix.
 */
export class PrefixSet {
  /** Bits of the ASCII first characters 0-31, 32-63, 64-95, 96-127. */
  private readonly m0: number;
  private readonly m1: number;
  private readonly m2: number;
  private readonly m3: number;
  /** The same of the second characters (prefixes opening alike, `[error] ` and `[warn] `, part there). */
  private readonly n0: number;
  private readonly n1: number;
  private readonly n2: number;
  private readonly n3: number;
  /** Whether a prefix can open with a character past ASCII (then the compare decides). */
  private readonly other: boolean;
  /** Whether a prefix can have a second character past ASCII, or has none (then the second is not tested). */
  private readonly otherSecond: boolean;
  private readonly oneLong: boolean;

  constructor(readonly list: readonly Prefix[]) {
    const m = [0, 0, 0, 0, 0, 0, 0, 0];
    let other = false;
    let otherSecond = false;
    let oneLong = false;
    for (const { text, fold } of list) {
      if (text.length < 2) oneLong = true;
      for (let i = 0; i < 2 && i < text.length; i++) {
        const t = text.charCodeAt(i);
        // a folded character c matches when (c | 32) === t: t itself and t without bit 5
        const chars = (fold >>> i) & 1 ? ((t & 32) !== 0 ? [t, t & ~32] : []) : [t];
        for (const c of chars) {
          if (c < 128) m[4 * i + (c >> 5)] |= 1 << (c & 31);
          else if (i === 0) other = true;
          else otherSecond = true;
        }
      }
    }
    [this.m0, this.m1, this.m2, this.m3, this.n0, this.n1, this.n2, this.n3] = m;
    this.other = other;
    this.otherSecond = otherSecond;
    this.oneLong = oneLong;
  }

  /** Whether `log` starts with one of the prefixes. */
  opens(log: string): boolean {
    const c = log.charCodeAt(0); // NaN when empty: no prefix is empty
    if (c < 128) {
      const bits = c < 64 ? (c < 32 ? this.m0 : this.m1) : c < 96 ? this.m2 : this.m3;
      if (((bits >>> (c & 31)) & 1) === 0) return false;
    } else if (!this.other) return false;
    if (!this.oneLong) {
      const d = log.charCodeAt(1); // NaN when shorter than every prefix
      if (d < 128) {
        const bits = d < 64 ? (d < 32 ? this.n0 : this.n1) : d < 96 ? this.n2 : this.n3;
        if (((bits >>> (d & 31)) & 1) === 0) return false;
      } else if (!this.otherSecond) return false;
    }
    return startsWithOne(log, this.list);
  }
}

/** Whether `log` starts with one of `prefixes`. */
export function startsWithOne(log: string, prefixes: readonly Prefix[]): boolean {
  for (let k = 0; k < prefixes.length; k++) {
    const { text, fold } = prefixes[k];
    if (log.length < text.length) continue;
    let i = 0;
    for (; i < text.length; i++) {
      const c = log.charCodeAt(i);
      if ((fold >>> i) & 1 ? (c | 32) !== text.charCodeAt(i) : c !== text.charCodeAt(i)) break;
    }
    if (i === text.length) return true;
  }
  return false;
}

/** States at most in an automaton (two-byte cells); past it the set is searched literal by literal. */
const MAX_STATES = 0xffff;
/** Automaton cells (states at most, one per literal character, x row width) past which a set is searched literal by literal, never scanned (memory bound). */
export const MAX_AUTOMATON_CELLS = 1 << 22;

/**
 * The literals (already folded) as one deterministic automaton (Aho-Corasick): one table step
 * per character of the line finds every literal in it, however many there are and however many
 * share a beginning; nothing is compared twice. Characters are numbered by class: one per
 * character some literal holds (A-Z in the line take the class of a-z), 0 for all others. A row
 * is a power of two wide, so a step is a shift, an or and a load.
 * States where a literal ends are numbered last: one comparison per character tells when to
 * record what was found, as the groups those literals belong to.
 */
class LiteralAutomaton {
  /**
   * Class of every UTF-16 code unit (one load per character, no branch on its width). This and
   * `next` have one element type in every automaton: a scan that has met two would check which
   * at each load (measured 25% slower on sshd lines).
   */
  private readonly classOf: Uint16Array;
  private readonly rowShift: number;
  /**
   * (state << rowShift) | class -> next state. Two bytes a cell: sshd's table (148 literals, 2630
   * states of 64 classes) is 340 KB, not 680 KB as rows of four-byte offsets, fewer cache misses.
   */
  private readonly next: Uint16Array;
  /** States from this one on end one literal or more. */
  private readonly firstFound: number;
  /** Per state from firstFound: the groups one of whose literals ends there. */
  private readonly found: Int32Array[];
  /** The table walk over a line (see lineScanner). */
  private readonly scanLine: LineScanner;
  /** Groups holding the empty literal: in every line. */
  private readonly always: Int32Array;

  /** The automaton of `texts` (literal id -> text) reporting `groupsOf[id]`, or null when over MAX_AUTOMATON_CELLS. */
  static of(texts: readonly string[], groupsOf: readonly number[][]): LiteralAutomaton | null {
    const lowClass = new Uint16Array(256);
    const wideClass = new Map<number, number>();
    let classes = 1;
    const classOf = (c: number): number => {
      if (c < 256) return lowClass[c] === 0 ? (lowClass[c] = classes++) : lowClass[c];
      let k = wideClass.get(c);
      if (k === undefined) wideClass.set(c, (k = classes++));
      return k;
    };
    const usable: number[] = [];
    let chars = 1; // states at most: the start and one per character
    texts.forEach((text, id) => {
      if (/[A-Z]/.test(text)) return; // never in a folded line
      usable.push(id);
      chars += text.length;
      for (let k = 0; k < text.length; k++) classOf(text.charCodeAt(k));
    });
    let rowShift = 0;
    while (1 << rowShift < classes) rowShift++;
    if (chars << rowShift > MAX_AUTOMATON_CELLS || chars > MAX_STATES) return null;
    // the trie in the table itself (0: no edge; the start is no state's child), and per state the literals ending there
    const next = new Int32Array(chars << rowShift);
    const ends: number[][] = [[]];
    for (const id of usable) {
      const text = texts[id];
      let state = 0;
      for (let k = 0; k < text.length; k++) {
        const cell = (state << rowShift) | classOf(text.charCodeAt(k));
        if (next[cell] === 0) {
          next[cell] = ends.length;
          ends.push([]);
        }
        state = next[cell];
      }
      ends[state].push(id);
    }
    for (let c = 65; c <= 90; c++) lowClass[c] = lowClass[c + 32];
    // breadth first, so that a state's fallback (its longest proper suffix that is a state) is
    // complete before its children need it; a missing edge goes where the fallback's edge goes
    const states = ends.length;
    const fallback = new Int32Array(states);
    const order = new Int32Array(states);
    let queued = 1;
    for (let q = 0; q < queued; q++) {
      const s = order[q];
      const row = s << rowShift;
      const fallbackRow = fallback[s] << rowShift;
      for (let c = 1; c < classes; c++) {
        const viaFallback = s === 0 ? 0 : next[fallbackRow | c];
        const to = next[row | c];
        if (to === 0) {
          next[row | c] = viaFallback;
          continue;
        }
        fallback[to] = viaFallback;
        if (ends[viaFallback].length > 0) ends[to].push(...ends[viaFallback]); // literals ending at a suffix end here too
        order[queued++] = to;
      }
    }
    return new LiteralAutomaton(lowClass, wideClass, rowShift, next, ends, groupsOf);
  }

  private constructor(lowClass: Uint16Array, wideClass: Map<number, number>, rowShift: number, next: Int32Array, ends: number[][], groupsOf: readonly number[][]) {
    const classOf = new Uint16Array(0x10000);
    classOf.set(lowClass);
    for (const [c, k] of wideClass) classOf[c] = k;
    this.classOf = classOf;
    this.rowShift = rowShift;
    // renumbered: the start stays 0, then states where nothing ends, then the others
    const groupsAt = (s: number) => {
      const groups = new Set<number>();
      for (const id of ends[s]) for (const g of groupsOf[id]) groups.add(g);
      return Int32Array.from(groups);
    };
    this.always = groupsAt(0);
    const states = ends.length;
    const renamed = new Int32Array(states);
    let n = 1;
    for (let s = 1; s < states; s++) if (ends[s].length === 0) renamed[s] = n++;
    this.firstFound = n;
    this.found = [];
    for (let s = 1; s < states; s++) {
      if (ends[s].length === 0) continue;
      renamed[s] = n++;
      this.found.push(groupsAt(s));
    }
    const width = 1 << rowShift;
    const cells = states << rowShift;
    const table = new Uint16Array(cells);
    for (let s = 0; s < states; s++) {
      const from = s << rowShift;
      const to = renamed[s] << rowShift;
      for (let c = 0; c < width; c++) table[to + c] = renamed[next[from + c]];
    }
    this.next = table;
    this.scanLine = lineScanner(table, this.classOf, rowShift, this.firstFound, this.found);
  }

  /**
   * Stamps `seen[group]` for every group one of whose literals the ASCII-folded `s` contains;
   * each group not stamped before is also appended to `list` from `n` on. Returns the new count.
   */
  scan(s: string, seen: Int32Array, stamp: number, list: Int32Array, n: number): number {
    const always = this.always;
    for (let j = 0; j < always.length; j++) {
      const g = always[j];
      if (seen[g] !== stamp) { seen[g] = stamp; list[n++] = g; }
    }
    return this.scanLine(s, seen, stamp, list, n);
  }

}

type LineScanner = (s: string, seen: Int32Array, stamp: number, list: Int32Array, n: number) => number;

/**
 * LiteralAutomaton's walk of a line, as a closure over its tables: V8 runs it about 30% faster
 * (measured on sshd's lines) than the same loop reading them from the automaton's fields first.
 * The tables are copied to locals before the loop (the loop's stores to `seen` and `list` made
 * V8 reload them from the closure at every character: 13% slower on proftpd lines).
 */
function lineScanner(tableOf: Uint16Array, classTable: Uint16Array, shift: number, foundFrom: number, found: readonly Int32Array[]): LineScanner {
  return (s, seen, stamp, list, n) => {
    const next = tableOf;
    const classOf = classTable;
    const rowShift = shift;
    const firstFound = foundFrom;
    const len = s.length;
    let state = 0;
    for (let i = 0; i < len; i++) {
      state = next[(state << rowShift) | classOf[s.charCodeAt(i)]];
      if (state < firstFound) continue;
      const groups = found[state - firstFound];
      for (let j = 0; j < groups.length; j++) {
        const g = groups[j];
        if (seen[g] !== stamp) { seen[g] = stamp; list[n++] = g; }
      }
    }
    return n;
  };
}

/**
 * Automata shared by the literal sets of one ruleset's plans: plans of different decoders mostly
 * reach the same rules (the syslog root's children) and so register the same literals and groups
 * in the same order; one automaton then serves them all (less memory, and fewer cache misses
 * when lines of several decoders alternate). Each is kept while a set uses it.
 */
export class SharedAutomata {
  private readonly byKey = new Map<string, { automaton: LiteralAutomaton | null; users: number }>();

  /** The automaton of `texts` reporting `groupsOf`, built or shared; `release(key)` when no longer used. */
  take(texts: readonly string[], groupsOf: readonly number[][]): { key: string; automaton: LiteralAutomaton | null } {
    const key = JSON.stringify([texts, groupsOf]);
    let entry = this.byKey.get(key);
    if (entry === undefined) this.byKey.set(key, (entry = { automaton: LiteralAutomaton.of(texts, groupsOf), users: 0 }));
    entry.users++;
    return { key, automaton: entry.automaton };
  }

  release(key: string): void {
    const entry = this.byKey.get(key);
    if (entry !== undefined && --entry.users === 0) this.byKey.delete(key);
  }

  /** Automata kept now. */
  get size(): number {
    return this.byKey.size;
  }
}

/**
 * How one literal is searched in the line without a copy of it: a literal without letters with
 * String.includes; an ASCII one with a caseless RegExp (without the `u` flag, `i` pairs an ASCII
 * letter with its other case only: ECMAScript Canonicalize never maps a non-ASCII character to
 * ASCII), which is exactly the search of the A-Z-folded line; any other one compared folded, in JS.
 */
function searcherOf(text: string): (log: string) => boolean {
  if (/[A-Z]/.test(text)) return () => false; // never in a folded line
  if (!/[a-z]/.test(text)) return (log) => log.includes(text);
  if (/^[\x00-\x7f]*$/.test(text)) {
    const re = new RegExp(text.replace(/[^a-z0-9 ]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`), 'i');
    return (log) => re.test(log);
  }
  return (log) => {
    for (let i = 0; i + text.length <= log.length; i++) if (foldedAt(log, i, text)) return true;
    return false;
  };
}

/** Whether `t` is at `i` in `s` with A-Z folded to a-z. */
function foldedAt(s: string, i: number, t: string): boolean {
  for (let k = 0; k < t.length; k++) {
    let c = s.charCodeAt(i + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== t.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Searches of single literals in one line after which the rest are found by one scan of the line
 * for all literals (measured on sshd's and Apache's lines: a search costs about a quarter of a scan,
 * and a line that needed this many usually needs many more, e.g. sshd's forty siblings).
 */
export const SEARCHES_BEFORE_SCAN = 4;
/** Lines over which the literal checks of a plan's lines are averaged (to choose search or scan). */
const DEMAND_LINES = 16;

/**
 * The literals of one rule plan, given ids as rules join, and the groups of them rules need (a
 * rule needs one literal of its group). Per line, a group is checked only when a child needing
 * it is reached, its literals each searched at most once; past SEARCHES_BEFORE_SCAN searches,
 * one scan of the line finds all groups at once. A plan whose lines check more groups than that
 * on average (its children with literals are reached one after another, as sshd's) scans at
 * once. Both give the same answers: only the cost differs.
 */
export class LiteralSet {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];
  private readonly searchers: ((log: string) => boolean)[] = [];
  /** Per literal: the groups holding it. */
  private readonly groupsOf: number[][] = [];
  private readonly groupIds = new Map<string, number>();
  /** Per group: its literals. */
  private readonly groups: Int32Array[] = [];
  /** Built at the first scan after a group joined; null also when too large (then searched one by one). */
  private automaton: LiteralAutomaton | null = null;
  private built = false;
  /** The key of `automaton` in `shared`, once built. */
  private sharedKey: string | null = null;
  /** Per literal: the line stamp its `found` answers. */
  private checked = new Int32Array(16);
  private found = new Uint8Array(16);
  /** Per group: the line stamp of the scan that found it. */
  private seen = new Int32Array(16);
  /** The groups the scans of the current line found, each once (`foundCount` of them). */
  foundGroups = new Int32Array(16);
  foundCount = 0;
  private stamp = 0;
  private searched = 0;
  private scanned = false;
  /** Group checks (anyIn calls) of the current line, and their running average over lines. */
  private checks = 0;
  private demand = 0;
  private lineLog: string | null = null;
  private lineOwner: object | null = null;
  /** Lines scanned and single literals searched so far (the two ways of answering). */
  scans = 0;
  searches = 0;

  constructor(private readonly shared = new SharedAutomata()) {}

  /** The group of `lits` (one of which a rule needs), registered on first sight. */
  groupOf(lits: readonly string[]): number {
    const ids = [...new Set(lits.map((text) => this.idOf(text)))].sort((a, b) => a - b);
    const key = ids.join(',');
    let group = this.groupIds.get(key);
    if (group === undefined) {
      group = this.groups.length;
      this.groupIds.set(key, group);
      this.groups.push(Int32Array.from(ids));
      for (const id of ids) this.groupsOf[id].push(group);
      if (group >= this.seen.length) {
        this.seen = grown(this.seen, new Int32Array(this.seen.length * 2));
        this.foundGroups = grown(this.foundGroups, new Int32Array(this.seen.length));
      }
      this.automaton = null;
      this.built = false;
      this.scanned = false; // a line scanned before has not looked for this group: search it apart
    }
    return group;
  }

  private idOf(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
      this.searchers.push(searcherOf(text));
      this.groupsOf.push([]);
      if (id >= this.checked.length) {
        this.checked = grown(this.checked, new Int32Array(this.checked.length * 2));
        this.found = grown(this.found, new Uint8Array(this.found.length * 2));
      }
    }
    return id;
  }

  /** Whether `log` (of event `owner`) contains one of the literals of `group` (ASCII A-Z folded). */
  anyIn(group: number, log: string, owner: object): boolean {
    if (this.scanned && this.lineOwner === owner && this.lineLog === log) {
      this.checks++;
      return this.seen[group] === this.stamp;
    }
    return this.search(group, log, owner);
  }

  /**
   * False only when `log` (of event `owner`) has been scanned and holds no literal of `group`: for
   * rules cheap to test directly (anchored patterns), skipped when the line was scanned anyway.
   */
  mayHold(group: number, log: string, owner: object): boolean {
    return !(this.scanned && this.lineOwner === owner && this.lineLog === log) || this.seen[group] === this.stamp;
  }

  /** Groups registered so far (numbered from 0). */
  get groupCount(): number {
    return this.groups.length;
  }

  /**
   * Whether `log` (of event `owner`) is scanned, scanning it now when the plan's lines check
   * enough groups for a scan to pay (as anyIn would at its first check); then `foundGroups`
   * holds the groups it holds. False: its groups are to be checked one by one (anyIn).
   */
  scanFor(log: string, owner: object): boolean {
    if (this.lineOwner !== owner || this.lineLog !== log) this.newLine(log, owner);
    else if (this.scanned) return true;
    return this.demand > SEARCHES_BEFORE_SCAN && this.scan(log);
  }

  /** Counts group checks a walk answered from `foundGroups` (they decide, as anyIn's, when to scan at once). */
  countChecks(n: number): void {
    this.checks += n;
  }

  /** anyIn on a new line or one not scanned yet: the group's literals searched one by one, or the line scanned. */
  private search(group: number, log: string, owner: object): boolean {
    if (this.lineOwner !== owner || this.lineLog !== log) this.newLine(log, owner);
    const stamp = this.stamp;
    if (++this.checks === 1 && this.demand > SEARCHES_BEFORE_SCAN && this.scan(log)) return this.seen[group] === stamp;
    const ids = this.groups[group];
    const checked = this.checked;
    const found = this.found;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (checked[id] !== stamp) {
        if (++this.searched > SEARCHES_BEFORE_SCAN && this.scan(log)) return this.seen[group] === stamp;
        checked[id] = stamp;
        found[id] = this.searchers[id](log) ? 1 : 0;
        this.searches++;
      }
      if (found[id] === 1) return true;
    }
    return false;
  }

  /** Finds every group in the line at once; false when the literals are too many for an automaton (then searched one by one). */
  private scan(log: string): boolean {
    if (!this.built) {
      if (this.sharedKey !== null) this.shared.release(this.sharedKey);
      ({ key: this.sharedKey, automaton: this.automaton } = this.shared.take(this.texts, this.groupsOf));
      this.built = true;
    }
    if (this.automaton === null) return false;
    this.foundCount = this.automaton.scan(log, this.seen, this.stamp, this.foundGroups, this.foundCount);
    this.scans++;
    return (this.scanned = true);
  }

  private newLine(log: string, owner: object): void {
    if (++this.stamp === 0x7fffffff) {
      this.checked.fill(0);
      this.seen.fill(0);
      this.stamp = 1;
    }
    this.lineLog = log;
    this.lineOwner = owner;
    this.demand += (this.checks - this.demand) / DEMAND_LINES;
    this.checks = 0;
    this.foundCount = 0;
    this.searched = 0;
    this.scanned = false;
  }
}

function grown<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** At most this many literals in one FewLiterals (bits of its answer). */
export const FEW_MAX = 30;

/** Printable ASCII without capitals: what FewLiterals searches (the RegExp's `i` is then exactly A-Z folding). */
const FEW_TEXT = /^[\x20-\x40\x5b-\x7e]+$/;

/**
 * The literals of a short child list (a few siblings, each needing one of its own), searched in
 * one go by one caseless RegExp of them all: V8 runs such an alternation over a line in about the
 * time of two of the separate pattern tests it replaces (measured on Apache error lines: 18
 * literals in 190 ns, against about 50 ns for each test alone). Answers which literals the
 * ASCII-folded line holds, exactly (as LiteralSet.anyIn would).
 */
export class FewLiterals {
  private readonly re: RegExp;
  private readonly all: number;
  /** Per literal: its bit, with those of the literals it contains (found wherever it is). */
  private readonly within: Int32Array;
  /** Per literal: the literals that may start inside it and end past it, with where they start (flat pairs). */
  private readonly overlaps: Int32Array[];
  /** By last character (folded, below 128): the literals ending with it. */
  private readonly byLast: Int32Array[];

  /** `texts` (folded, as requiredLiteralsOf gives them); null when one is not plain ASCII or they are too many. */
  static of(texts: readonly string[]): FewLiterals | null {
    if (texts.length === 0 || texts.length > FEW_MAX || new Set(texts).size !== texts.length) return null;
    if (!texts.every((t) => t.length >= MIN_LITERAL && FEW_TEXT.test(t))) return null;
    return new FewLiterals(texts);
  }

  private constructor(readonly texts: readonly string[]) {
    // longest first: where several start at one place, the RegExp reports the longest
    const alts = [...texts].sort((a, b) => b.length - a.length)
      .map((t) => t.replace(/[^a-z0-9 ]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
    // without `u`, `i` pairs an ASCII letter with its other case only (see searcherOf)
    this.re = new RegExp(alts.join('|'), 'gi');
    this.all = (1 << texts.length) - 1; // FEW_MAX bits at most
    this.within = Int32Array.from(texts, (t) => texts.reduce((bits, u, j) => (t.includes(u) ? bits | (1 << j) : bits), 0));
    this.overlaps = texts.map((t) => {
      const pairs: number[] = [];
      texts.forEach((u, j) => {
        for (let d = 1; d < t.length; d++) if (d + u.length > t.length && u.startsWith(t.slice(d))) pairs.push(j, d);
      });
      return Int32Array.from(pairs);
    });
    this.byLast = Array.from({ length: 128 }, (_, c) => Int32Array.from(texts.flatMap((t, i) => (t.charCodeAt(t.length - 1) === c ? [i] : []))));
  }

  /**
   * Bit i set when the ASCII-folded `log` holds texts[i]. A match is the longest literal starting
   * at the leftmost place any does (from where the search resumed): those starting there or
   * inside it are the literals it contains, or overlaps checked in place; the search goes on
   * from its end. Stops when all are found.
   */
  found(log: string): number {
    const re = this.re;
    const texts = this.texts;
    let bits = 0;
    let from = 0;
    re.lastIndex = 0;
    while (re.test(log)) {
      const end = re.lastIndex;
      // the literal matched: the longest one ending there (the earliest start from `from` on)
      let longest = -1;
      let start = end;
      let last = log.charCodeAt(end - 1);
      if (last >= 65 && last <= 90) last += 32;
      const ending = this.byLast[last]; // (the match's last character is printable ASCII)
      if (ending.length === 1) {
        // the only literal ending with that character: the match
        longest = ending[0];
        start = end - texts[longest].length;
      } else for (let k = 0; k < ending.length; k++) {
        const i = ending[k];
        const at = end - texts[i].length;
        if (at >= from && at < start && foldedAt(log, at, texts[i])) {
          start = at;
          longest = i;
        }
      }
      bits |= this.within[longest];
      const over = this.overlaps[longest];
      for (let k = 0; k < over.length; k += 2) if (foldedAt(log, start + over[k + 1], texts[over[k]])) bits |= 1 << over[k];
      if (bits === this.all) break;
      from = end;
    }
    return bits;
  }
}
