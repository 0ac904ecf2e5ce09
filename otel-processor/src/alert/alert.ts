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
import { isoTime, jsonNumber, ruleParts } from './output-parts';

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

/** The alert's `data` map: the static decoded fields, then the dynamic ones (never `data`). */
function alertData(ev: LogEvent): Record<string, string> {
  const data: Record<string, string> = {};
  for (const f of STATIC_DATA) {
    const v = ev.getField(f);
    if (v !== null) data[f] = v;
  }
  if (ev.fields) for (const [k, v] of ev.fields) if (k !== 'data') data[k] = v;
  return data;
}

/**
 * Event and verdict → alert document. `receivedAt`: the ISO form of the receive time (one per
 * request); `agentIp`: the sender's address, when known.
 */
export function buildAlert(ev: LogEvent, verdict: Verdict, receivedAt: string, agentIp: string | null = null): AlertDoc {
  const rule = verdict.rule!;
  const parts = ruleParts(rule);
  const data = alertData(ev);
  const r: AlertDoc['rule'] = {
    id: String(rule.id),
    level: rule.level,
    description: rule.dynamicDescription ? expandDescription(rule.description, ev) : rule.description,
    groups: rule.groups,
    firedtimes: verdict.firedTimes,
    mail: parts.mail,
  };
  if (rule.mitre.length) r.mitre = { id: rule.mitre };
  if (rule.info.length) r.info = rule.info;
  const doc: AlertDoc = {
    '@timestamp': isoTime(ev.time),
    received_at: receivedAt,
    rule: r,
    agent: agentIp ? { id: ev.agentId, name: ev.agentName ?? ev.hostname, ip: agentIp } : { id: ev.agentId, name: ev.agentName ?? ev.hostname },
    location: ev.location,
    data,
  };
  if (!parts.noFullLog) doc.full_log = ev.fullLog;
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

/** Characters JSON.stringify escapes in a string (lone surrogates too: any surrogate goes the slow way). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** JSON.stringify of a string: most need no escaping, and a test is cheaper than the serialiser. */
const q = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/** The last value and its JSON, for the fields that repeat from alert to alert (one request's agent, location). */
class Quoted {
  private last = '';
  private json = '""';
  of(s: string): string {
    if (s !== this.last) { this.json = q(s); this.last = s; }
    return this.json;
  }
}
const receivedAtJson = new Quoted();
const agentIdJson = new Quoted();
const agentNameJson = new Quoted();
const locationJson = new Quoted();

/**
 * `JSON.stringify(buildAlert(...))`, byte for byte, written directly: the rule's fixed parts
 * come from its cache, the time's from the second's, and no document object is built (the
 * service serialises one per alert).
 */
export function alertJson(ev: LogEvent, verdict: Verdict, receivedAt: string, agentIp: string | null = null): string {
  const rule = verdict.rule!;
  const parts = ruleParts(rule);
  let s = `{"@timestamp":"${isoTime(ev.time)}","received_at":${receivedAtJson.of(receivedAt)},"rule":${parts.jsonRuleHead}`;
  s += parts.jsonDescription ?? q(expandDescription(rule.description, ev));
  s += `${parts.jsonRuleMid}${jsonNumber(verdict.firedTimes)}${parts.jsonRuleTail},"agent":{"id":${agentIdJson.of(ev.agentId)},"name":${agentNameJson.of(ev.agentName ?? ev.hostname)}`;
  if (agentIp) s += `,"ip":${q(agentIp)}`;
  s += `},"location":${locationJson.of(ev.location)},"data":`;
  let syscheck: Record<string, string | number> | null = null;
  if (ev.fields === null) {
    // only static fields: their JSON in STATIC_FIELDS order, without the object
    let d = '';
    for (const f of STATIC_DATA) {
      const v = ev.getField(f);
      if (v !== null) d += `,"${f}":${q(v)}`;
    }
    s += d === '' ? '{}' : `{${d.slice(1)}}`;
  } else {
    const data = alertData(ev);
    s += JSON.stringify(data);
    if (data['warden.event.kind'] === 'syscheck') syscheck = syscheckAlertFields(data);
  }
  if (!parts.noFullLog) s += `,"full_log":${q(ev.fullLog)}`;
  if (ev.decoderName !== null) {
    s += `,"decoder":{"name":${q(ev.decoderName)}`;
    if (ev.decoderParent !== null && ev.decoderParent !== ev.decoderName) s += `,"parent":${q(ev.decoderParent)}`;
    s += '}';
  }
  if (ev.programName !== null || ev.headerTimestamp !== null || ev.hostname) {
    let pre = '';
    if (ev.programName !== null) pre += `,"program_name":${q(ev.programName)}`;
    if (ev.headerTimestamp !== null) pre += `,"timestamp":${q(ev.headerTimestamp)}`;
    if (ev.hostname) pre += `,"hostname":${q(ev.hostname)}`;
    s += `,"predecoder":{${pre.slice(1)}}`;
  }
  if (verdict.previousOutput && verdict.previousOutput.length) s += `,"previous_output":${q(verdict.previousOutput.join('\n'))}`;
  if (syscheck) s += `,"syscheck":${JSON.stringify(syscheck)}`;
  return `${s}}`;
}

/** Whether a serialised alert document may carry a syscheck object (cheap test before parsing). */
const SYSCHECK_KEY = Buffer.from('"syscheck":{');
export function mayHaveSyscheck(docJson: Buffer): boolean {
  return docJson.includes(SYSCHECK_KEY);
}
