/**
 * The one module that owns the shape of every document Warden writes (to Elasticsearch, the
 * file sink and the OTLP exporter alike); the Elasticsearch mappings are in
 * exporters/elasticsearch/templates.ts. Described for readers in
 * docs/elasticsearch-documents.md; keep the two in agreement.
 */
import { hash } from 'node:crypto';
import { expandDescription, type Alert } from './alert';
import { STATIC_FIELDS, type LogEvent } from '../engine/event';
import type { Verdict } from '../engine/engine';
import { syscheckAlertFields, syscheckStateDoc, type SyscheckStateDoc } from './syscheck';

// ---------------------------------------------------------------------------------------------
// alerts

export interface AlertDoc {
  '@timestamp': string;
  received_at: string;
  rule: {
    id: string;
    level: number;
    description: string;
    groups: string[];
    firedtimes: number;
    mitre?: { id: string[] };
    info?: Array<{ type: string; value: string }>;
    mail: boolean;
  };
  agent: { id: string; name: string; ip?: string };
  location: string;
  full_log?: string;
  decoder?: { name: string; parent?: string };
  predecoder?: { hostname?: string; program_name?: string; timestamp?: string };
  data: Record<string, string>;
  previous_output?: string;
  syscheck?: Record<string, string | number>;
}

/** An alert document with its id and index, as the spool carries it. */
export interface AlertRecord {
  id: string;
  index: string;
  doc: AlertDoc;
}

/** SHA-1 (hex) of the parts, each followed by a NUL: one native call. */
const sha1 = (parts: ReadonlyArray<string | number>): string => {
  let s = '';
  for (const p of parts) s += `${p}\u0000`;
  return hash('sha1', s, 'hex');
};

/**
 * Deterministic alert id: the same record (agent, location, record time, position in its
 * request or its own record id, log line) always gets the same id. The rule is not part of it:
 * one record raises at most one alert, and a retried record can meet a different engine state
 * (e.g. its first-time-seen key is now known), which must not make a second alert of it.
 */
export function alertDocId(agentId: string, location: string, recordTime: number, position: string, fullLog: string): string {
  return hash('sha1', `${agentId}\u0000${location}\u0000${recordTime}\u0000${position}\u0000${fullLog}\u0000`, 'hex');
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `PREFIX-alerts-YYYY.MM.DD` for the UTC day of `timeMs`. */
export function alertIndex(prefix: string, timeMs: number): string {
  const d = new Date(timeMs);
  return `${prefix}-alerts-${d.getUTCFullYear()}.${pad2(d.getUTCMonth() + 1)}.${pad2(d.getUTCDate())}`;
}

/** The UTC day of an alerts index name, or null when the name is not one. */
export function alertIndexDay(prefix: string, index: string): number | null {
  const m = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-alerts-(\\d{4})\\.(\\d{2})\\.(\\d{2})$`).exec(index);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? null : t;
}

export interface AlertExtras {
  receivedAt: number;
  agentIp?: string | null;
}

/** Alert (engine vocabulary) → alert document. */
export function toAlertDoc(alert: Alert, extras: AlertExtras): AlertDoc {
  const data: Record<string, string> = {};
  for (const k in alert.data) {
    if (k === 'data') continue; // same slot as extra_data in OSSEC; written once, as extra_data
    data[k] = alert.data[k];
  }
  const doc: AlertDoc = {
    '@timestamp': alert.timestamp,
    received_at: new Date(extras.receivedAt).toISOString(),
    rule: {
      id: String(alert.rule.id),
      level: alert.rule.level,
      description: alert.rule.description,
      groups: alert.rule.groups,
      firedtimes: alert.rule.firedtimes,
      mail: alert.rule.mail,
    },
    agent: { id: alert.agent.id, name: alert.agent.name },
    location: alert.location,
    data,
  };
  if (alert.rule.mitre && alert.rule.mitre.length) doc.rule.mitre = { id: alert.rule.mitre };
  if (alert.rule.info && alert.rule.info.length) doc.rule.info = alert.rule.info;
  if (extras.agentIp) doc.agent.ip = extras.agentIp;
  if (alert.full_log !== undefined) doc.full_log = alert.full_log;
  if (alert.decoder) doc.decoder = alert.decoder;
  if (alert.predecoder && Object.keys(alert.predecoder).length) doc.predecoder = alert.predecoder;
  if (alert.previous_output) doc.previous_output = alert.previous_output;
  return doc;
}

const STATIC_DATA = STATIC_FIELDS.filter((f) => f !== 'data');

/**
 * Event and verdict → alert document, directly: the same document as
 * `toAlertDoc(buildAlert(ev, verdict, id), extras)` without the intermediate form.
 * `receivedAt`: the ISO form of the receive time (one per request).
 */
export function alertDocOf(ev: LogEvent, verdict: Verdict, receivedAt: string, agentIp: string | null): AlertDoc {
  const rule = verdict.rule!;
  const data: Record<string, string> = {};
  for (const f of STATIC_DATA) {
    const v = ev.getField(f);
    if (v !== null) data[f] = v;
  }
  if (ev.fields) for (const [k, v] of ev.fields) if (k !== 'data') data[k] = v;
  const r: AlertDoc['rule'] = {
    id: String(rule.id),
    level: rule.level,
    description: rule.dynamicDescription ? expandDescription(rule.description, ev) : rule.description,
    groups: rule.groups,
    firedtimes: verdict.firedTimes,
    mail: rule.options.has('alert_by_email'),
  };
  if (rule.mitre.length) r.mitre = { id: rule.mitre };
  if (rule.info.length) r.info = rule.info;
  const doc: AlertDoc = {
    '@timestamp': new Date(ev.time).toISOString(),
    received_at: receivedAt,
    rule: r,
    agent: agentIp ? { id: ev.agentId, name: ev.agentName ?? ev.hostname, ip: agentIp } : { id: ev.agentId, name: ev.agentName ?? ev.hostname },
    location: ev.location,
    data,
  };
  if (!rule.options.has('no_full_log')) doc.full_log = ev.fullLog;
  if (ev.decoderName !== null) {
    doc.decoder = ev.decoderParent !== null && ev.decoderParent !== ev.decoderName ? { name: ev.decoderName, parent: ev.decoderParent } : { name: ev.decoderName };
  }
  if (ev.programName !== null || ev.headerTimestamp !== null || ev.hostname) {
    const pre: NonNullable<AlertDoc['predecoder']> = {};
    if (ev.programName !== null) pre.program_name = ev.programName;
    if (ev.headerTimestamp !== null) pre.timestamp = ev.headerTimestamp;
    if (ev.hostname) pre.hostname = ev.hostname;
    doc.predecoder = pre;
  }
  if (verdict.previousOutput && verdict.previousOutput.length) doc.previous_output = verdict.previousOutput.join('\n');
  if (data['warden.event.kind'] === 'syscheck') {
    // file-integrity records: the typed syscheck object beside the data['syscheck.*'] keywords
    const sc = syscheckAlertFields(data);
    if (sc) doc.syscheck = sc;
  }
  return doc;
}

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

/** Whether a serialised alert document may carry a syscheck object (cheap test before parsing). */
const SYSCHECK_KEY = Buffer.from('"syscheck":{');
export function mayHaveSyscheck(docJson: Buffer): boolean {
  return docJson.includes(SYSCHECK_KEY);
}

/** Alert document → the engine's Alert form (for OSSEC's alerts.log text). */
export function fromAlertDoc(id: string, doc: AlertDoc): Alert {
  const a: Alert = {
    id,
    timestamp: doc['@timestamp'],
    rule: {
      id: Number(doc.rule.id),
      level: doc.rule.level,
      description: doc.rule.description,
      groups: doc.rule.groups,
      firedtimes: doc.rule.firedtimes,
      mail: doc.rule.mail,
    },
    agent: { id: doc.agent.id, name: doc.agent.name },
    location: doc.location,
    data: doc.data,
  };
  if (doc.rule.mitre) a.rule.mitre = doc.rule.mitre.id;
  if (doc.full_log !== undefined) a.full_log = doc.full_log;
  if (doc.decoder) a.decoder = doc.decoder;
  if (doc.predecoder) a.predecoder = doc.predecoder;
  if (doc.previous_output) a.previous_output = doc.previous_output;
  return a;
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
