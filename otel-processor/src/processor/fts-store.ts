/**
 * First-time-seen keys for the engine: answered from a local cache (sync, as the engine asks),
 * persisted in `state_dir/fts.keys` and, through the spool, in Elasticsearch (one document per
 * key created with op_type=create), from which the cache is filled at start and refreshed, so
 * keys survive restarts and are shared by replicas.
 *
 * Bounded: OSSEC 4.2 keeps every key in a hash (analysisd/fts.c fts_store) and bounds only its
 * list of recent IDS keys (fts_list, `analysisd.fts_list_size`); with thousands of agents the
 * keys grow without end, so Warden keeps at most `maxKeys`, dropping the least recently seen
 * (a dropped key seen again counts as new). As OSSEC's FTS() hands new keys to a writer queue
 * off the matching thread, new keys are written once per request ({@link flush}), not per line;
 * the file is rewritten with the live keys when it holds twice as many lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FtsStore } from '../engine/correlate/fts';

export interface NewFtsKey { key: string; comment: string | null; at: number; decoder: string | null }

/** Default bound on keys kept in memory (each costs its text, at most 255 characters, plus the set's entry). */
export const FTS_MAX_KEYS_DEFAULT = 1_000_000;
/** Below this many lines the file is never rewritten (not worth it). */
const COMPACT_MIN_LINES = 1024;

export class WardenFtsStore implements FtsStore {
  /** Insertion order is recency: a key seen again moves to the end; the first is dropped first. */
  private readonly keys = new Set<string>();
  private added: NewFtsKey[] = [];
  /** Keys learned since the last flush, to append to the file. */
  private pending: string[] = [];
  private readonly file: string;
  private readonly maxKeys: number;
  /** Lines in the file (live and dropped keys). */
  private fileLines = 0;
  /** Keys dropped for the bound since start. */
  evictions = 0;

  constructor(stateDir: string, opts: { maxKeys?: number } = {}) {
    const maxKeys = opts.maxKeys ?? FTS_MAX_KEYS_DEFAULT;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new Error(`first-time-seen key bound must be a positive integer, got ${String(maxKeys)}`);
    this.maxKeys = maxKeys;
    this.file = path.join(stateDir, 'fts.keys');
    let text = '';
    try { text = fs.readFileSync(this.file, 'utf8'); } catch { /* no local keys yet */ }
    for (const line of text.split('\n')) {
      if (!line) continue;
      this.fileLines++;
      try {
        const k = JSON.parse(line) as unknown;
        if (typeof k === 'string') this.remember(k);
      } catch { /* a torn last line (crash while appending): dropped at the next rewrite */ }
    }
    this.evictions = 0;
    if (this.fileLines > this.compactAt()) this.compact();
  }

  has(key: string): boolean {
    if (!this.keys.has(key)) return false;
    this.keys.delete(key);
    this.keys.add(key);
    return true;
  }

  add(key: string, comment: string | null, decoder?: string | null): void {
    if (this.keys.has(key)) return;
    this.remember(key);
    this.added.push({ key, comment, at: Date.now(), decoder: decoder ?? null });
    this.pending.push(key);
  }

  /** Keys known elsewhere (Elasticsearch, other replicas). */
  merge(keys: Iterable<string>): number {
    let n = 0;
    for (const k of keys) if (!this.keys.has(k)) { this.remember(k); this.pending.push(k); n++; }
    this.flush();
    return n;
  }

  /** Keys added since the last call (they go into the request's spool batch). */
  drain(): NewFtsKey[] {
    if (this.added.length === 0) return EMPTY;
    const a = this.added;
    this.added = [];
    return a;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Appends the keys learned since the last call in one write; rewrites the file when mostly dropped keys. */
  flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    try {
      fs.appendFileSync(this.file, `${lines.map((k) => JSON.stringify(k)).join('\n')}\n`);
      this.fileLines += lines.length;
    } catch (e) {
      process.emitWarning(`warden: cannot write ${this.file}: ${(e as Error).message}`);
      return;
    }
    if (this.fileLines > this.compactAt()) this.compact();
  }

  close(): void {
    this.flush();
  }

  private remember(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    while (this.keys.size > this.maxKeys) {
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
      this.evictions++;
    }
  }

  private compactAt(): number {
    return Math.max(COMPACT_MIN_LINES, 2 * this.keys.size);
  }

  /** Rewrites the file with the live keys (least recent first, so a restart keeps the same ones). */
  private compact(): void {
    const tmp = `${this.file}.tmp`;
    try {
      let text = '';
      for (const k of this.keys) text += `${JSON.stringify(k)}\n`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, this.file);
      this.fileLines = this.keys.size;
    } catch (e) {
      process.emitWarning(`warden: cannot rewrite ${this.file}: ${(e as Error).message}`);
    }
  }
}

const EMPTY: NewFtsKey[] = [];
