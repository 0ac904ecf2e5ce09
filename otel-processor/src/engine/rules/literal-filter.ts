/**
 * Which of many literals a line contains, in one pass over the line. A rule whose log pattern
 * can only match where one of a few literals occurs (worked out from the pattern's own text)
 * cannot match a line holding none of them: the rule walk skips it without running it (e.g.
 * sshd's forty sibling rules, each looking for its own message).
 *
 * Literals are searched in the line with ASCII A-Z folded to a-z: a caseless letter is kept
 * lower-cased, an exact lower-case letter or any other character as it is (folding cannot hide
 * it); an exact upper-case letter cannot be searched that way and ends the literal.
 */
import { Pcre2Pattern, type Pattern } from '../patterns';
import { charLit, parseTranslated, type Node } from '../patterns/translated';

/** At most this many literals for one pattern (alternations beyond it: no filter). */
const MAX_SET = 16;

/**
 * Literals (for the folded line) one of which the log holds whenever all of `patterns` match,
 * or null when none are known.
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
    // a plain string, compared as it is (or ASCII-caseless)
    const m = PLAIN.exec(p.source);
    if (m === null) return null;
    const text = p.caseless ? m[1].toLowerCase() : m[1];
    return p.caseless || !/[A-Z]/.test(text) ? [text] : null;
  }
  if (p.jsSource === undefined) return null;
  const alts = parseTranslated(p.jsSource);
  return alts === null ? null : requiredAlts(alts);
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
    if (set === null || set.length === 0 || set.some((t) => t.length === 0)) return;
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

/** Literals of one case mode, found by their first two characters. */
class PairTable {
  private readonly singles = new Map<number, number[]>();
  /** ASCII pairs: (c0 << 7 | c1) -> bucket + 1. */
  private readonly ascii = new Int32Array(128 * 128);
  private readonly other = new Map<number, Entry[]>();
  private readonly buckets: Entry[][] = [];

  constructor(entries: readonly Entry[]) {
    for (const e of entries) {
      const c0 = e.text.charCodeAt(0);
      if (e.text.length === 1) {
        let l = this.singles.get(c0);
        if (l === undefined) this.singles.set(c0, (l = []));
        l.push(e.id);
        continue;
      }
      const c1 = e.text.charCodeAt(1);
      if (c0 < 128 && c1 < 128) {
        const k = (c0 << 7) | c1;
        if (this.ascii[k] === 0) {
          this.buckets.push([]);
          this.ascii[k] = this.buckets.length;
        }
        this.buckets[this.ascii[k] - 1].push(e);
      } else {
        const k = c0 * 65536 + c1;
        let l = this.other.get(k);
        if (l === undefined) this.other.set(k, (l = []));
        l.push(e);
      }
    }
  }

  /** Stamps `seen[id]` for every literal `s` contains. */
  scan(s: string, seen: Int32Array, stamp: number): void {
    const n = s.length;
    const singles = this.singles.size > 0 ? this.singles : null;
    const other = this.other.size > 0 ? this.other : null;
    let c1 = n > 0 ? s.charCodeAt(0) : 0;
    for (let i = 0; i < n; i++) {
      const c0 = c1;
      c1 = i + 1 < n ? s.charCodeAt(i + 1) : -1;
      if (singles !== null) {
        const l = singles.get(c0);
        if (l !== undefined) for (const id of l) seen[id] = stamp;
      }
      if (c1 < 0) break;
      let bucket: Entry[] | undefined;
      if (c0 < 128 && c1 < 128) {
        const b = this.ascii[(c0 << 7) | c1];
        if (b === 0) continue;
        bucket = this.buckets[b - 1];
      } else if (other !== null) bucket = other.get(c0 * 65536 + c1);
      if (bucket === undefined) continue;
      for (let j = 0; j < bucket.length; j++) {
        const e = bucket[j];
        if (seen[e.id] !== stamp && s.startsWith(e.text, i)) seen[e.id] = stamp;
      }
    }
  }
}

/** The literals of one rule plan: ids given as rules join, one scan per line over all of them. */
export class LiteralSet {
  private readonly ids = new Map<string, number>();
  private readonly entries: Entry[] = [];
  private table: PairTable | null = null;
  private seen = new Int32Array(16);
  private stamp = 0;
  private scannedLog: string | null = null;
  private scannedFor: object | null = null;

  /** Ids of `lits` (registered on first sight). */
  idsOf(lits: readonly string[]): Int32Array {
    const out = new Int32Array(lits.length);
    lits.forEach((text, i) => {
      let id = this.ids.get(text);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(text, id);
        this.entries.push({ text, id });
        this.table = null;
        this.scannedFor = null; // a line scanned before lacks this literal: scan it again
        if (id >= this.seen.length) {
          const grown = new Int32Array(this.seen.length * 2);
          grown.set(this.seen);
          this.seen = grown;
        }
      }
      out[i] = id;
    });
    return out;
  }

  /** Whether `log` (of event `owner`) contains one of the literals `ids`; the line is scanned once per event. */
  anyIn(ids: Int32Array, log: string, owner: object): boolean {
    if (this.scannedFor !== owner || this.scannedLog !== log) this.scan(log, owner);
    const seen = this.seen;
    const stamp = this.stamp;
    for (let i = 0; i < ids.length; i++) if (seen[ids[i]] === stamp) return true;
    return false;
  }

  private scan(log: string, owner: object): void {
    let t = this.table;
    if (t === null) this.table = t = new PairTable(this.entries);
    if (++this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    t.scan(foldAscii(log), this.seen, this.stamp);
    this.scannedLog = log;
    this.scannedFor = owner;
  }
}

const UPPER = /[A-Z]/;
const NON_ASCII = /[^\x00-\x7f]/;
const UPPER_RUN = /[A-Z]+/g;

/** `s` with A-Z turned to a-z and nothing else changed (same length). */
function foldAscii(s: string): string {
  if (!UPPER.test(s)) return s;
  // toLowerCase also maps other letters (sometimes to other lengths): only ASCII lines use it
  return NON_ASCII.test(s) ? s.replace(UPPER_RUN, (r) => r.toLowerCase()) : s.toLowerCase();
}
