/**
 * OTLP log record → engine event. The body (a string, or a map flattened to dynamic fields),
 * the source attribute as the location, the record time (observed time as fallback), and the
 * agent from the resource (`warden.agent.id`, `host.id`, `host.name`) or from the bearer token.
 */
import { LogEvent } from '../../engine/event';
import { applyJsonFields, flattenObject } from '../../engine/decode/plugins';
import type { AnyJs, InRecord, InResource } from './decode';
import { fromMap, fromXml, isWindowsEventMap, isWindowsEventXml, ossecLine, windowsFields } from './windows';

/** Location for syscheck records that carry no log.file.* attribute (OSSEC's was `syscheck`). */
const SYSCHECK_LOCATION = 'syscheck';

/** Who sent a resource's records. */
export interface AgentIdentity {
  id: string;
  name: string;
  /** Addresses the agent is known by (resource `host.ip`, else the peer address). */
  ips: string[];
}

/** What the transport knows about the request. */
export interface RequestContext {
  /** Agent bound to the bearer token, when the token is bound to one. */
  boundAgent: { id: string; name: string } | null;
  peerIp: string | null;
  /** The sender's software and version (User-Agent), e.g. `OpenTelemetry Collector Contrib/0.98.0`. */
  userAgent: string | null;
  /** Which receiver took it (for the metrics). */
  transport?: 'http' | 'grpc';
}

export interface MappingOptions {
  /** Longest accepted log text in bytes (approximate: UTF-16 length); longer records are rejected. */
  maxLogBytes: number;
  /** Most dynamic fields taken from a map body and attributes. */
  maxFields: number;
}

/** Attributes that describe the source rather than the event; not copied as fields. */
const SOURCE_ATTRS = new Set(['log.file.path', 'log.file.name', 'log.file.path_resolved', 'log.file.name_resolved', 'log.iostream', 'log.file.record_number', 'log.record.uid', 'log.record.original']);

const CLEAN = /[\u0000-\u001f\u007f]/g;

function text(v: AnyJs | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.length ? text(v[0]) : null;
  return null;
}

function ident(v: AnyJs | undefined): string | null {
  const t = text(v);
  if (t === null) return null;
  const s = t.replace(CLEAN, '').trim().slice(0, 256);
  return s === '' ? null : s;
}

export function resolveAgent(res: InResource, ctx: RequestContext): AgentIdentity {
  const a = res.attributes;
  const hostName = ident(a['host.name']);
  let ips: string[] = [];
  const hip = a['host.ip'];
  if (Array.isArray(hip)) ips = hip.map(ident).filter((x): x is string => x !== null);
  else if (ident(hip)) ips = [ident(hip)!];
  if (ips.length === 0 && ctx.peerIp) ips = [ctx.peerIp];
  if (ctx.boundAgent) return { id: ctx.boundAgent.id, name: ctx.boundAgent.name, ips };
  const id = ident(a['warden.agent.id']) ?? ident(a['host.id']) ?? hostName ?? (ctx.peerIp ? `ip-${ctx.peerIp}` : 'unknown');
  return { id, name: hostName ?? id, ips };
}

/** JSON text for a map body (Buffers as base64), the form OSSEC's JSON decoder reads. */
function jsonText(v: AnyJs): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data)) {
      return Buffer.from((x as { data: number[] }).data).toString('base64');
    }
    return x;
  });
}

/** 9999-12-31T23:59:59.999Z: the latest time an alert document (and Elasticsearch's date format) can carry. */
const LATEST_TIME_MS = 253402300799999;

export type MapResult = { ok: true; event: LogEvent } | { ok: false; reason: string };

/** Maps one record; never throws on what the sender put in it. */
export function mapRecord(rec: InRecord, agent: AgentIdentity, opts: MappingOptions, now: number): MapResult {
  const time = rec.timeMs > 0 ? rec.timeMs : rec.observedMs > 0 ? rec.observedMs : now;
  if (time > LATEST_TIME_MS) return { ok: false, reason: `record time ${time} ms is after the year 9999` };
  const attrs = rec.attributes;
  const body = rec.body;
  let fullLog: string;
  let fields: Array<[string, string]> | null = null;
  let location = attrs ? ident(attrs['log.file.path']) ?? ident(attrs['log.file.name']) : null;
  let windows = false;
  if (typeof body === 'string') {
    if (isWindowsEventXml(body)) {
      const we = fromXml(body);
      fullLog = ossecLine(we, time);
      fields = windowsFields(we);
      windows = true;
    } else fullLog = body;
  } else if (body === undefined || body === null) {
    return { ok: false, reason: 'record has no body' };
  } else if (typeof body === 'number' || typeof body === 'boolean') {
    fullLog = String(body);
  } else if (Buffer.isBuffer(body)) {
    fullLog = body.toString('utf8');
  } else if (isWindowsEventMap(body)) {
    const we = fromMap(body);
    fullLog = ossecLine(we, time);
    fields = windowsFields(we);
    windows = true;
  } else {
    fullLog = jsonText(body);
    fields = flattenObject(body, { maxPairs: opts.maxFields });
  }
  if (fullLog.length === 0) return { ok: false, reason: 'record has an empty body' };
  if (fullLog.length > opts.maxLogBytes) return { ok: false, reason: `record body longer than ${opts.maxLogBytes} bytes` };
  if (location === null) {
    // FIM records name no file of their own: OSSEC filed them under `syscheck`.
    location = windows ? 'WinEvtLog' : attrs?.['warden.event.kind'] === 'syscheck' ? SYSCHECK_LOCATION : 'otlp';
  }
  const ev = new LogEvent(fullLog, location, agent.name, time);
  ev.agentId = agent.id;
  ev.agentName = agent.name;
  // OSSEC's agent location `(name) ip->path`: the agent's unique identity (Warden: its id; names
  // may repeat) and `any`, as for an agent registered with no fixed address (none is registered here).
  ev.remoteOrigin = `(${agent.id}) any`;
  if (fields && fields.length) applyJsonFields(ev, fields, opts.maxFields);
  if (attrs) {
    let extra: Record<string, AnyJs> | null = null;
    for (const k in attrs) {
      if (SOURCE_ATTRS.has(k)) continue;
      (extra ??= {})[k] = attrs[k];
    }
    if (extra) applyJsonFields(ev, flattenObject(extra, { maxPairs: opts.maxFields }), opts.maxFields);
  }
  return { ok: true, event: ev };
}
