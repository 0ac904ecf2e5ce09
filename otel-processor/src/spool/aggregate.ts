/**
 * Agents and hourly stats, folded from the spool's batches in order. The exporters write the
 * resulting whole documents (never increments), and keep this state with their acknowledged
 * spool position, so a replay after a crash recounts exactly: nothing counted twice or lost.
 */
import type { AgentDelta, StatsDelta } from '../processor/batch';
import { TOTAL_AGENT, type AgentDoc, type StatsDoc } from '../alert/documents';

interface AgentState {
  id: string;
  name: string;
  ips: Record<string, [number, number]>;
  version: string | null;
  first: number | null;
  last: number | null;
  events: number;
  alerts: number;
}

/** One hour of one agent's counts: the same shape the spool carries. */
type StatsState = StatsDelta;

export interface AggregateSnapshot {
  agents: AgentState[];
  stats: StatsState[];
  /** Latest hour counted, by agent (the hours held follow it, see {@link Aggregator}). */
  latestHours?: Record<string, number>;
}

/** Counts of one hour and agent from one spool batch, for an hour no longer held. */
export interface LateStats { seq: number; hour: number; agent: string; doc: StatsDoc }

const HOUR = 3600_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class Aggregator {
  private readonly agents = new Map<string, AgentState>();
  private readonly stats = new Map<string, StatsState>();
  private readonly dirtyAgents = new Set<string>();
  private readonly dirtyStats = new Set<string>();
  private late = new Map<string, { seq: number; counts: StatsState }>();
  private readonly latestHour = new Map<string, number>();

  /**
   * `openHours` null: every hour is held (dropped `keepHours` after, by the clock). A number:
   * each agent's last `openHours` hours (following the latest hour counted for it, so a replay
   * of the same batches decides the same; the all-agents rows keep `keepHours`) are held and
   * rewritten whole; counts for an older hour become a document of their own per spool batch
   * (the batch's sequence in its id: a replay rewrites the same one), which readers add up as
   * they add up instances. So the table holds a few hours per agent, not two days: OSSEC's
   * analysisd/stats.c likewise holds only the current day's hour counts (`_CHour[25]`), never
   * per-agent history.
   */
  constructor(private readonly instance: string, snapshot?: AggregateSnapshot | null, private readonly keepHours = 48, private readonly openHours: number | null = null) {
    if (openHours !== null && (!Number.isInteger(openHours) || openHours < 1)) throw new Error(`hours of stats held must be a positive integer, got ${String(openHours)}`);
    if (snapshot) {
      for (const a of snapshot.agents ?? []) this.agents.set(a.id, a);
      for (const s of snapshot.stats ?? []) this.stats.set(`${s.hour}|${s.agent}`, s);
      for (const [agent, hour] of Object.entries(snapshot.latestHours ?? {})) this.latestHour.set(agent, hour);
    }
  }

  /** An agent's first hour held (counts for earlier hours go out as late documents). */
  private openFrom(agent: string): number {
    const latest = this.latestHour.get(agent);
    if (this.openHours === null || latest === undefined) return -Infinity;
    return latest - ((agent === TOTAL_AGENT ? Math.max(this.openHours, this.keepHours) : this.openHours) - 1) * HOUR;
  }

  /** Counts one hour of one agent into its held row, or (an hour no longer held) into the batch's late document. */
  private count(seq: number | undefined, hour: number, agent: string, name: string, d: StatsDelta): void {
    if (this.openHours !== null) {
      const latest = this.latestHour.get(agent);
      if (latest === undefined || hour > latest) this.latestHour.set(agent, hour);
      if (hour < this.openFrom(agent)) {
        if (seq === undefined) throw new Error('a batch folded with only some hours held needs its sequence');
        this.addLate(seq, hour, agent, name, d);
        return;
      }
    }
    this.addStats(hour, agent, name, d);
  }

  /** Entries held (for /metrics). */
  get sizes(): { agents: number; stats: number } {
    return { agents: this.agents.size, stats: this.stats.size };
  }

  /** Agents known ahead of any event (bound to tokens): listed as never connected. */
  register(id: string, name: string): void {
    if (this.agents.has(id)) return;
    this.agents.set(id, { id, name, ips: {}, version: null, first: null, last: null, events: 0, alerts: 0 });
    this.dirtyAgents.add(id);
  }

  /** Seeds an agent from a stored document (state lost locally, kept in Elasticsearch). */
  seedAgent(doc: AgentDoc): void {
    if (this.agents.has(doc.agent.id)) return;
    const ips: Record<string, [number, number]> = {};
    for (const ip of doc.ips ?? []) ips[ip.ip] = [Date.parse(ip.first_seen), Date.parse(ip.last_seen)];
    this.agents.set(doc.agent.id, {
      id: doc.agent.id, name: doc.agent.name, ips, version: doc.collector?.version ?? null,
      first: doc.first_seen ? Date.parse(doc.first_seen) : null, last: doc.last_seen ? Date.parse(doc.last_seen) : null,
      events: doc.events ?? 0, alerts: doc.alerts ?? 0,
    });
  }

  /** `seq`: the batch's spool sequence (needed when only some hours are held). */
  fold(b: { agents: AgentDelta[]; stats: StatsDelta[]; seq?: number }): void {
    for (const d of b.agents) {
      let a = this.agents.get(d.id);
      if (!a) this.agents.set(d.id, (a = { id: d.id, name: d.name, ips: {}, version: null, first: null, last: null, events: 0, alerts: 0 }));
      a.name = d.name;
      if (d.version) a.version = d.version;
      a.first = a.first === null ? d.at : Math.min(a.first, d.at);
      a.last = a.last === null ? d.at : Math.max(a.last, d.at);
      a.events += d.events;
      a.alerts += d.alerts;
      for (const ip of d.ips) {
        const seen = a.ips[ip];
        if (seen) { seen[0] = Math.min(seen[0], d.at); seen[1] = Math.max(seen[1], d.at); } else a.ips[ip] = [d.at, d.at];
      }
      this.dirtyAgents.add(d.id);
    }
    for (const d of b.stats) {
      this.count(b.seq, d.hour, d.agent, d.name, d);
      this.count(b.seq, d.hour, TOTAL_AGENT, TOTAL_AGENT, d);
    }
  }

  private addLate(seq: number, hour: number, agent: string, name: string, d: { events: number; alerts: number; levels: number[]; firewall: number }): void {
    const key = `${seq}|${hour}|${agent}`;
    let l = this.late.get(key);
    if (!l) this.late.set(key, (l = { seq, counts: { hour, agent, name, events: 0, alerts: 0, levels: new Array(17).fill(0), firewall: 0 } }));
    addCounts(l.counts, d);
  }

  private addStats(hour: number, agent: string, name: string, d: { events: number; alerts: number; levels: number[]; firewall: number }): void {
    const key = `${hour}|${agent}`;
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { hour, agent, name, events: 0, alerts: 0, levels: new Array(17).fill(0), firewall: 0 }));
    addCounts(s, d);
    this.dirtyStats.add(key);
  }

  /** Documents changed since the last call (agents by id, stats by hour and agent). */
  takeDirty(): { agents: AgentDoc[]; stats: Array<{ hour: number; agent: string; doc: StatsDoc }>; late: LateStats[] } {
    const agents = [...this.dirtyAgents].map((id) => this.agentDoc(this.agents.get(id)!));
    const stats = [...this.dirtyStats].map((k) => {
      const s = this.stats.get(k)!;
      return { hour: s.hour, agent: s.agent, doc: this.statsDoc(s) };
    });
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

  agentDoc(a: AgentState): AgentDoc {
    return {
      agent: { id: a.id, name: a.name },
      ips: Object.entries(a.ips).map(([ip, [f, l]]) => ({ ip, first_seen: iso(f)!, last_seen: iso(l)! })),
      collector: { version: a.version },
      first_seen: iso(a.first),
      last_seen: iso(a.last),
      events: a.events,
      alerts: a.alerts,
    };
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

  /** State to persist with the spool position; hours older than `keepHours` (and written) are dropped. */
  snapshot(now = Date.now()): AggregateSnapshot {
    const cutoff = now - this.keepHours * HOUR;
    for (const [k, s] of this.stats) {
      if (this.dirtyStats.has(k)) continue;
      if (this.openHours === null ? s.hour < cutoff : s.hour < this.openFrom(s.agent)) this.stats.delete(k);
    }
    const out: AggregateSnapshot = { agents: [...this.agents.values()], stats: [...this.stats.values()] };
    if (this.openHours !== null) out.latestHours = Object.fromEntries(this.latestHour);
    return out;
  }
}

function addCounts(s: StatsState, d: { events: number; alerts: number; levels: number[]; firewall: number }): void {
  s.events += d.events;
  s.alerts += d.alerts;
  s.firewall += d.firewall;
  for (let i = 0; i < 17; i++) s.levels[i] += d.levels[i] ?? 0;
}
