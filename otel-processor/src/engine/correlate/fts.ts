/** First-time-seen (`<fts>` + `<if_fts/>`): a set of keys, remembered across restarts by the store. */
import type { LogEvent } from '../event';

export interface FtsStore {
  /** True if the key was seen before. */
  has(key: string): boolean;
  /** Records a new key (the store decides how it is persisted). */
  add(key: string, comment: string | null, decoder?: string | null): void;
}

export class MemoryFtsStore implements FtsStore {
  private readonly keys = new Set<string>();
  constructor(initial: Iterable<string> = []) {
    for (const k of initial) this.keys.add(k);
  }
  has(key: string): boolean { return this.keys.has(key); }
  add(key: string): void { this.keys.add(key); }
  get size(): number { return this.keys.size; }
}

/** The key for an event: the decoder name, then the listed fields, as OSSEC builds it. */
export function ftsKey(ev: LogEvent, fields: readonly string[]): string {
  let key = '';
  for (const f of fields) {
    const v = f === 'name' ? ev.decoderName : ev.getField(f);
    key += key === '' ? (v ?? '') : ` ${v ?? ''}`;
  }
  return key;
}
