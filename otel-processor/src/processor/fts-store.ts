/**
 * First-time-seen keys for the engine: answered from a local cache (sync, as the engine asks),
 * persisted in `state_dir/fts.keys` and, through the spool, in Elasticsearch (one document per
 * key created with op_type=create), from which the cache is filled at start and refreshed, so
 * keys survive restarts and are shared by replicas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FtsStore } from '../engine/correlate/fts';

export interface NewFtsKey { key: string; comment: string | null; at: number; decoder: string | null }

export class WardenFtsStore implements FtsStore {
  private readonly keys = new Set<string>();
  private added: NewFtsKey[] = [];
  private readonly file: string;
  private fd: number | null = null;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'fts.keys');
    try {
      for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) if (line) this.keys.add(JSON.parse(line) as string);
    } catch { /* no local keys yet */ }
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string, comment: string | null, decoder?: string | null): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.added.push({ key, comment, at: Date.now(), decoder: decoder ?? null });
    this.persist(key);
  }

  /** Keys known elsewhere (Elasticsearch, other replicas). */
  merge(keys: Iterable<string>): number {
    let n = 0;
    for (const k of keys) if (!this.keys.has(k)) { this.keys.add(k); this.persist(k); n++; }
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

  private persist(key: string): void {
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, `${JSON.stringify(key)}\n`);
    } catch (e) {
      process.emitWarning(`warden: cannot write ${this.file}: ${(e as Error).message}`);
    }
  }

  close(): void {
    if (this.fd !== null) { fs.closeSync(this.fd); this.fd = null; }
  }
}

const EMPTY: NewFtsKey[] = [];
