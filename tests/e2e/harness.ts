/**
 * End-to-end pieces: the collector distribution (built once by scripts/build-collector.sh),
 * collectors and Warden as real processes with the configuration files users copy
 * (provisioning/otelcol/*.yaml, `warden serve --config`), fixture log files from the shared corpus,
 * what `warden analyze` says about the same lines, and reading alerts back from Elasticsearch.
 * Elasticsearch itself comes from tests/service/es-node.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, type EsNode } from '../service/es-node';
import { until as untilService } from '../service/helpers';

export const ROOT = path.resolve(__dirname, '..', '..');
export const OTELCOL_DIR = path.join(ROOT, 'provisioning', 'otelcol');
const WARDEN_BIN = path.join(ROOT, 'otel-processor', 'bin', 'warden.js');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The service tests' wait, polling every 250 ms here. */
export const until = <T>(f: () => Promise<T> | T, what: string, timeoutMs = 60_000, everyMs = 250): Promise<T> =>
  untilService(f, what, timeoutMs, everyMs);

/** Why the end-to-end tests cannot run here, or null. */
export function missingPrerequisites(): string | null {
  for (const [cmd, why] of [['go', 'Go (to build the collector)'], ['java', 'Java (Elasticsearch)'], ['mvn', 'Maven (fetches Elasticsearch)']]) {
    try { execFileSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); } catch { return `${why} is not installed`; }
  }
  if (!fs.existsSync(path.join(CORPUS, 'mixed.log'))) return `the shared corpus is missing (${CORPUS})`;
  if (!fs.existsSync(path.join(ROOT, 'otel-processor', 'dist', 'cli', 'main.js'))) return 'otel-processor is not built (npm install builds it)';
  return null;
}

/** Builds (first time, several minutes) or reuses the collector binary. */
export function collectorBinary(): string {
  const t0 = Date.now();
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'build-collector.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 40 * 60_000 });
  const bin = out.trim().split('\n').pop()!;
  if (Date.now() - t0 > 10_000) process.stderr.write(`collector built in ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
  return bin;
}

const made: string[] = [];
export function tmpDir(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `warden-e2e-${name}-`));
  made.push(d);
  return d;
}
/** Removes the folders tmpDir made (call once every process using them has stopped). */
export function removeTmpDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A child process whose output is kept (last 200 KB) for assertions and failure messages. */
class Proc {
  proc: ChildProcess | null = null;
  output = '';
  constructor(readonly name: string) {}
  protected spawn(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): void {
    this.output = '';
    const p = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => { this.output = (this.output + b.toString()).slice(-200_000); };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    this.proc = p;
  }
  get running(): boolean { return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null; }
  /** Sends a signal and waits for the exit (SIGKILL after 30 s). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  }
}

export class Collector extends Proc {
  constructor(name: string, readonly bin: string, readonly config: string, readonly env: Record<string, string>) { super(name); }
  async start(): Promise<void> {
    this.spawn(this.bin, ['--config', this.config], { PATH: process.env.PATH, ...this.env }, path.dirname(this.config));
    await until(() => {
      if (!this.running) throw new Error(`collector ${this.name} exited:\n${this.output}`);
      return this.output.includes('Everything is ready');
    }, `collector ${this.name} to start`, 30_000);
  }
}

export interface WardenPorts { http: number; grpc: number; status: number }

export class Warden extends Proc {
  readonly configFile: string;
  constructor(name: string, readonly dir: string, readonly ports: WardenPorts, esUrl: string, indexPrefix: string) {
    super(name);
    fs.mkdirSync(dir, { recursive: true });
    this.configFile = path.join(dir, 'warden.yaml');
    fs.writeFileSync(this.configFile, [
      'state_dir: state',
      'receiver:',
      `  http: { host: 127.0.0.1, port: ${ports.http} }`,
      `  grpc: { host: 127.0.0.1, port: ${ports.grpc} }`,
      'exporters:',
      '  elasticsearch:',
      `    url: ${esUrl}`,
      `    index_prefix: ${indexPrefix}`,
      '    flush_interval_ms: 50',
      '    fts_refresh_seconds: 1',
      'agents:',
      '  disconnect_after_seconds: 0',
      'service:',
      `  host: 127.0.0.1`,
      `  port: ${ports.status}`,
      '  watch_rules: false',
      '  shutdown_timeout_seconds: 10',
      '',
    ].join('\n'));
  }
  static async create(name: string, dir: string, es: EsNode, indexPrefix: string): Promise<Warden> {
    return new Warden(name, dir, { http: await freePort(), grpc: await freePort(), status: await freePort() }, es.url, indexPrefix);
  }
  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WARDEN_')) env[k] = v;
    this.spawn(process.execPath, [WARDEN_BIN, 'serve', '--config', this.configFile], env, this.dir);
    await until(async () => {
      if (!this.running) throw new Error(`warden ${this.name} exited:\n${this.output}`);
      const r = await fetch(`http://127.0.0.1:${this.ports.status}/readyz`, { signal: AbortSignal.timeout(2000) });
      return r.status === 200;
    }, `warden ${this.name} to be ready`, 60_000);
  }
  /** warden_events_received from /metrics (records accepted since this process started). */
  async eventsReceived(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.ports.status}/metrics`)).text();
    let n = 0;
    for (const m of text.matchAll(/^warden_events_received(?:_total)?(?:\{[^}]*\})? ([0-9.e+]+)$/gm)) n += Number(m[1]);
    return n;
  }
}

// ---- fixtures

export type Format = 'authlog' | 'messages' | 'apache' | 'squid' | 'pix';

/** The first `perFormat` lines of each format from the shared corpus (in corpus order). */
export function corpusLines(perFormat: number, skip = 0): Record<Format, string[]> {
  const lines = fs.readFileSync(path.join(CORPUS, 'mixed.log'), 'utf8').split('\n');
  const formats = fs.readFileSync(path.join(CORPUS, 'mixed.format.txt'), 'utf8').split('\n');
  const out: Record<Format, string[]> = { authlog: [], messages: [], apache: [], squid: [], pix: [] };
  const seen: Record<string, number> = {};
  for (let i = 0; i < lines.length; i++) {
    const f = formats[i] as Format;
    if (!(f in out)) continue;
    seen[f] = (seen[f] ?? 0) + 1;
    if (seen[f] <= skip) continue;
    if (out[f].length < perFormat) out[f].push(lines[i]);
    if (Object.values(out).every((l) => l.length >= perFormat)) break;
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** RFC 3164 timestamp (`Nov  9 10:00:01`) of `ms`, in UTC. */
export function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Replaces a line's leading syslog timestamp with the current time (what a device sends now). */
export function restamp(line: string, ms = Date.now()): string {
  return line.replace(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d/, syslogStamp(ms));
}

/** Sends lines as RFC 3164 datagrams (`<166>` + line), as a PIX/ASA does. */
export async function sendSyslog(port: number, lines: string[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  for (const l of lines) {
    await new Promise<void>((resolve, reject) => s.send(Buffer.from(`<166>${l}`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    await sleep(2);
  }
  s.close();
}

export function appendLines(file: string, lines: string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (lines.length) fs.appendFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

// ---- expectations and results

export interface AlertKey { rule: string; location: string; full_log: string }

/**
 * What `warden analyze --json --clock processing` (the same engine, the same ruleset) says about
 * the given files, run in one process in that order: one engine, like one Warden instance.
 * `location` overrides the location (e.g. for lines that came over syslog).
 */
export function analyze(files: string[], location?: string): AlertKey[] {
  const out: AlertKey[] = [];
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    const args = [WARDEN_BIN, 'analyze', '--json', '--no-progress', '--clock', 'processing', '--location', location ?? f, f];
    const text = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const l of text.split('\n')) {
      if (!l) continue;
      const a = JSON.parse(l) as { rule: { id: number | string }; location: string; full_log: string };
      out.push({ rule: String(a.rule.id), location: a.location, full_log: a.full_log });
    }
  }
  return out;
}

export interface EsAlert { _id: string; rule: { id: string; level: number }; location: string; full_log: string; agent: { id: string; name: string }; data: Record<string, string> }

export async function esAlerts(es: EsNode, prefix: string): Promise<EsAlert[]> {
  const hits = await es.search(`${prefix}-alerts-*`);
  return hits.map((h) => ({ _id: h._id, ...(h._source as unknown as Omit<EsAlert, '_id'>) }));
}

export const asKey = (a: EsAlert): AlertKey => ({ rule: a.rule.id, location: a.location, full_log: a.full_log });

export const keyOf = (a: AlertKey) => `${a.rule}\t${a.location}\t${a.full_log}`;

/** Multiset difference, for readable failure messages. */
export function compareAlerts(got: AlertKey[], want: AlertKey[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const w of want) count.set(keyOf(w), (count.get(keyOf(w)) ?? 0) + 1);
  const extra: string[] = [];
  for (const g of got) {
    const k = keyOf(g);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1); else extra.push(k);
  }
  const missing: string[] = [];
  for (const [k, n] of count) for (let i = 0; i < n; i++) missing.push(k);
  return { missing, extra };
}

/** Waits until ES holds at least `n` alerts under `prefix` and the count stops moving for `settleMs`. */
export async function settledAlerts(es: EsNode, prefix: string, n: number, timeoutMs = 120_000, settleMs = 3000): Promise<EsAlert[]> {
  let last = -1;
  let since = Date.now();
  return until<EsAlert[] | null>(async () => {
    const a = await esAlerts(es, prefix);
    if (a.length !== last) { last = a.length; since = Date.now(); return null; }
    return a.length >= n && Date.now() - since >= settleMs ? a : null;
  }, `${n} alerts under ${prefix}-alerts-* (have ${last})`, timeoutMs, 500) as Promise<EsAlert[]>;
}

/** The agent collector (provisioning/otelcol/agent.yaml, unchanged) for a host whose logs live under `logRoot`. */
export async function agentCollector(bin: string, name: string, opts: { hostName: string; logRoot: string; stateDir: string; endpoint: string; syslogPort?: number }): Promise<Collector> {
  const c = new Collector(name, bin, path.join(OTELCOL_DIR, 'agent.yaml'), {
    WARDEN_HOST_NAME: opts.hostName,
    WARDEN_LOG_ROOT: opts.logRoot,
    WARDEN_AGENT_STATE_DIR: opts.stateDir,
    WARDEN_OTLP_HTTP_ENDPOINT: opts.endpoint,
    WARDEN_START_AT: 'beginning',
    WARDEN_SYSLOG_UDP: `127.0.0.1:${opts.syslogPort ?? (await freePort())}`,
  });
  return c;
}

/** The files agent.yaml tails, under a log root. */
export function logFiles(root: string) {
  return {
    auth: path.join(root, 'var', 'log', 'auth.log'),
    messages: path.join(root, 'var', 'log', 'messages'),
    apacheAccess: path.join(root, 'var', 'log', 'apache2', 'access.log'),
    apacheError: path.join(root, 'var', 'log', 'apache2', 'error.log'),
    squid: path.join(root, 'var', 'log', 'squid', 'access.log'),
  };
}
