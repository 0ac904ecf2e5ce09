/**
 * Which of many literals a line contains, each searched natively and only when needed. A rule whose log pattern
 * can only match where one of a few literals occurs (worked out from the pattern's own text)
 * cannot match a line holding none of them: the rule walk skips it without running it (e.g.
 * sshd's forty sibling rules, each looking for its own message).
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
 * already cheap (they fail at the first characters), a scan of the line would not pay.
 */
export function requiredLiteralsOf(patterns: readonly Pattern[]): readonly string[] | null {
  for (const p of patterns) {
    if (!(p instanceof Pcre2Pattern)) continue;
    const lits = pcre2Literals(p);
    if (lits !== null) return lits;
  }
  return null;
}

const PLAIN = /^\^?([a-zA-Z0-9 !"#%&',/:;<=>@_`~-]+)\$?$/;

function pcre2Literals(p: Pcre2Pattern): string[] | null {
  if (p.mode !== 'regex') {
    // a plain string, compared as it is (or ASCII-caseless); only a suffix can be anywhere
    if (p.mode !== 'suffix') return null;
    const m = PLAIN.exec(p.source);
    if (m === null) return null;
    const text = p.caseless ? m[1].toLowerCase() : m[1];
    return text.length >= MIN_LITERAL && (p.caseless || !/[A-Z]/.test(text)) ? [text] : null;
  }
  if (p.jsSource === undefined) return null;
  const alts = parseTranslated(p.jsSource);
  if (alts === null || alts.every((seq) => seq[0]?.k === 'bol')) return null;
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

interface Entry { text: string; id: number }

/** Hash slots of the first three characters of each literal (collisions are checked). */
const SLOTS = 4096;
const fold = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
const slotOf = (a: number, b: number, c: number) => (a * 961 + b * 31 + c) & (SLOTS - 1);

/** Literals (at least MIN_LITERAL characters, already folded) found by their first three characters. */
class TrigramTable {
  /** slot -> bucket + 1 */
  private readonly heads = new Int32Array(SLOTS);
  private readonly buckets: Entry[][] = [];

  constructor(entries: readonly Entry[]) {
    for (const e of entries) {
      const t = e.text;
      const k = slotOf(t.charCodeAt(0), t.charCodeAt(1), t.charCodeAt(2));
      if (this.heads[k] === 0) {
        this.buckets.push([]);
        this.heads[k] = this.buckets.length;
      }
      this.buckets[this.heads[k] - 1].push(e);
    }
  }

  /** Stamps `seen[id]` for every literal the ASCII-folded `s` contains. */
  scan(s: string, seen: Int32Array, stamp: number): void {
    const n = s.length;
    if (n < MIN_LITERAL) return;
    const heads = this.heads;
    let a = fold(s.charCodeAt(0));
    let b = fold(s.charCodeAt(1));
    for (let i = 0; i + 2 < n; i++) {
      const c = fold(s.charCodeAt(i + 2));
      const k = heads[slotOf(a, b, c)];
      a = b;
      b = c;
      if (k === 0) continue;
      const bucket = this.buckets[k - 1];
      for (let j = 0; j < bucket.length; j++) {
        const e = bucket[j];
        if (seen[e.id] !== stamp && foldedAt(s, i, e.text)) seen[e.id] = stamp;
      }
    }
  }
}

/** Whether `t` is at `i` in `s` with A-Z folded to a-z. */
function foldedAt(s: string, i: number, t: string): boolean {
  const m = t.length;
  if (i + m > s.length) return false;
  for (let k = 0; k < m; k++) {
    let c = s.charCodeAt(i + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== t.charCodeAt(k)) return false;
  }
  return true;
}

/** How a literal is searched: in the line as it is, in the lower-cased line, or folded in JS. */
const enum Search { Raw, Lowered, Folded }

function searchFor(text: string): Search {
  if (!/[a-z]/.test(text)) return Search.Raw; // no letter to fold: the line's own text
  // an ASCII literal: String.toLowerCase folds A-Z exactly as wanted and leaves other ASCII as it
  // is; it may also turn a non-ASCII character into ASCII (K sign -> k), an extra match only
  if (/^[\x00-\x7f]*$/.test(text)) return Search.Lowered;
  return Search.Folded; // toLowerCase would change a non-ASCII capital the literal holds
}

/**
 * Searches of single literals in one line after which the rest are found by one scan of the line
 * for all literals (measured in the bench worker: a native search costs about a thirtieth of a
 * scan, plus the line lower-cased once, and a line that needed this many usually needs many
 * more, e.g. sshd's forty siblings).
 */
export const SEARCHES_BEFORE_SCAN = 4;
/** Lines over which the literals a plan's lines check are averaged (to choose search or scan). */
const DEMAND_LINES = 16;

/**
 * The literals of one rule plan, given ids as rules join. Per line, a literal is searched only
 * when a child needing it is reached, at most once, by the native String.includes (on the line
 * lower-cased once, when it has letters); past SEARCHES_BEFORE_SCAN searches, one scan of the
 * line finds all literals at once. A plan whose lines check more literals than that on average
 * (its children with literals are reached one after another, as sshd's) scans at once. Both
 * give the same answers: only the cost differs.
 */
export class LiteralSet {
  private readonly ids = new Map<string, number>();
  private readonly entries: Entry[] = [];
  private readonly searches: Search[] = [];
  private table: TrigramTable | null = null;
  /** Per id: the line stamp its `found` answers. */
  private checked = new Int32Array(16);
  private found = new Uint8Array(16);
  /** Per id: the line stamp of the scan that found it. */
  private seen = new Int32Array(16);
  private stamp = 0;
  private searched = 0;
  private scanned = false;
  /** Literal checks (anyIn calls) of the current line, and their running average over lines. */
  private checks = 0;
  private demand = 0;
  private lineLog: string | null = null;
  private lineOwner: object | null = null;
  private lowered: string | null = null;

  /** Ids of `lits` (registered on first sight). */
  idsOf(lits: readonly string[]): Int32Array {
    const out = new Int32Array(lits.length);
    lits.forEach((text, i) => {
      let id = this.ids.get(text);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(text, id);
        this.entries.push({ text, id });
        this.searches.push(searchFor(text));
        this.table = null;
        this.scanned = false; // a line scanned before lacks this literal: search it apart
        if (id >= this.checked.length) {
          this.checked = grown(this.checked, new Int32Array(this.checked.length * 2));
          this.found = grown(this.found, new Uint8Array(this.found.length * 2));
          this.seen = grown(this.seen, new Int32Array(this.seen.length * 2));
        }
      }
      out[i] = id;
    });
    return out;
  }

  /** Whether `log` (of event `owner`) contains one of the literals `ids` (ASCII A-Z folded); each literal is searched once per event. */
  anyIn(ids: Int32Array, log: string, owner: object): boolean {
    if (this.lineOwner !== owner || this.lineLog !== log) this.newLine(log, owner);
    const stamp = this.stamp;
    if (++this.checks === 1 && this.demand > SEARCHES_BEFORE_SCAN) this.scan(log);
    if (this.scanned) {
      const seen = this.seen;
      for (let i = 0; i < ids.length; i++) if (seen[ids[i]] === stamp) return true;
      return false;
    }
    const checked = this.checked;
    const found = this.found;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (checked[id] !== stamp) {
        if (++this.searched > SEARCHES_BEFORE_SCAN) {
          this.scan(log);
          const seen = this.seen;
          for (let j = 0; j < ids.length; j++) if (seen[ids[j]] === stamp) return true;
          return false;
        }
        checked[id] = stamp;
        found[id] = this.contains(id, log) ? 1 : 0;
      }
      if (found[id] === 1) return true;
    }
    return false;
  }

  private contains(id: number, log: string): boolean {
    const text = this.entries[id].text;
    switch (this.searches[id]) {
      case Search.Raw:
        return log.includes(text);
      case Search.Lowered:
        return (this.lowered ??= log.toLowerCase()).includes(text);
      default:
        for (let i = 0; i + text.length <= log.length; i++) if (foldedAt(log, i, text)) return true;
        return false;
    }
  }

  private scan(log: string): void {
    let t = this.table;
    if (t === null) this.table = t = new TrigramTable(this.entries);
    t.scan(log, this.seen, this.stamp);
    this.scanned = true;
  }

  private newLine(log: string, owner: object): void {
    if (++this.stamp === 0x7fffffff) {
      this.checked.fill(0);
      this.seen.fill(0);
      this.stamp = 1;
    }
    this.lineLog = log;
    this.lineOwner = owner;
    this.lowered = null;
    this.demand += (this.checks - this.demand) / DEMAND_LINES;
    this.checks = 0;
    this.searched = 0;
    this.scanned = false;
  }
}

function grown<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
