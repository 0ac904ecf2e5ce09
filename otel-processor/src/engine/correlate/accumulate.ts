/**
 * OSSEC's accumulator (`<accumulate/>` on a decoder; analysisd/accumulator.c): multi-line
 * events that share an `id` (e.g. OpenLDAP's conn=N) from one host and decoder are merged, so a
 * later line carries fields decoded from earlier ones. A field the line did not decode is
 * filled from the store; the store keeps the first value it got for each field until the
 * entry expires.
 */
import type { LogEvent } from '../event';

/** The fields OSSEC accumulates (accumulator.c Accumulate). */
const FIELDS = ['dstuser', 'srcuser', 'dstip', 'srcip', 'dstport', 'srcport', 'data'] as const;
type Field = (typeof FIELDS)[number];
type Stored = { at: number } & { [K in Field]: string | null };

/** An entry not updated for this long starts afresh: accumulator.c OS_ACM_EXPIRE_ELM, 120 s. */
export const ACCUMULATE_TIMEOUT_MS = 120_000;
/** Values longer than this are not stored (accumulator.c OS_ACM_MAXELM 81, with its terminator). */
const MAX_VALUE = 80;
/** Keys are built in OS_ACM_MAXKEY (256) bytes; longer ones are not accumulated. */
const MAX_KEY = 255;
/** Entries kept at most (Warden's bound; OSSEC purges expired entries every 300 s or 200 lookups). */
const MAX_ENTRIES = 50_000;

const usable = (v: string | null): v is string => v !== null && v.length > 0 && v.length <= MAX_VALUE;

export class Accumulator {
  private readonly entries = new Map<string, Stored>();

  merge(ev: LogEvent): void {
    if (ev.id === null || ev.decoderName === null) return;
    const key = `${ev.agentId}\u0000${ev.hostname} ${ev.decoderName} ${ev.id}`;
    if (key.length - ev.agentId.length - 1 > MAX_KEY) return;
    let stored = this.entries.get(key);
    if (stored !== undefined && stored.at < ev.time - ACCUMULATE_TIMEOUT_MS) {
      this.entries.delete(key);
      stored = undefined;
    }
    if (stored !== undefined) {
      for (const f of FIELDS) if ((ev[f] === null || ev[f] === '') && stored[f] !== null) ev[f] = stored[f];
      this.entries.delete(key); // re-inserted below: the map stays in age order
    } else {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      stored = { at: 0, dstuser: null, srcuser: null, dstip: null, srcip: null, dstport: null, srcport: null, data: null };
    }
    stored.at = ev.time;
    for (const f of FIELDS) if (stored[f] === null && usable(ev[f])) stored[f] = ev[f];
    this.entries.set(key, stored);
  }
}
