/**
 * The agents documents' counts as the Elasticsearch exporter keeps them: only the agents heard
 * from in the last few hours are held (by Warden's receive clock, as the batches carry it); an
 * agent that comes back is read back from its document first. Each document names, per spool
 * stream, the last batch its totals count (`counted`), so after a crash a replayed batch the
 * document already counts is skipped: nothing counted twice, nothing lost, and nothing per
 * agent ever seen stays in memory.
 */
import { foldAgentDelta, type AgentDelta } from '../../processor/batch';
import { agentDocOf, type AgentDoc, type AgentTotals } from '../../alert/documents';

/** An agents document as stored: the document readers see, plus the batches it counts. */
export interface StoredAgentDoc extends AgentDoc {
  /** Spool stream id → sequence of the last batch counted in these totals. */
  counted?: Record<string, number>;
}

export interface HeldAgent extends AgentTotals {
  /** Batches counted, by stream (ours: the last folded; others': as read back). */
  counted: Record<string, number>;
}

export interface AgentTableSnapshot { held: HeldAgent[] }

const HOUR = 3600_000;
const ms = (s: string | null | undefined) => (s ? Date.parse(s) : null);

export class AgentTable {
  private readonly held = new Map<string, HeldAgent>();
  private readonly dirty = new Set<string>();
  /** Latest receive time of a batch folded. */
  private latestAt = -Infinity;

  /**
   * `stream`: this spool's id (a new one when the spool and its state start afresh, so old
   * sequence numbers never hide new batches); `keepHours`: hours an idle agent stays held.
   */
  constructor(private readonly stream: string, private readonly keepHours: number, snapshot?: AgentTableSnapshot | null) {
    if (!Number.isInteger(keepHours) || keepHours < 1) throw new Error(`hours agents are held must be a positive integer, got ${String(keepHours)}`);
    for (const a of snapshot?.held ?? []) {
      this.held.set(a.id, a);
      if (a.last !== null) this.latestAt = Math.max(this.latestAt, a.last);
    }
  }

  get size(): number {
    return this.held.size;
  }

  /** Agents of these batches not held: their documents must be read back ({@link seed}) before {@link fold}. */
  missing(batches: ReadonlyArray<{ agents: AgentDelta[] }>): string[] {
    const out = new Set<string>();
    for (const b of batches) for (const d of b.agents) if (!this.held.has(d.id)) out.add(d.id);
    return [...out];
  }

  /** An agent read back from Elasticsearch (null: it has no document yet). */
  seed(id: string, doc: StoredAgentDoc | null): void {
    if (this.held.has(id)) return;
    if (!doc) {
      this.held.set(id, { id, name: id, ips: {}, version: null, first: null, last: null, events: 0, alerts: 0, counted: {} });
      return;
    }
    const ips: Record<string, [number, number]> = {};
    for (const ip of doc.ips ?? []) ips[ip.ip] = [Date.parse(ip.first_seen), Date.parse(ip.last_seen)];
    this.held.set(id, {
      id, name: doc.agent?.name ?? id, ips, version: doc.collector?.version ?? null, first: ms(doc.first_seen), last: ms(doc.last_seen),
      events: doc.events ?? 0, alerts: doc.alerts ?? 0, counted: { ...(doc.counted ?? {}) },
    });
  }

  /** Folds a batch's agent counts; a batch the agent's document already counts is skipped. */
  fold(b: { seq: number; at: number; agents: AgentDelta[] }): void {
    if (Number.isFinite(b.at)) this.latestAt = Math.max(this.latestAt, b.at);
    for (const d of b.agents) {
      const a = this.held.get(d.id);
      if (!a) throw new Error(`agent ${d.id} folded before it was read back`);
      if (b.seq <= (a.counted[this.stream] ?? -1)) continue;
      a.counted[this.stream] = b.seq;
      foldAgentDelta(a, d);
      this.dirty.add(d.id);
    }
  }

  /** Documents changed since the last call. */
  takeDirty(): StoredAgentDoc[] {
    const out = [...this.dirty].map((id) => this.doc(this.held.get(id)!));
    this.dirty.clear();
    return out;
  }

  /** Puts documents back as changed (their write failed). */
  markDirty(ids: string[]): void {
    for (const id of ids) if (this.held.has(id)) this.dirty.add(id);
  }

  doc(a: HeldAgent): StoredAgentDoc {
    return { ...agentDocOf(a), counted: { ...a.counted } };
  }

  /**
   * State to keep with the spool position. Agents not heard from for `keepHours` before the
   * latest batch (and whose document is written) are released: their document holds them.
   */
  snapshot(): AgentTableSnapshot {
    const cutoff = this.latestAt - this.keepHours * HOUR;
    for (const [id, a] of this.held) if (!this.dirty.has(id) && (a.last === null || a.last < cutoff)) this.held.delete(id);
    return { held: [...this.held.values()] };
  }
}
