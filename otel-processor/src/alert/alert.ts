/**
 * The alert: what Warden raises when a rule fires, as the one document every consumer gets
 * (Elasticsearch, alerts.json, alerts.log, the OTLP exporter, `warden analyze`). Built from the
 * event and the verdict, in OSSEC's vocabulary (rule, agent, location, full_log, decoder,
 * predecoder, data.*); described in docs/elasticsearch-documents.md.
 */
import { hash } from 'node:crypto';
import { STATIC_FIELDS, type LogEvent } from '../engine/event';
import type { Verdict } from '../engine/engine';
import { syscheckAlertFields } from './syscheck';

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

/** Expands Wazuh's `$(field)` placeholders in a description. */
export function expandDescription(text: string, ev: LogEvent): string {
  return text.replace(/\$\(([\w.\-@]+)\)/g, (_m, name: string) => ev.getField(name) ?? '');
}

const STATIC_DATA = STATIC_FIELDS.filter((f) => f !== 'data');

/**
 * Event and verdict → alert document. `receivedAt`: the ISO form of the receive time (one per
 * request); `agentIp`: the sender's address, when known.
 */
export function buildAlert(ev: LogEvent, verdict: Verdict, receivedAt: string, agentIp: string | null = null): AlertDoc {
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

/** Whether a serialised alert document may carry a syscheck object (cheap test before parsing). */
const SYSCHECK_KEY = Buffer.from('"syscheck":{');
export function mayHaveSyscheck(docJson: Buffer): boolean {
  return docJson.includes(SYSCHECK_KEY);
}
