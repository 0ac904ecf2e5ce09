/**
 * Which of many literals a line contains, in one pass over the line. A rule whose log pattern
 * can only match where one of its required literals occurs (Pcre2Pattern.requiredLiterals, from
 * the pattern's own text) cannot match a line holding none of them: the rule walk skips it
 * without running it (e.g. sshd's forty sibling rules, each looking for its own message).
 */
import type { Pattern } from '../patterns';
import { foldedLine, type Lit } from '../patterns/prefilter';

/** The required literals of a rule's log patterns as ids, or null when none are known. */
export function requiredLiteralsOf(patterns: readonly Pattern[]): readonly Lit[] | null {
  for (const p of patterns) {
    const lits = (p as { requiredLiterals?: readonly Lit[] | null }).requiredLiterals;
    if (lits !== undefined && lits !== null && lits.length > 0 && lits.every((l) => l.text.length > 0)) return lits;
  }
  return null;
}

interface Entry { text: string; id: number }

/** Literals of one case mode, found by their first two characters. */
class PairTable {
  private readonly singles = new Map<number, number[]>();
  /** ASCII pairs: (c0 << 7 | c1) -> bucket + 1. */
  private readonly ascii = new Int32Array(128 * 128);
  private readonly other = new Map<number, Entry[]>();
  private readonly buckets: Entry[][] = [];
  readonly empty: boolean;

  constructor(entries: readonly Entry[]) {
    this.empty = entries.length === 0;
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
  private readonly entries: { ci: Entry[]; cs: Entry[] } = { ci: [], cs: [] };
  private tables: { ci: PairTable; cs: PairTable } | null = null;
  private seen = new Int32Array(16);
  private stamp = 0;
  private scannedLog: string | null = null;
  private scannedFor: object | null = null;

  /** Ids of `lits` (registered on first sight). */
  idsOf(lits: readonly Lit[]): Int32Array {
    const out = new Int32Array(lits.length);
    lits.forEach((l, i) => {
      const key = `${l.ci ? 'i' : 's'}${l.text}`;
      let id = this.ids.get(key);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(key, id);
        (l.ci ? this.entries.ci : this.entries.cs).push({ text: l.text, id });
        this.tables = null;
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
    let t = this.tables;
    if (t === null) this.tables = t = { ci: new PairTable(this.entries.ci), cs: new PairTable(this.entries.cs) };
    if (++this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    if (!t.cs.empty) t.cs.scan(log, this.seen, this.stamp);
    if (!t.ci.empty) t.ci.scan(foldedLine(log), this.seen, this.stamp);
    this.scannedLog = log;
    this.scannedFor = owner;
  }
}
