/**
 * What one processed request (or one internal event) produced: the unit the spool stores.
 *
 * Payload form (version 2): one line of JSON with everything but the alert documents
 * ({@link BatchMeta}), then each alert document as one line of JSON. Every document is
 * serialised once, by the processor; the exporters put those bytes into `_bulk` bodies and
 * `alerts.json` as they are, and parse a document only when they need its fields. JSON never
 * contains a raw newline, so the lines split safely. A payload without a newline is the
 * version-1 form (the whole batch as one JSON object), still read when a spool written by an
 * older Warden is replayed.
 */
import type { AlertDoc, AlertRecord } from '../alert/alert';
import type { AgentTotals, FtsDoc } from '../alert/documents';

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

/** Adds one batch's delta of an agent to its totals. */
export function foldAgentDelta(a: AgentTotals, d: AgentDelta): void {
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

/** The first line of a version-2 payload. `a`: [id, index] of each alert, in the order of the document lines. */
export interface BatchMeta {
  v: 2;
  at: number;
  a: Array<[string, string]>;
  fts: FtsDoc[];
  agents: AgentDelta[];
  stats: StatsDelta[];
}

const NL = 10;

/** A batch as the exporters read it: the counts, and the alert documents as their JSON bytes. */
export class SpoolBatch {
  private parsed: Array<AlertDoc | undefined> | null = null;

  constructor(
    /** Spool sequence number: contiguous, increasing, never reused. */
    readonly seq: number,
    readonly meta: BatchMeta,
    /** The alert documents' JSON, one per entry of `meta.a`. */
    readonly docs: Buffer[],
  ) {}

  get at(): number { return this.meta.at; }
  get fts(): FtsDoc[] { return this.meta.fts; }
  get agents(): AgentDelta[] { return this.meta.agents; }
  get stats(): StatsDelta[] { return this.meta.stats; }
  get alertCount(): number { return this.meta.a.length; }
  alertId(i: number): string { return this.meta.a[i][0]; }
  alertIndex(i: number): string { return this.meta.a[i][1]; }

  /** The i-th alert document, parsed (once). */
  doc(i: number): AlertDoc {
    this.parsed ??= new Array(this.docs.length);
    return (this.parsed[i] ??= JSON.parse(this.docs[i].toString('utf8')) as AlertDoc);
  }

  alert(i: number): AlertRecord {
    return { id: this.alertId(i), index: this.alertIndex(i), doc: this.doc(i) };
  }

  /** Reads a payload (either form). Throws on one that is not JSON. */
  static decode(seq: number, payload: Buffer): SpoolBatch {
    let nl = payload.indexOf(NL);
    if (nl < 0) {
      // version 1: {at, alerts: [{id, index, doc}], fts, agents, stats}
      const b = JSON.parse(payload.toString('utf8')) as BatchBody;
      return SpoolBatch.fromBody(seq, b);
    }
    const meta = JSON.parse(payload.toString('utf8', 0, nl)) as BatchMeta;
    const docs: Buffer[] = new Array(meta.a.length);
    let off = nl + 1;
    for (let i = 0; i < docs.length; i++) {
      nl = payload.indexOf(NL, off);
      const end = nl < 0 ? payload.length : nl;
      docs[i] = payload.subarray(off, end);
      off = end + 1;
    }
    return new SpoolBatch(seq, meta, docs);
  }

  static fromBody(seq: number, b: BatchBody): SpoolBatch {
    const meta: BatchMeta = { v: 2, at: b.at, a: b.alerts.map((a) => [a.id, a.index]), fts: b.fts, agents: b.agents, stats: b.stats };
    return new SpoolBatch(seq, meta, b.alerts.map((a) => Buffer.from(JSON.stringify(a.doc))));
  }
}

/**
 * Builds a version-2 payload piece by piece: the processor adds each alert with its document
 * already serialised.
 */
export class BatchWriter {
  private readonly ids: Array<[string, string]> = [];
  private readonly docs: string[] = [];

  get alertCount(): number {
    return this.ids.length;
  }

  addAlert(id: string, index: string, docJson: string): void {
    this.ids.push([id, index]);
    this.docs.push(docJson);
  }

  /** The payload, or null when the batch carries nothing. */
  finish(at: number, fts: FtsDoc[], agents: AgentDelta[], stats: StatsDelta[]): Buffer | null {
    if (this.ids.length === 0 && fts.length === 0 && agents.length === 0 && stats.length === 0) return null;
    const meta: BatchMeta = { v: 2, at, a: this.ids, fts, agents, stats };
    const head = JSON.stringify(meta);
    return Buffer.from(this.docs.length ? `${head}\n${this.docs.join('\n')}` : `${head}\n`, 'utf8');
  }
}

/** A whole body (internal events such as "agent disconnected") as a payload. */
export function encodeBody(b: BatchBody): Buffer | null {
  const w = new BatchWriter();
  for (const a of b.alerts) w.addAlert(a.id, a.index, JSON.stringify(a.doc));
  return w.finish(b.at, b.fts, b.agents, b.stats);
}
