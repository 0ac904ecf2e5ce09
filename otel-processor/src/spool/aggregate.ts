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
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class Aggregator {
  private readonly agents = new Map<string, AgentState>();
  private readonly stats = new Map<string, StatsState>();
  private readonly dirtyAgents = new Set<string>();
  private readonly dirtyStats = new Set<string>();

  constructor(private readonly instance: string, snapshot?: AggregateSnapshot | null, private readonly keepHours = 48) {
    if (snapshot) {
      for (const a of snapshot.agents ?? []) this.agents.set(a.id, a);
      for (const s of snapshot.stats ?? []) this.stats.set(`${s.hour}|${s.agent}`, s);
    }
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

  fold(b: { agents: AgentDelta[]; stats: StatsDelta[] }): void {
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
      this.addStats(d.hour, d.agent, d.name, d);
      this.addStats(d.hour, TOTAL_AGENT, TOTAL_AGENT, d);
    }
  }

  private addStats(hour: number, agent: string, name: string, d: { events: number; alerts: number; levels: number[]; firewall: number }): void {
    const key = `${hour}|${agent}`;
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { hour, agent, name, events: 0, alerts: 0, levels: new Array(17).fill(0), firewall: 0 }));
    s.events += d.events;
    s.alerts += d.alerts;
    s.firewall += d.firewall;
    for (let i = 0; i < 17; i++) s.levels[i] += d.levels[i] ?? 0;
    this.dirtyStats.add(key);
  }

  /** Documents changed since the last call (agents by id, stats by hour and agent). */
  takeDirty(): { agents: AgentDoc[]; stats: Array<{ hour: number; agent: string; doc: StatsDoc }> } {
    const agents = [...this.dirtyAgents].map((id) => this.agentDoc(this.agents.get(id)!));
    const stats = [...this.dirtyStats].map((k) => {
      const s = this.stats.get(k)!;
      return { hour: s.hour, agent: s.agent, doc: this.statsDoc(s) };
    });
    this.dirtyAgents.clear();
    this.dirtyStats.clear();
    return { agents, stats };
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
    const cutoff = now - this.keepHours * 3600_000;
    for (const [k, s] of this.stats) if (s.hour < cutoff && !this.dirtyStats.has(k)) this.stats.delete(k);
    return { agents: [...this.agents.values()], stats: [...this.stats.values()] };
  }
}
