/**
 * Agents and hourly stats, folded from the spool's batches in order. The exporters write the
 * resulting whole documents (never increments), and keep this state with their acknowledged
 * spool position, so a replay after a crash recounts exactly: nothing counted twice or lost.
 */
import { foldAgentDelta, type AgentDelta, type StatsDelta } from '../processor/batch';
import { agentDocOf, TOTAL_AGENT, type AgentDoc, type AgentTotals, type StatsDoc } from '../alert/documents';


/**
 * One hour of one agent's counts: the same shape the spool carries. `life`: the batch that
 * admitted the agent to the table this time (its rows' document ids name it, see {@link Aggregator}).
 */
type StatsState = StatsDelta & { life?: number };

/** An agent's place in the table: its latest hour, when it was last heard from, its rows. */
interface AgentHours { latest: number; at: number; life?: number; rows: string[] }

export interface AggregateSnapshot {
  agents: AgentTotals[];
  stats: StatsState[];
  /** Older form: latest hour counted, by agent. */
  latestHours?: Record<string, number>;
  /** Agents in the table, least recently heard from first: [id, latest hour, last receive time, life]. */
  held?: Array<[string, number, number | null, number | null]>;
  /** Latest receive time of a batch folded. */
  latestAt?: number;
}

/** Counts of one hour and agent from one spool batch, for an hour no longer held. */
export interface LateStats { seq: number; hour: number; agent: string; doc: StatsDoc }

/** A held row's document, with what names it: hour, agent and the agent's life in the table. */
export interface HeldStats { hour: number; agent: string; life?: number; doc: StatsDoc }

const HOUR = 3600_000;

/** Default hours of each agent's stats held: the current one and the one before (late records arrive within minutes). */
export const STATS_OPEN_HOURS = 2;


export class Aggregator {
  private readonly agents = new Map<string, AgentTotals>();
  private readonly stats = new Map<string, StatsState>();
  private readonly dirtyAgents = new Set<string>();
  private readonly dirtyStats = new Set<string>();
  private late = new Map<string, { seq: number; counts: StatsState }>();
  /** Agents with hours held, least recently heard from first (re-inserted when heard from). */
  private readonly held = new Map<string, AgentHours>();
  /** Latest receive time of a batch folded (carried by the batch, so a replay decides the same). */
  private latestAt = -Infinity;
  /** Rows that left the table since the last {@link takeClosed} (kept only when asked for). */
  private closed: StatsState[] = [];
  /** Changed rows of agents that left the table: written once more, then forgotten. */
  private leaving: StatsState[] = [];

  /**
   * `openHours` null: every hour is held (dropped `keepHours` after, by the clock). A number:
   * each agent's last `openHours` hours (following the latest hour counted for it, so a replay
   * of the same batches decides the same; the all-agents rows keep `keepHours`) are held and
   * rewritten whole; counts for an older hour become a document of their own per spool batch
   * (the batch's sequence in its id: a replay rewrites the same one), which readers add up as
   * they add up instances. So the table holds a few hours per agent, not two days: OSSEC's
   * analysisd/stats.c likewise holds only the current day's hour counts (`_CHour[25]`), never
   * per-agent history. An agent not heard from for `openHours` (by the batches' receive times,
   * decided batch by batch) leaves the table, so it holds the agents heard from lately, not every
   * agent ever seen. Its next rows start a new life: their documents' ids name the batch that
   * admitted it again, so they never overwrite a document of its earlier life (readers add up).
   * `keepClosed`: keep the rows that leave the table for {@link takeClosed} (a sink that has
   * not written them whole yet, the file exporter). `countAgents` false: agents are not counted
   * here (the Elasticsearch exporter keeps them in its own bounded table).
   */
  constructor(private readonly instance: string, snapshot?: AggregateSnapshot | null, private readonly keepHours = 48, private readonly openHours: number | null = null, private readonly keepClosed = false, private readonly countAgents = true) {
    if (openHours !== null && (!Number.isInteger(openHours) || openHours < 1)) throw new Error(`hours of stats held must be a positive integer, got ${String(openHours)}`);
    if (snapshot) {
      if (countAgents) for (const a of snapshot.agents ?? []) this.agents.set(a.id, a);
      for (const s of snapshot.stats ?? []) this.stats.set(`${s.hour}|${s.agent}`, s);
      if (typeof snapshot.latestAt === 'number') this.latestAt = snapshot.latestAt;
      if (openHours !== null) {
        for (const [agent, latest, at, life] of snapshot.held ?? []) this.held.set(agent, { latest, at: at ?? -Infinity, life: life ?? undefined, rows: [] });
        // an older state: its agents count as heard from at the next batch
        for (const [agent, latest] of Object.entries(snapshot.latestHours ?? {})) if (!this.held.has(agent)) this.held.set(agent, { latest, at: -Infinity, rows: [] });
        for (const [k, s] of this.stats) {
          let e = this.held.get(s.agent);
          if (!e) this.held.set(s.agent, (e = { latest: s.hour, at: -Infinity, life: s.life, rows: [] }));
          e.latest = Math.max(e.latest, s.hour);
          e.rows.push(k);
        }
      }
    }
  }

  /** An agent's first hour held (counts for earlier hours go out as late documents). */
  private openFrom(agent: string, e: AgentHours): number {
    return e.latest - ((agent === TOTAL_AGENT ? Math.max(this.openHours!, this.keepHours) : this.openHours!) - 1) * HOUR;
  }

  /** Counts one hour of one agent into its held row, or (an hour no longer held) into the batch's late document. */
  private count(seq: number | undefined, at: number, hour: number, agent: string, name: string, d: StatsDelta): void {
    if (this.openHours === null) {
      this.addStats(hour, agent, name, d, undefined);
      return;
    }
    let e = this.held.get(agent);
    if (e) this.held.delete(agent); // re-inserted last: the most recently heard from
    else e = { latest: hour, at, life: seq, rows: [] };
    this.held.set(agent, e);
    if (at > e.at) e.at = at;
    if (hour > e.latest) e.latest = hour;
    if (hour < this.openFrom(agent, e)) {
      if (seq === undefined) throw new Error('a batch folded with only some hours held needs its sequence');
      this.addLate(seq, hour, agent, name, d);
      return;
    }
    const key = this.addStats(hour, agent, name, d, e.life);
    if (key !== null) e.rows.push(key);
  }

  /** Agents not heard from for `openHours` before the latest batch leave the table with their rows. */
  private releaseIdle(): void {
    const cutoff = this.latestAt - this.openHours! * HOUR;
    for (const [agent, e] of this.held) {
      if (e.at >= cutoff) break;
      this.held.delete(agent);
      for (const k of e.rows) {
        const s = this.stats.get(k);
        if (!s) continue;
        this.stats.delete(k);
        if (this.keepClosed) this.closed.push(s);
        else if (this.dirtyStats.has(k)) this.leaving.push(s);
        this.dirtyStats.delete(k);
      }
    }
  }

  /** Entries held (for /metrics). */
  get sizes(): { agents: number; stats: number; agentHours: number } {
    return { agents: this.agents.size, stats: this.stats.size, agentHours: this.held.size };
  }

  /** Agents known ahead of any event (bound to tokens): listed as never connected. */
  register(id: string, name: string): void {
    if (this.agents.has(id)) return;
    this.agents.set(id, { id, name, ips: {}, version: null, first: null, last: null, events: 0, alerts: 0 });
    this.dirtyAgents.add(id);
  }

  /** `seq`: the batch's spool sequence (needed when only some hours are held); `at`: its receive time. */
  fold(b: { agents: AgentDelta[]; stats: StatsDelta[]; seq?: number; at?: number }): void {
    const at = b.at !== undefined && Number.isFinite(b.at) ? b.at : -Infinity;
    if (this.openHours !== null && at > this.latestAt) {
      // agents of an older state (no receive times) count from the first batch after it
      if (this.latestAt === -Infinity) for (const e of this.held.values()) e.at = Math.max(e.at, at);
      this.latestAt = at;
      this.releaseIdle();
    }
    for (const d of this.countAgents ? b.agents : []) {
      let a = this.agents.get(d.id);
      if (!a) this.agents.set(d.id, (a = { id: d.id, name: d.name, ips: {}, version: null, first: null, last: null, events: 0, alerts: 0 }));
      foldAgentDelta(a, d);
      this.dirtyAgents.add(d.id);
    }
    for (const d of b.stats) {
      this.count(b.seq, at, d.hour, d.agent, d.name, d);
      this.count(b.seq, at, d.hour, TOTAL_AGENT, TOTAL_AGENT, d);
    }
  }

  private addLate(seq: number, hour: number, agent: string, name: string, d: { events: number; alerts: number; levels: number[]; firewall: number }): void {
    const key = `${seq}|${hour}|${agent}`;
    let l = this.late.get(key);
    if (!l) this.late.set(key, (l = { seq, counts: { hour, agent, name, events: 0, alerts: 0, levels: new Array(17).fill(0), firewall: 0 } }));
    addCounts(l.counts, d);
  }

  /** Adds to the held row of the hour and agent; returns its key when the row is new. */
  private addStats(hour: number, agent: string, name: string, d: { events: number; alerts: number; levels: number[]; firewall: number }, life: number | undefined): string | null {
    const key = `${hour}|${agent}`;
    let s = this.stats.get(key);
    const added = !s;
    if (!s) {
      s = { hour, agent, name, events: 0, alerts: 0, levels: new Array(17).fill(0), firewall: 0 };
      if (life !== undefined) s.life = life;
      this.stats.set(key, s);
    }
    addCounts(s, d);
    this.dirtyStats.add(key);
    return added ? key : null;
  }

  /** Documents changed since the last call (agents by id, stats by hour and agent). */
  takeDirty(): { agents: AgentDoc[]; stats: HeldStats[]; late: LateStats[] } {
    const agents = [...this.dirtyAgents].map((id) => this.agentDoc(this.agents.get(id)!));
    const held = (s: StatsState): HeldStats => ({ hour: s.hour, agent: s.agent, life: s.life, doc: this.statsDoc(s) });
    const stats = [...this.leaving.map(held), ...[...this.dirtyStats].map((k) => held(this.stats.get(k)!))];
    this.leaving = [];
    const late = [...this.late.values()].map((l) => ({ seq: l.seq, hour: l.counts.hour, agent: l.counts.agent, doc: this.statsDoc(l.counts) }));
    this.late = new Map();
    this.dirtyAgents.clear();
    this.dirtyStats.clear();
    return { agents, stats, late };
  }

  /** Puts documents back as changed (their write failed). */
  markDirty(agentIds: string[], stats: Array<{ hour: number; agent: string }>): void {
    for (const id of agentIds) if (this.agents.has(id)) this.dirtyAgents.add(id);
    for (const s of stats) if (this.stats.has(`${s.hour}|${s.agent}`)) this.dirtyStats.add(`${s.hour}|${s.agent}`);
  }

  agentDoc(a: AgentTotals): AgentDoc {
    return agentDocOf(a);
  }

  statsDoc(s: StatsState): StatsDoc {
    const by: Record<string, number> = {};
    for (let i = 0; i < 17; i++) if (s.levels[i]) by[String(i)] = s.levels[i];
    return {
      '@timestamp': new Date(s.hour).toISOString(),
      agent: { id: s.agent, name: s.name },
      instance: this.instance,
      events: s.events,
      alerts: s.alerts,
      alerts_by_level: by,
      firewall_events: s.firewall,
    };
  }

  allAgents(): AgentDoc[] {
    return [...this.agents.values()].map((a) => this.agentDoc(a));
  }

  allStats(): StatsDoc[] {
    return [...this.stats.values()].sort((a, b) => a.hour - b.hour || a.agent.localeCompare(b.agent)).map((s) => this.statsDoc(s));
  }

  /** Rows that left the table since the last call (with `keepClosed`), as documents, oldest hour first. */
  takeClosed(): StatsDoc[] {
    const out = this.closed.sort((a, b) => a.hour - b.hour || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0)).map((s) => this.statsDoc(s));
    this.closed = [];
    return out;
  }

  /**
   * State to persist with the spool position; rows no longer held (and written) are dropped:
   * older than `keepHours` by the clock, or (only some hours held) outside the agent's open hours.
   */
  snapshot(now = Date.now()): AggregateSnapshot {
    const cutoff = now - this.keepHours * HOUR;
    if (this.openHours === null) {
      for (const [k, s] of this.stats) if (!this.dirtyStats.has(k) && s.hour < cutoff) this.stats.delete(k);
      return { agents: [...this.agents.values()], stats: [...this.stats.values()] };
    }
    for (const [agent, e] of this.held) {
      const from = this.openFrom(agent, e);
      e.rows = e.rows.filter((k) => {
        const s = this.stats.get(k);
        if (!s) return false;
        if (this.dirtyStats.has(k) || s.hour >= from) return true;
        this.stats.delete(k);
        if (this.keepClosed) this.closed.push(s);
        return false;
      });
    }
    const out: AggregateSnapshot = {
      agents: [...this.agents.values()],
      stats: [...this.stats.values()],
      held: [...this.held].map(([agent, e]) => [agent, e.latest, Number.isFinite(e.at) ? e.at : null, e.life ?? null]),
    };
    if (Number.isFinite(this.latestAt)) out.latestAt = this.latestAt;
    return out;
  }
}

function addCounts(s: StatsState, d: { events: number; alerts: number; levels: number[]; firewall: number }): void {
  s.events += d.events;
  s.alerts += d.alerts;
  s.firewall += d.firewall;
  for (let i = 0; i < 17; i++) s.levels[i] += d.levels[i] ?? 0;
}
