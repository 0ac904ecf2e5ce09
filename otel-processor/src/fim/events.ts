/**
 * FIM events and their OTLP log record form (documented in otel-processor/src/fim/README.md):
 * body is one line in OSSEC's words, attributes carry `warden.event.kind=syscheck`, the path
 * and the before/after values, so Warden's rules 554 (added), 550 (modified), 553 (deleted) apply.
 */
import { createHash } from 'node:crypto';
import type { FileState } from './state';

export type FimEventKind = 'added' | 'modified' | 'deleted';

export interface FimEvent {
  event: FimEventKind;
  /** File path, or registry key for registry entries. */
  path: string;
  /** How the change was seen. */
  mode: 'scheduled' | 'realtime';
  type: 'file' | 'registry';
  before: FileState | null;
  after: FileState | null;
  /** Checked attributes that changed (modified only), e.g. `size, md5, sha1, sha256`. */
  changed: string[];
  /** Unified diff of the contents (report_changes, small text files). */
  diff?: string;
  /** Registry value name (registry values only). */
  valueName?: string;
  /** Registry value type after (or before, when deleted), e.g. REG_SZ. */
  valueType?: string;
  /** When the change was seen, ms since the epoch. */
  time: number;
}

/** A record as the outbox keeps it (string attributes only). */
export interface OutRecord {
  time: number;
  body: string;
  attributes: Record<string, string>;
}

function describe(ev: FimEvent): string {
  const what = ev.type === 'registry' ? (ev.valueName !== undefined ? 'Registry value' : 'Registry key') : 'File';
  const p = ev.type === 'registry' && ev.valueName !== undefined ? `${ev.path}\\${ev.valueName}` : ev.path;
  switch (ev.event) {
    case 'added': return ev.type === 'registry' ? `${what} '${p}' added.` : `New file '${p}' added to the file system.`;
    case 'deleted': return `${what} '${p}' was deleted.`;
    default: return `Integrity checksum changed for: '${p}' (${ev.changed.join(', ')})`;
  }
}

const STATE_KEYS: Array<keyof FileState> = ['size', 'perm', 'uid', 'gid', 'uname', 'gname', 'mtime', 'inode', 'md5', 'sha1', 'sha256'];

function stateValue(s: FileState, k: keyof FileState): string {
  if (k === 'mtime') return new Date(s.mtime).toISOString();
  return String(s[k]);
}

/** The record for an event. `log.record.uid` is derived from the change itself, so a resent record keeps its id. */
export function toRecord(ev: FimEvent, hostName: string): OutRecord {
  const a: Record<string, string> = {
    'warden.event.kind': 'syscheck',
    'syscheck.event': ev.event,
    'syscheck.path': ev.path,
    'syscheck.type': ev.type,
    'syscheck.mode': ev.mode,
  };
  if (ev.changed.length) a['syscheck.changed_attributes'] = ev.changed.join(',');
  if (ev.valueName !== undefined) a['syscheck.value_name'] = ev.valueName;
  if (ev.valueType !== undefined) a['syscheck.value_type'] = ev.valueType;
  for (const [side, s] of [['before', ev.before], ['after', ev.after]] as const) {
    if (!s) continue;
    for (const k of STATE_KEYS) {
      const v = stateValue(s, k);
      if (v !== '') a[`syscheck.${k}_${side}`] = v;
    }
  }
  if (ev.diff) a['syscheck.diff'] = ev.diff;
  const id = createHash('sha1');
  for (const part of [hostName, ev.type, ev.path, ev.valueName ?? '', ev.event, ev.before?.sha256 ?? '', ev.before?.mtime ?? '', ev.before?.perm ?? '', ev.after?.sha256 ?? '', ev.after?.mtime ?? '', ev.after?.perm ?? '', ev.after?.inode ?? '', ev.time]) {
    id.update(String(part));
    id.update('\u0000');
  }
  a['log.record.uid'] = id.digest('hex');
  return { time: ev.time, body: describe(ev), attributes: a };
}

export interface ResourceIdentity {
  hostName: string;
  agentId: string | null;
}

/** OTLP ExportLogsServiceRequest in the protobufjs / OTLP-JSON object form (camelCase). */
export function toOtlpRequest(records: OutRecord[], who: ResourceIdentity, version: string): Record<string, unknown> {
  const resAttrs = [
    { key: 'host.name', value: { stringValue: who.hostName } },
    { key: 'service.name', value: { stringValue: 'warden-fim' } },
  ];
  if (who.agentId) resAttrs.push({ key: 'warden.agent.id', value: { stringValue: who.agentId } });
  return {
    resourceLogs: [{
      resource: { attributes: resAttrs },
      scopeLogs: [{
        scope: { name: 'warden-fim', version },
        logRecords: records.map((r) => ({
          timeUnixNano: String(BigInt(r.time) * 1_000_000n),
          observedTimeUnixNano: String(BigInt(r.time) * 1_000_000n),
          severityNumber: 9,
          severityText: 'INFO',
          body: { stringValue: r.body },
          attributes: Object.entries(r.attributes).map(([key, v]) => ({ key, value: { stringValue: v } })),
        })),
      }],
    }],
  };
}
