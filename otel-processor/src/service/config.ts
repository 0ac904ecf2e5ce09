/**
 * `warden.yaml`: every setting with its default, its environment variable and its check.
 * Environment variables win over the file; the file wins over the defaults. Errors name the
 * setting (and where its value came from).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface TokenBinding {
  token: string;
  /** Agent the token is bound to; null for a token that only authenticates. */
  agentId: string | null;
  agentName: string | null;
}

export interface WardenConfig {
  ruleset: string;
  stateDir: string;
  logAlertLevel: number | null;
  correlationScope: 'agent' | 'global';
  engine: { clock: 'event' | 'processing' };
  resolveCrawlers: boolean;
  receiver: {
    http: { enabled: boolean; host: string; port: number; maxRequestBytes: number };
    grpc: { enabled: boolean; host: string; port: number; maxRequestBytes: number };
    auth: { tokens: TokenBinding[]; required: boolean; clientCerts: CertBinding[] };
    /** TLS for both receivers; `clientCaFile` turns on client certificates (mutual TLS). */
    tls: { certFile: string | null; keyFile: string | null; clientCaFile: string | null };
    maxLogBytes: number;
    maxFields: number;
    retryAfterSec: number;
    maxPendingBytes: number;
  };
  spool: { dir: string; maxBytes: number; segmentBytes: number; memoryBytes: number };
  agents: { disconnectAfterSec: number };
  exporters: {
    file: { enabled: boolean; dir: string };
    elasticsearch: {
      /** The first of urls (null: no Elasticsearch). */
      url: string | null;
      /** Nodes of the cluster; requests go to the live ones in turn. */
      urls: string[];
      caFile: string | null;
      insecureSkipVerify: boolean;
      username: string | null;
      password: string | null;
      apiKey: string | null;
      indexPrefix: string;
      retentionDays: number;
      bulkMaxBytes: number;
      flushIntervalMs: number;
      maxInflight: number;
      shards: number;
      replicas: string;
      ftsRefreshSec: number;
    };
    otlp: { endpoint: string | null; headers: Record<string, string>; timeoutMs: number };
  };
  service: { host: string; port: number; shutdownTimeoutSec: number; watchRules: boolean; engineThread: boolean; apiToken: string | null };
}

export class ConfigError extends Error {}

type Kind = 'string' | 'optstring' | 'urls' | 'int' | 'bytes' | 'bool' | 'tokens' | 'certs' | 'headers' | 'auto-bool' | 'optint';

/** A client certificate name (subject CN or subjectAltName) bound to an agent. */
export interface CertBinding {
  subject: string;
  agentId: string | null;
  agentName: string | null;
}

interface Setting {
  key: string;
  kind: Kind;
  dflt: unknown;
  min?: number;
  max?: number;
  oneOf?: string[];
  help: string;
}

/** The reference table (also printed in the README). */
export const SETTINGS: Setting[] = [
  { key: 'ruleset', kind: 'string', dflt: '', help: "Ruleset folder (Warden layout, OSSEC install root or Wazuh tree); default: Warden's rules/" },
  { key: 'state_dir', kind: 'string', dflt: 'var', help: 'Where Warden keeps its state (spool, first-time-seen keys, agents)' },
  { key: 'log_alert_level', kind: 'optint', dflt: null, min: 0, max: 16, help: "Lowest level that writes an alert; default: the ruleset's (1)" },
  { key: 'correlation_scope', kind: 'string', dflt: 'agent', oneOf: ['agent', 'global'], help: 'Correlate per agent, or across agents as OSSEC 2.x did' },
  { key: 'engine.clock', kind: 'string', dflt: 'event', oneOf: ['event', 'processing'], help: "Correlation clock: the record's own time (event: replays and late data correlate as they happened) or the time Warden receives it (processing, as OSSEC)" },
  { key: 'resolve_crawlers', kind: 'bool', dflt: true, help: 'Answer is_valid_crawler from reverse DNS (asynchronous, cached; never delays a line)' },
  { key: 'receiver.http.enabled', kind: 'bool', dflt: true, help: 'OTLP/HTTP receiver (POST /v1/logs)' },
  { key: 'receiver.http.host', kind: 'string', dflt: '0.0.0.0', help: 'OTLP/HTTP listen address' },
  { key: 'receiver.http.port', kind: 'int', dflt: 4318, min: 0, max: 65535, help: 'OTLP/HTTP port (0: any free port)' },
  { key: 'receiver.http.max_request_bytes', kind: 'bytes', dflt: 16 << 20, min: 1024, help: 'Largest request body, after gunzip (413 above)' },
  { key: 'receiver.grpc.enabled', kind: 'bool', dflt: true, help: 'OTLP/gRPC receiver (LogsService/Export)' },
  { key: 'receiver.grpc.host', kind: 'string', dflt: '0.0.0.0', help: 'OTLP/gRPC listen address' },
  { key: 'receiver.grpc.port', kind: 'int', dflt: 4317, min: 0, max: 65535, help: 'OTLP/gRPC port (0: any free port)' },
  { key: 'receiver.grpc.max_request_bytes', kind: 'bytes', dflt: 16 << 20, min: 1024, help: 'Largest gRPC message (RESOURCE_EXHAUSTED above)' },
  { key: 'receiver.auth.tokens', kind: 'tokens', dflt: [], help: 'Bearer tokens: list of {token, agent_id, agent_name}; env form `TOKEN=AGENT_ID[:NAME],...`' },
  { key: 'receiver.auth.client_certs', kind: 'certs', dflt: [], help: 'Client certificates (mutual TLS): list of {subject, agent_id, agent_name}, subject = CN or a subjectAltName; env form `SUBJECT=AGENT_ID[:NAME],...`; empty: any certificate of the client CA' },
  { key: 'receiver.auth.required', kind: 'auto-bool', dflt: 'auto', help: 'Refuse requests without a known token or client certificate (auto: when tokens or a client CA are configured)' },
  { key: 'receiver.tls.cert_file', kind: 'optstring', dflt: null, help: 'Server certificate (PEM) of both receivers; set: OTLP over TLS' },
  { key: 'receiver.tls.key_file', kind: 'optstring', dflt: null, help: 'Private key (PEM) of receiver.tls.cert_file' },
  { key: 'receiver.tls.client_ca_file', kind: 'optstring', dflt: null, help: 'CA certificates (PEM) that sign client certificates; set: mutual TLS (agent identity from the certificate)' },
  { key: 'receiver.max_log_bytes', kind: 'bytes', dflt: 65536, min: 64, help: 'Longest log record accepted; longer ones are rejected (partial success)' },
  { key: 'receiver.max_fields', kind: 'int', dflt: 256, min: 0, max: 100000, help: 'Most dynamic fields taken from a map body and attributes' },
  { key: 'receiver.retry_after_seconds', kind: 'int', dflt: 5, min: 1, max: 3600, help: 'Retry-After sent with 503 when the spool is full' },
  { key: 'receiver.max_pending_bytes', kind: 'bytes', dflt: 64 << 20, min: 1024, help: 'Request bytes waiting for the engine; above this, requests get 503 + Retry-After' },
  { key: 'spool.dir', kind: 'string', dflt: '', help: 'Spool folder; default: STATE_DIR/spool' },
  { key: 'spool.max_bytes', kind: 'bytes', dflt: 1 << 30, min: 1024, help: 'Above this much unsent data, requests get 503 + Retry-After' },
  { key: 'spool.segment_bytes', kind: 'bytes', dflt: 64 << 20, min: 1024, help: 'Spool segment file size' },
  { key: 'spool.memory_bytes', kind: 'bytes', dflt: 128 << 20, min: 0, help: 'Recent batches kept in memory for the exporters' },
  { key: 'agents.disconnect_after_seconds', kind: 'int', dflt: 600, min: 0, help: "Silence after which an agent is disconnected and Warden raises OSSEC's alert (0: never)" },
  { key: 'exporters.file.enabled', kind: 'auto-bool', dflt: 'auto', help: 'Write alerts.json / alerts.log (auto: when no Elasticsearch is configured)' },
  { key: 'exporters.file.dir', kind: 'string', dflt: '', help: 'Folder of alerts.json and alerts.log; default: STATE_DIR/alerts' },
  { key: 'exporters.elasticsearch.url', kind: 'urls', dflt: [], help: 'Elasticsearch URL, e.g. https://localhost:9200, or a list of node URLs of one cluster (env form: comma-separated); unset: no Elasticsearch' },
  { key: 'exporters.elasticsearch.tls.ca_file', kind: 'optstring', dflt: null, help: "CA certificate (PEM) that signed the cluster's HTTPS certificates, e.g. Elasticsearch's config/certs/http_ca.crt" },
  { key: 'exporters.elasticsearch.tls.insecure_skip_verify', kind: 'bool', dflt: false, help: "Accept any certificate from Elasticsearch (labs only: anyone in between can read and change what is sent)" },
  { key: 'exporters.elasticsearch.username', kind: 'optstring', dflt: null, help: 'Basic auth user' },
  { key: 'exporters.elasticsearch.password', kind: 'optstring', dflt: null, help: 'Basic auth password' },
  { key: 'exporters.elasticsearch.api_key', kind: 'optstring', dflt: null, help: 'API key (base64 id:key), instead of basic auth' },
  { key: 'exporters.elasticsearch.index_prefix', kind: 'string', dflt: 'warden', help: 'Prefix of every index name' },
  { key: 'exporters.elasticsearch.retention_days', kind: 'int', dflt: 90, min: 0, help: 'Delete alerts indices older than this many days (0: keep all)' },
  { key: 'exporters.elasticsearch.bulk_max_bytes', kind: 'bytes', dflt: 8 << 20, min: 1024, help: 'Largest bulk request' },
  { key: 'exporters.elasticsearch.flush_interval_ms', kind: 'int', dflt: 200, min: 0, help: 'Wait for more data before a small bulk request' },
  { key: 'exporters.elasticsearch.max_inflight', kind: 'int', dflt: 3, min: 1, max: 64, help: 'Bulk requests in flight at once (alerts are creates under fixed ids, so order does not matter)' },
  { key: 'exporters.elasticsearch.shards', kind: 'int', dflt: 1, min: 1, max: 1024, help: 'Shards per index (templates)' },
  { key: 'exporters.elasticsearch.replicas', kind: 'string', dflt: '0-1', help: 'auto_expand_replicas of the templates' },
  { key: 'exporters.elasticsearch.fts_refresh_seconds', kind: 'int', dflt: 30, min: 0, help: 'How often first-time-seen keys of other replicas are read back (0: only at start)' },
  { key: 'exporters.otlp.endpoint', kind: 'optstring', dflt: null, help: 'Also send alerts as OTLP/HTTP JSON log records to this base URL (…/v1/logs)' },
  { key: 'exporters.otlp.headers', kind: 'headers', dflt: {}, help: 'Headers for the OTLP exporter; env form `Name=value,...`' },
  { key: 'exporters.otlp.timeout_ms', kind: 'int', dflt: 10000, min: 100, help: 'OTLP export request timeout' },
  { key: 'service.host', kind: 'string', dflt: '127.0.0.1', help: 'Listen address of /metrics, /healthz, /readyz' },
  { key: 'service.port', kind: 'int', dflt: 8888, min: 0, max: 65535, help: 'Port of /metrics, /healthz, /readyz (0: any free port)' },
  { key: 'service.shutdown_timeout_seconds', kind: 'int', dflt: 30, min: 0, help: 'On SIGTERM, how long exporters may drain the spool before exit' },
  { key: 'service.watch_rules', kind: 'bool', dflt: true, help: 'Reload the ruleset when its files change (SIGHUP always reloads)' },
  { key: 'service.api_token', kind: 'optstring', dflt: null, help: 'Bearer token of GET /api/rules and POST /api/logtest on the status port (for the Grafana app); unset: those answer 404' },
  { key: 'service.engine_thread', kind: 'bool', dflt: true, help: 'Run decoding and the engine in a worker thread of their own (false: in the main thread)' },
];

/** `receiver.http.port` → `WARDEN_RECEIVER_HTTP_PORT`. */
export function envName(key: string): string {
  return `WARDEN_${key.toUpperCase().replace(/\./g, '_')}`;
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
    case 'tokens': {
      if (typeof raw === 'string') {
        return raw.split(',').map((x) => x.trim()).filter(Boolean).map((item) => {
          const eq = item.indexOf('=');
          const token = eq < 0 ? item : item.slice(0, eq);
          if (!token) bad('each entry needs a token');
          if (eq < 0) return { token, agentId: null, agentName: null };
          const [id, name] = item.slice(eq + 1).split(':');
          return { token, agentId: id || null, agentName: name || id || null };
        });
      }
      if (!Array.isArray(raw)) return bad('must be a list of {token, agent_id, agent_name}');
      return raw.map((t, i) => {
        if (typeof t === 'string') return { token: t, agentId: null, agentName: null };
        if (!t || typeof t !== 'object' || typeof (t as { token?: unknown }).token !== 'string' || !(t as { token: string }).token) bad(`entry ${i} needs a string token`);
        const o = t as { token: string; agent_id?: unknown; agent_name?: unknown };
        const id = o.agent_id === undefined || o.agent_id === null ? null : String(o.agent_id);
        return { token: o.token, agentId: id, agentName: o.agent_name === undefined || o.agent_name === null ? id : String(o.agent_name) };
      });
    }
    case 'certs': {
      if (typeof raw === 'string') {
        return raw.split(',').map((x) => x.trim()).filter(Boolean).map((item) => {
          const eq = item.indexOf('=');
          const subject = eq < 0 ? item : item.slice(0, eq);
          if (!subject) bad('each entry needs a subject');
          if (eq < 0) return { subject, agentId: null, agentName: null };
          const [id, name] = item.slice(eq + 1).split(':');
          return { subject, agentId: id || null, agentName: name || id || null };
        });
      }
      if (!Array.isArray(raw)) return bad('must be a list of {subject, agent_id, agent_name}');
      return raw.map((t, i) => {
        if (typeof t === 'string') return { subject: t, agentId: null, agentName: null };
        if (!t || typeof t !== 'object' || typeof (t as { subject?: unknown }).subject !== 'string' || !(t as { subject: string }).subject) bad(`entry ${i} needs a string subject`);
        const o = t as { subject: string; agent_id?: unknown; agent_name?: unknown };
        const id = o.agent_id === undefined || o.agent_id === null ? null : String(o.agent_id);
        return { subject: o.subject, agentId: id, agentName: o.agent_name === undefined || o.agent_name === null ? id : String(o.agent_name) };
      });
    }
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
  const stateDir = rel(v.state_dir as string);
  const esUrls = v['exporters.elasticsearch.url'] as string[];
  const esUrl = esUrls.length ? esUrls[0] : null;
  const esCa = v['exporters.elasticsearch.tls.ca_file'] === null ? null : rel(v['exporters.elasticsearch.tls.ca_file'] as string);
  if (esCa !== null) {
    try { fs.accessSync(esCa, fs.constants.R_OK); } catch (e) { throw new ConfigError(`exporters.elasticsearch.tls.ca_file: cannot read ${esCa}: ${(e as Error).message}`); }
  }
  const otlp = v['exporters.otlp.endpoint'] as string | null;
  if (otlp !== null) {
    try { new URL(otlp); } catch { throw new ConfigError(`exporters.otlp.endpoint: must be a URL (got ${JSON.stringify(otlp)})`); }
  }
  const tokens = v['receiver.auth.tokens'] as TokenBinding[];
  const seenTokens = new Set<string>();
  for (const t of tokens) {
    if (seenTokens.has(t.token)) throw new ConfigError('receiver.auth.tokens: a token is listed twice');
    seenTokens.add(t.token);
  }
  const authReq = v['receiver.auth.required'];
  const certFile = v['receiver.tls.cert_file'] as string | null;
  const keyFile = v['receiver.tls.key_file'] as string | null;
  const clientCa = v['receiver.tls.client_ca_file'] as string | null;
  const clientCerts = v['receiver.auth.client_certs'] as CertBinding[];
  if ((certFile === null) !== (keyFile === null)) throw new ConfigError('receiver.tls.cert_file and receiver.tls.key_file: set both or neither');
  if (clientCa !== null && certFile === null) throw new ConfigError('receiver.tls.client_ca_file: needs receiver.tls.cert_file and receiver.tls.key_file (mutual TLS is TLS)');
  if (clientCerts.length > 0 && clientCa === null) throw new ConfigError('receiver.auth.client_certs: needs receiver.tls.client_ca_file (the CA that signs the client certificates)');
  for (const [key, f] of [['receiver.tls.cert_file', certFile], ['receiver.tls.key_file', keyFile], ['receiver.tls.client_ca_file', clientCa]] as const) {
    if (f === null) continue;
    try { fs.accessSync(rel(f), fs.constants.R_OK); } catch (e) { throw new ConfigError(`${key}: cannot read ${rel(f)}: ${(e as Error).message}`); }
  }
  const fileEnabled = v['exporters.file.enabled'];
  const ruleset = v.ruleset as string;
  const cfg: WardenConfig = {
    ruleset: ruleset ? rel(ruleset) : defaultRuleset,
    stateDir,
    logAlertLevel: v.log_alert_level as number | null,
    correlationScope: v.correlation_scope as 'agent' | 'global',
    engine: { clock: v['engine.clock'] as 'event' | 'processing' },
    resolveCrawlers: v.resolve_crawlers as boolean,
    receiver: {
      http: { enabled: v['receiver.http.enabled'] as boolean, host: v['receiver.http.host'] as string, port: v['receiver.http.port'] as number, maxRequestBytes: v['receiver.http.max_request_bytes'] as number },
      grpc: { enabled: v['receiver.grpc.enabled'] as boolean, host: v['receiver.grpc.host'] as string, port: v['receiver.grpc.port'] as number, maxRequestBytes: v['receiver.grpc.max_request_bytes'] as number },
      auth: { tokens, required: authReq === 'auto' ? tokens.length > 0 || clientCa !== null : (authReq as boolean), clientCerts },
      tls: { certFile: certFile && rel(certFile), keyFile: keyFile && rel(keyFile), clientCaFile: clientCa && rel(clientCa) },
      maxLogBytes: v['receiver.max_log_bytes'] as number,
      maxFields: v['receiver.max_fields'] as number,
      retryAfterSec: v['receiver.retry_after_seconds'] as number,
      maxPendingBytes: v['receiver.max_pending_bytes'] as number,
    },
    spool: {
      dir: v['spool.dir'] ? rel(v['spool.dir'] as string) : path.join(stateDir, 'spool'),
      maxBytes: v['spool.max_bytes'] as number,
      segmentBytes: v['spool.segment_bytes'] as number,
      memoryBytes: v['spool.memory_bytes'] as number,
    },
    agents: { disconnectAfterSec: v['agents.disconnect_after_seconds'] as number },
    exporters: {
      file: { enabled: fileEnabled === 'auto' ? esUrl === null : (fileEnabled as boolean), dir: v['exporters.file.dir'] ? rel(v['exporters.file.dir'] as string) : path.join(stateDir, 'alerts') },
      elasticsearch: {
        url: esUrl,
        urls: esUrls,
        caFile: esCa,
        insecureSkipVerify: v['exporters.elasticsearch.tls.insecure_skip_verify'] as boolean,
        username: v['exporters.elasticsearch.username'] as string | null,
        password: v['exporters.elasticsearch.password'] as string | null,
        apiKey: v['exporters.elasticsearch.api_key'] as string | null,
        indexPrefix: v['exporters.elasticsearch.index_prefix'] as string,
        retentionDays: v['exporters.elasticsearch.retention_days'] as number,
        bulkMaxBytes: v['exporters.elasticsearch.bulk_max_bytes'] as number,
        flushIntervalMs: v['exporters.elasticsearch.flush_interval_ms'] as number,
        maxInflight: v['exporters.elasticsearch.max_inflight'] as number,
        shards: v['exporters.elasticsearch.shards'] as number,
        replicas: v['exporters.elasticsearch.replicas'] as string,
        ftsRefreshSec: v['exporters.elasticsearch.fts_refresh_seconds'] as number,
      },
      otlp: { endpoint: otlp, headers: v['exporters.otlp.headers'] as Record<string, string>, timeoutMs: v['exporters.otlp.timeout_ms'] as number },
    },
    service: {
      host: v['service.host'] as string,
      port: v['service.port'] as number,
      shutdownTimeoutSec: v['service.shutdown_timeout_seconds'] as number,
      watchRules: v['service.watch_rules'] as boolean,
      engineThread: v['service.engine_thread'] as boolean,
      apiToken: v['service.api_token'] as string | null,
    },
  };
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(cfg.exporters.elasticsearch.indexPrefix)) {
    throw new ConfigError(`exporters.elasticsearch.index_prefix: must be lower-case letters, digits, - or _ (got ${JSON.stringify(cfg.exporters.elasticsearch.indexPrefix)})`);
  }
  if (!/^(\d+-(\d+|all)|false)$/.test(cfg.exporters.elasticsearch.replicas)) {
    throw new ConfigError(`exporters.elasticsearch.replicas: must be an auto_expand_replicas range such as 0-1, 1-1 or 0-all, or false (got ${JSON.stringify(cfg.exporters.elasticsearch.replicas)})`);
  }
  if (!cfg.exporters.file.enabled && esUrl === null && otlp === null) {
    throw new ConfigError('exporters: no exporter is enabled (set exporters.elasticsearch.url, exporters.otlp.endpoint or exporters.file.enabled)');
  }
  return cfg;
}
