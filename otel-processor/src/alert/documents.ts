/**
 * The documents Warden writes besides the alert (alert.ts): agents, hourly stats,
 * first-time-seen keys and the latest syscheck state of each file, with their ids and index
 * names. Described for readers in docs/elasticsearch-documents.md; keep the two in agreement.
 */
import { hash } from 'node:crypto';
import type { AlertDoc } from './alert';
import { syscheckStateDoc, type SyscheckStateDoc } from './syscheck';

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** SHA-1 (hex) of the parts, each followed by a NUL: one native call. */
const sha1 = (parts: ReadonlyArray<string | number>): string => {
  let s = '';
  for (const p of parts) s += `${p}\u0000`;
  return hash('sha1', s, 'hex');
};

// ---------------------------------------------------------------------------------------------
// syscheck (latest state of each file per agent)

/** `PREFIX-syscheck`. */
export function syscheckIndex(prefix: string): string {
  return `${prefix}-syscheck`;
}

/**
 * The `warden-syscheck` document (id sha1(agent.id, path)) an alert document of a
 * file-integrity record leaves behind; null for other alerts. Written by the exporters in spool
 * order, so the last change of a path wins (a deletion keeps its document, `event: deleted`).
 */
export function syscheckStateOf(doc: AlertDoc): SyscheckStateDoc | null {
  if (!doc.syscheck) return null;
  return syscheckStateDoc(doc.agent, doc.data, doc['@timestamp']);
}

// ---------------------------------------------------------------------------------------------
// agents

export interface AgentIpDoc { ip: string; first_seen: string; last_seen: string }

export interface AgentDoc {
  agent: { id: string; name: string };
  ips: AgentIpDoc[];
  collector: { version: string | null };
  /** Null for an agent that was registered (bound to a token) but never sent anything. */
  first_seen: string | null;
  last_seen: string | null;
  events: number;
  alerts: number;
}

/** An agent's running totals: times in ms, each address's first and last time. */
export interface AgentTotals {
  id: string;
  name: string;
  ips: Record<string, [number, number]>;
  version: string | null;
  first: number | null;
  last: number | null;
  events: number;
  alerts: number;
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function agentDocOf(a: AgentTotals): AgentDoc {
  return {
    agent: { id: a.id, name: a.name },
    ips: Object.entries(a.ips).map(([ip, [f, l]]) => ({ ip, first_seen: isoOrNull(f)!, last_seen: isoOrNull(l)! })),
    collector: { version: a.version },
    first_seen: isoOrNull(a.first),
    last_seen: isoOrNull(a.last),
    events: a.events,
    alerts: a.alerts,
  };
}

export function agentsIndex(prefix: string): string {
  return `${prefix}-agents`;
}

// ---------------------------------------------------------------------------------------------
// stats

export interface StatsDoc {
  '@timestamp': string;
  agent: { id: string; name: string };
  /** The Warden instance that counted these (replicas each write their own documents). */
  instance: string;
  events: number;
  alerts: number;
  alerts_by_level: Record<string, number>;
  firewall_events: number;
}

/** The agent id of the all-agents stats documents. */
export const TOTAL_AGENT = '_total';

/** `PREFIX-stats-YYYY.MM` for the UTC month of `hourMs`. */
export function statsIndex(prefix: string, hourMs: number): string {
  const d = new Date(hourMs);
  return `${prefix}-stats-${d.getUTCFullYear()}.${pad2(d.getUTCMonth() + 1)}`;
}

export function statsDocId(hourMs: number, agentId: string, instance: string): string {
  return sha1([hourMs, agentId, instance]);
}

// ---------------------------------------------------------------------------------------------
// first-time-seen

export interface FtsDoc {
  key: string;
  decoder: string;
  comment: string | null;
  '@timestamp': string;
}

export function ftsIndex(prefix: string): string {
  return `${prefix}-fts`;
}

export function ftsDocId(key: string): string {
  return sha1([key]);
}

/** `decoder`: the decoder that asked for the key (the engine names it); without it, the key's first word. */
export function toFtsDoc(key: string, comment: string | null, timeMs: number, decoder?: string | null): FtsDoc {
  const sp = key.indexOf(' ');
  return { key, decoder: decoder ?? (sp < 0 ? key : key.slice(0, sp)), comment, '@timestamp': new Date(timeMs).toISOString() };
}
