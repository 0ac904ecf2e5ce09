/** What one processed request (or one internal event) produced: the unit the spool stores. */
import type { AlertRecord, FtsDoc } from '../exporters/elasticsearch/documents';

/** Per-agent counts and sightings in one batch. */
export interface AgentDelta {
  id: string;
  name: string;
  ips: string[];
  version: string | null;
  /** When Warden received it (ms). */
  at: number;
  events: number;
  alerts: number;
}

/** Per-hour, per-agent counts in one batch (the all-agents totals are derived by readers of the batch). */
export interface StatsDelta {
  /** Start of the hour (ms). */
  hour: number;
  agent: string;
  name: string;
  events: number;
  alerts: number;
  /** Alert counts by level 0..16. */
  levels: number[];
  firewall: number;
}

export interface BatchBody {
  /** When it was produced (ms). */
  at: number;
  alerts: AlertRecord[];
  fts: FtsDoc[];
  agents: AgentDelta[];
  stats: StatsDelta[];
}

export interface Batch extends BatchBody {
  /** Spool sequence number: contiguous, increasing, never reused. */
  seq: number;
}

export function isEmptyBatch(b: BatchBody): boolean {
  return b.alerts.length === 0 && b.fts.length === 0 && b.agents.length === 0 && b.stats.length === 0;
}
