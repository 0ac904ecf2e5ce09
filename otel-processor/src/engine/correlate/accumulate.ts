/**
 * OSSEC's accumulator (`<accumulate/>` on a decoder): multi-line events that share an `id`
 * (e.g. OpenLDAP's conn=N) are merged, so a later line carries the fields decoded from the
 * earlier ones. Fields the current line decoded win; missing ones are filled in.
 */
import type { LogEvent } from '../event';

const FIELDS = ['srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'url', 'data', 'status', 'system_name', 'srcuser', 'dstuser'] as const;
type Field = (typeof FIELDS)[number];
type Stored = { at: number } & { [K in Field]: string | null };

/** How long an id's fields are kept (OSSEC: 5 minutes). */
export const ACCUMULATE_TIMEOUT_MS = 300_000;
const MAX_ENTRIES = 50_000;

export class Accumulator {
  private readonly entries = new Map<string, Stored>();

  merge(ev: LogEvent): void {
    if (ev.id === null) return;
    const key = `${ev.agentId}\u0000${ev.location}\u0000${ev.decoderName ?? ''}\u0000${ev.id}`;
    const old = this.entries.get(key);
    const fresh = old !== undefined && ev.time - old.at <= ACCUMULATE_TIMEOUT_MS ? old : undefined;
    const next = { at: ev.time } as Stored;
    for (const f of FIELDS) {
      if (ev[f] === null && fresh !== undefined) ev[f] = fresh[f];
      next[f] = ev[f];
    }
    if (old !== undefined) this.entries.delete(key); // re-insert: the map stays in age order
    else if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, next);
  }
}
