/**
 * `warden.yaml`: every setting with its default, its environment variable and its check.
 * Environment variables win over the file; the file wins over the defaults. Errors name the
 * setting (and where its value came from).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type Setting, type SettingValues } from '../config/setting';
import { PROCESSOR_SETTINGS, processorFromSettings, type ProcessorConfig } from '../processor/settings';
import { RECEIVER_SETTINGS, receiverFromSettings, type ReceiverConfig } from '../receiver/otlp/settings';
import { SPOOL_SETTINGS, spoolFromSettings, type SpoolConfig } from '../spool/settings';
import { FILE_EXPORTER_SETTINGS, fileExporterFromSettings, type FileExporterConfig } from '../exporters/file/settings';
import { ELASTICSEARCH_SETTINGS, checkElasticsearchConfig, elasticsearchFromSettings, type ElasticsearchConfig } from '../exporters/elasticsearch/settings';
import { OTLP_EXPORTER_SETTINGS, otlpExporterFromSettings, type OtlpExporterConfig } from '../exporters/otlp/settings';

export { ConfigError };

/** Each component's part comes from its own folder (`settings.ts`); the service adds its own. */
export interface WardenConfig extends ProcessorConfig {
  ruleset: string;
  stateDir: string;
  receiver: ReceiverConfig;
  spool: SpoolConfig;
  agents: { disconnectAfterSec: number };
  exporters: { file: FileExporterConfig; elasticsearch: ElasticsearchConfig; otlp: OtlpExporterConfig };
  service: { host: string; port: number; shutdownTimeoutSec: number; watchRules: boolean; engineThread: boolean; apiToken: string | null };
}

const SERVICE_SETTINGS: Setting[] = [
  { key: 'service.host', kind: 'string', dflt: '127.0.0.1', help: 'Listen address of /metrics, /healthz, /readyz' },
  { key: 'service.port', kind: 'int', dflt: 8888, min: 0, max: 65535, help: 'Port of /metrics, /healthz, /readyz (0: any free port)' },
  { key: 'service.shutdown_timeout_seconds', kind: 'int', dflt: 30, min: 0, help: 'On SIGTERM, how long exporters may drain the spool before exit' },
  { key: 'service.watch_rules', kind: 'bool', dflt: true, help: 'Reload the ruleset when its files change (SIGHUP always reloads)' },
  { key: 'service.api_token', kind: 'optstring', dflt: null, help: 'Bearer token of GET /api/rules and POST /api/logtest on the status port (for the Grafana app); unset: those answer 404' },
  { key: 'service.engine_thread', kind: 'bool', dflt: true, help: 'Run decoding and the engine in a worker thread of their own (false: in the main thread)' },
];

/** The reference table (also printed in the README): the components' rows in data-flow order. */
export const SETTINGS: Setting[] = [
  { key: 'ruleset', kind: 'string', dflt: '', help: "Ruleset folder (Warden layout, OSSEC install root or Wazuh tree); default: Warden's rules/" },
  { key: 'state_dir', kind: 'string', dflt: 'var', help: 'Where Warden keeps its state (spool, first-time-seen keys, agents)' },
  ...PROCESSOR_SETTINGS,
  ...RECEIVER_SETTINGS,
  ...SPOOL_SETTINGS,
  { key: 'agents.disconnect_after_seconds', kind: 'int', dflt: 600, min: 0, help: "Silence after which an agent is disconnected and Warden raises OSSEC's alert (0: never)" },
  ...FILE_EXPORTER_SETTINGS,
  ...ELASTICSEARCH_SETTINGS,
  ...OTLP_EXPORTER_SETTINGS,
  ...SERVICE_SETTINGS,
];

/** `receiver.http.port` → `WARDEN_RECEIVER_HTTP_PORT`. */
export function envName(key: string): string {
  return `WARDEN_${key.toUpperCase().replace(/\./g, '_')}`;
}

/** A default as the README shows it: — for none, sizes with their unit. */
function defaultText(s: Setting): string {
  const d = s.dflt;
  if (d === null || d === '' || (s.kind === 'urls' && Array.isArray(d) && d.length === 0)) return '—';
  if (s.kind === 'bytes' && typeof d === 'number') {
    for (const [unit, n] of [['GiB', 1 << 30], ['MiB', 1 << 20], ['KiB', 1 << 10]] as const) if (d % n === 0) return `${d / n}${unit}`;
  }
  return typeof d === 'object' ? JSON.stringify(d) : String(d);
}

/** The README's configuration reference, generated from {@link SETTINGS} (`npm run docs:config` writes it). */
export function configurationTable(): string {
  const rows = SETTINGS.map((s) => `| \`${s.key}\` | \`${envName(s.key)}\` | ${defaultText(s)} | ${s.help} |`);
  return ['| setting | environment variable | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20, g: 1 << 30, gb: 1 << 30, gib: 1 << 30 };

function getPath(obj: unknown, key: string): unknown {
  let cur = obj;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function convert(s: Setting, raw: unknown, from: string): unknown {
  const bad = (why: string): never => { throw new ConfigError(`${s.key}: ${why} (got ${JSON.stringify(raw)} from ${from})`); };
  const range = (n: number) => {
    if (s.min !== undefined && n < s.min) bad(`must be at least ${s.min}`);
    if (s.max !== undefined && n > s.max) bad(`must be at most ${s.max}`);
    return n;
  };
  switch (s.kind) {
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') bad('must be a string');
      const v = String(raw);
      if (s.oneOf && !s.oneOf.includes(v)) bad(`must be one of ${s.oneOf.join(', ')}`);
      return v;
    }
    case 'urls': {
      const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : raw === null ? [] : bad('must be a URL or a list of URLs');
      return list.map((u) => {
        if (typeof u !== 'string') return bad('must be a URL or a list of URLs');
        const t = u.trim();
        try {
          const p = new URL(t);
          if (p.protocol === 'http:' || p.protocol === 'https:') return t;
        } catch { /* below */ }
        return bad(`${JSON.stringify(t)} is not an http:// or https:// URL`);
      }).filter(Boolean);
    }
    case 'optstring':
      if (raw === null || raw === '') return null;
      if (typeof raw !== 'string') bad('must be a string');
      return raw;
    case 'int': case 'optint': {
      if (s.kind === 'optint' && (raw === null || raw === '')) return null;
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n)) bad('must be an integer');
      return range(n);
    }
    case 'bytes': {
      if (typeof raw === 'number' && Number.isInteger(raw)) return range(raw);
      const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw) : null;
      if (!m || UNITS[m[2].toLowerCase()] === undefined) return bad('must be a size such as 65536, 512KiB, 64MiB or 1GiB');
      return range(Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]));
    }
    case 'bool': case 'auto-bool': {
      if (s.kind === 'auto-bool' && raw === 'auto') return 'auto';
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      return bad(s.kind === 'auto-bool' ? 'must be true, false or auto' : 'must be true or false');
    }
    case 'tokens': return parseBindings(raw, 'token', bad);
    case 'certs': return parseBindings(raw, 'subject', bad);
    case 'headers': {
      if (typeof raw === 'string') {
        const out: Record<string, string> = {};
        for (const item of raw.split(',').map((x) => x.trim()).filter(Boolean)) {
          const eq = item.indexOf('=');
          if (eq <= 0) bad('entries must be Name=value');
          out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
        }
        return out;
      }
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad('must be a map of header names to values');
      return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    }
  }
}

/** Keys present in the file that no setting knows: a typo must not pass silently. */
/**
 * Token or certificate-name bindings: `name[=agent_id[:agent_name]],…` in an environment
 * variable, or a list of names and `{<key>, agent_id, agent_name}` objects in the file.
 */
function parseBindings<K extends 'token' | 'subject'>(raw: unknown, key: K, bad: (message: string) => never): Array<Record<K, string> & { agentId: string | null; agentName: string | null }> {
  type Binding = Record<K, string> & { agentId: string | null; agentName: string | null };
  const binding = (name: string, agentId: string | null, agentName: string | null) => ({ [key]: name, agentId, agentName }) as Binding;
  if (typeof raw === 'string') {
    return raw.split(',').map((x) => x.trim()).filter(Boolean).map((item) => {
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq);
      if (!name) bad(`each entry needs a ${key}`);
      if (eq < 0) return binding(name, null, null);
      const [id, agentName] = item.slice(eq + 1).split(':');
      return binding(name, id || null, agentName || id || null);
    });
  }
  if (!Array.isArray(raw)) return bad(`must be a list of {${key}, agent_id, agent_name}`);
  return raw.map((t, i) => {
    if (typeof t === 'string') return binding(t, null, null);
    const o = t as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o[key] !== 'string' || !o[key]) bad(`entry ${i} needs a string ${key}`);
    const id = o.agent_id === undefined || o.agent_id === null ? null : String(o.agent_id);
    return binding(o[key] as string, id, o.agent_name === undefined || o.agent_name === null ? id : String(o.agent_name));
  });
}

function unknownKeys(obj: unknown, prefix = ''): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (SETTINGS.some((s) => s.key === key)) continue;
    if (SETTINGS.some((s) => s.key.startsWith(`${key}.`))) out.push(...unknownKeys(v, key));
    else out.push(key);
  }
  return out;
}

/** Loads and checks the configuration: file (optional), then environment variables. */
export function loadConfig(file: string | null, env: NodeJS.ProcessEnv = process.env, defaultRuleset = ''): WardenConfig {
  let doc: unknown = {};
  let baseDir = process.cwd();
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      doc = parseYaml(text) ?? {};
    } catch (e) {
      throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message}`);
    }
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file}: must be a YAML map of settings`);
    const unknown = unknownKeys(doc);
    if (unknown.length) throw new ConfigError(`${file}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    baseDir = path.dirname(path.resolve(file));
  }
  const v: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const e = env[envName(s.key)];
    const fromFile = getPath(doc, s.key);
    if (e !== undefined) v[s.key] = convert(s, e, envName(s.key));
    else if (fromFile !== undefined) v[s.key] = convert(s, fromFile, file ?? 'file');
    else v[s.key] = s.dflt;
  }
  const rel = (p: string) => (path.isAbsolute(p) ? p : path.resolve(baseDir, p));
  const values: SettingValues = v;
  const ctx = { rel, stateDir: rel(v.state_dir as string) };
  // Checks run in this order so a file with several mistakes reports the same one first as before.
  const elasticsearch = elasticsearchFromSettings(values, ctx);
  const otlp = otlpExporterFromSettings(values);
  const receiver = receiverFromSettings(values, ctx);
  const ruleset = v.ruleset as string;
  const cfg: WardenConfig = {
    ruleset: ruleset ? rel(ruleset) : defaultRuleset,
    stateDir: ctx.stateDir,
    ...processorFromSettings(values),
    receiver,
    spool: spoolFromSettings(values, ctx),
    agents: { disconnectAfterSec: v['agents.disconnect_after_seconds'] as number },
    exporters: { file: fileExporterFromSettings(values, ctx, elasticsearch.url !== null), elasticsearch, otlp },
    service: {
      host: v['service.host'] as string,
      port: v['service.port'] as number,
      shutdownTimeoutSec: v['service.shutdown_timeout_seconds'] as number,
      watchRules: v['service.watch_rules'] as boolean,
      engineThread: v['service.engine_thread'] as boolean,
      apiToken: v['service.api_token'] as string | null,
    },
  };
  checkElasticsearchConfig(elasticsearch);
  if (!cfg.exporters.file.enabled && elasticsearch.url === null && otlp.endpoint === null) {
    throw new ConfigError('exporters: no exporter is enabled (set exporters.elasticsearch.url, exporters.otlp.endpoint or exporters.file.enabled)');
  }
  return cfg;
}
