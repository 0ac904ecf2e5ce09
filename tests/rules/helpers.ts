/**
 * Shared helpers for the tests of Warden's own ruleset (`rules/`): one loaded ruleset,
 * fresh engines, and events built the way the CLI (text lines) and the OTLP receiver
 * (structured records) build them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRuleset, type LoadedRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { Engine, LogEvent, type EngineOptions, type Verdict } from '../../otel-processor/src/engine/engine';
import { lineEvent } from '../../otel-processor/src/cli/session';
import { mapRecord, type AgentIdentity } from '../../otel-processor/src/receiver/otlp/mapping';
import type { AnyJs, InRecord } from '../../otel-processor/src/receiver/otlp/decode';
import { toRecord, type FimEvent } from '../../otel-processor/src/fim/events';

export const ROOT = path.resolve(__dirname, '..', '..');
export const RULESET_DIR = path.join(ROOT, 'rules');
export const TESTS_DIR = __dirname;
export const T0 = Date.UTC(2023, 9, 11, 12, 0, 0);

let loaded: LoadedRuleset | null = null;
export function ruleset(): LoadedRuleset {
  if (!loaded) {
    enableLinearRegexpFallback();
    loaded = loadRuleset(RULESET_DIR);
  }
  return loaded;
}

export function engine(opts: EngineOptions = {}): Engine {
  const l = ruleset();
  return new Engine(l.ruleset, { logAlertLevel: l.logAlertLevel, ...opts });
}

/**
 * A text line as `warden analyze` reads it, `ms` after T0. `location` as OSSEC's queue gives it:
 * a file, or `(agent) ip->path` for a line an agent sent (one agent per host).
 */
export function line(text: string, ms = 0, location = 'stdin'): LogEvent {
  return lineEvent(text, location, T0 + ms);
}

const AGENT: AgentIdentity = { id: '001', name: 'dc01', ips: ['10.20.0.10'] };

/** A structured OTLP record mapped exactly as the receiver maps it (map body, attributes). */
export function record(body: AnyJs, attributes: Record<string, AnyJs> | null = null, ms = 0, agent: AgentIdentity = AGENT): LogEvent {
  const rec: InRecord = { timeMs: T0 + ms, observedMs: T0 + ms, severityNumber: 0, severityText: '', body, attributes, position: '0.0.0' };
  const r = mapRecord(rec, agent, { maxLogBytes: 65536, maxFields: 256 }, T0 + ms);
  if (!r.ok) throw new Error(`record not mapped: ${r.reason}`);
  return r.event;
}

/** A Windows event as the collector's windowseventlog receiver sends it (map body). */
export function winEvent(
  eventId: number,
  keyword: 'Audit Success' | 'Audit Failure' | null,
  data: Record<string, string>,
  opts: { channel?: string; provider?: string; level?: string; ms?: number } = {},
): LogEvent {
  return record({
    channel: opts.channel ?? 'Security',
    computer: 'DC01.corp.example',
    event_id: { id: eventId, qualifiers: 0 },
    provider: { name: opts.provider ?? 'Microsoft-Windows-Security-Auditing', guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}' },
    level: opts.level ?? 'Information',
    keywords: keyword ? [keyword] : [],
    record_id: 1000 + eventId,
    message: `Event ${eventId}`,
    event_data: { data: Object.entries(data).map(([k, v]) => ({ [k]: v })) },
  } as AnyJs, null, opts.ms ?? 0);
}

const STATE = { size: 1200, perm: '100644', uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: T0 - 86400000, inode: 4242, md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64) };

/** A file-integrity record as `warden fim` sends it, mapped by the receiver. */
export function fimEvent(event: FimEvent['event'], p: string, opts: { registry?: boolean; valueName?: string } = {}): LogEvent {
  const changedAfter = { ...STATE, size: 1300, sha256: 'd'.repeat(64), mtime: T0 };
  const ev: FimEvent = {
    event,
    path: p,
    mode: 'realtime',
    type: opts.registry ? 'registry' : 'file',
    before: event === 'added' ? null : STATE,
    after: event === 'deleted' ? null : event === 'added' ? STATE : changedAfter,
    changed: event === 'modified' ? ['size', 'mtime', 'sha256'] : [],
    ...(opts.valueName !== undefined ? { valueName: opts.valueName, valueType: 'REG_SZ' } : {}),
    time: T0,
  };
  const out = toRecord(ev, 'web01');
  return record(out.body, out.attributes);
}

export interface Got { rule: number | null; level: number | null; decoder: string | null; alert: boolean }
export function verdictOf(ev: LogEvent, v: Verdict): Got {
  return { rule: v.rule ? v.rule.id : null, level: v.rule ? v.rule.level : null, decoder: ev.decoderName ?? null, alert: v.alert };
}

/** Feeds events in order into one engine; returns the rule id settled on for each. */
export function feed(e: Engine, events: LogEvent[]): Array<number | null> {
  return events.map((ev) => {
    const v = e.process(ev);
    return v.rule ? v.rule.id : null;
  });
}

/** Every `<rule id=` in rules/rules/*.xml, with its file. */
export function ruleIdsInXml(): Map<number, string> {
  const dir = path.join(RULESET_DIR, 'rules');
  const out = new Map<number, string>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.xml')).sort()) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const m of text.matchAll(/<rule\s+[^>]*?\bid="(\d+)"/g)) out.set(Number(m[1]), f);
  }
  return out;
}

/** The `rule = ID` ids of the .ini files in tests/rules. */
export function ruleIdsInIni(): Set<number> {
  const out = new Set<number>();
  for (const f of fs.readdirSync(TESTS_DIR).filter((x) => x.endsWith('.ini'))) {
    for (const m of fs.readFileSync(path.join(TESTS_DIR, f), 'utf8').matchAll(/^rule\s*=\s*(\d+)\s*$/gm)) out.add(Number(m[1]));
  }
  return out;
}
