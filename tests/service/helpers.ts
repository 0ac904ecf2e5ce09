/** Shared pieces of the service tests: a small ruleset, OTLP requests, a service under test. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import { encodeRequest } from '../../otel-processor/src/receiver/otlp/proto';
import { loadConfig, envName, type WardenConfig } from '../../otel-processor/src/service/config';
import { WardenService } from '../../otel-processor/src/service/service';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A ruleset written for these tests (Warden layout): sshd failures with first-time-seen, Windows, JSON bodies. */
export function writeRuleset(dir: string): string {
  fs.mkdirSync(path.join(dir, 'decoders'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'rules'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'decoders', 'test.xml'), `
<decoder name="sshd">
  <program_name>^sshd</program_name>
</decoder>
<decoder name="sshd-failed">
  <parent>sshd</parent>
  <prematch>^Failed password for </prematch>
  <regex offset="after_prematch">^(\\S+) from (\\S+) port (\\d+)</regex>
  <order>user, srcip, srcport</order>
  <fts>name, user</fts>
</decoder>
<decoder name="windows">
  <type>windows</type>
  <program_name>^WinEvtLog</program_name>
</decoder>
<decoder name="windows-fields">
  <type>windows</type>
  <parent>windows</parent>
  <pcre2 offset="after_parent">^.+?: ([A-Za-z0-9@_-]+?)\\((\\d+?)\\): (.+?): </pcre2>
  <order>status, id, extra_data</order>
</decoder>
`);
  fs.writeFileSync(path.join(dir, 'rules', '00-roots.xml'), `
<group name="syslog,"><rule id="1" level="0" noalert="1"><category>syslog</category><description>syslog root</description></rule></group>
<group name="windows,"><rule id="6" level="0" noalert="1"><category>windows</category><description>windows root</description></rule></group>
`);
  fs.writeFileSync(path.join(dir, 'rules', 'test.xml'), `
<group name="test,">
  <rule id="100100" level="0">
    <decoded_as>sshd</decoded_as>
    <description>sshd messages</description>
  </rule>
  <rule id="100101" level="5">
    <if_sid>100100</if_sid>
    <match>Failed password</match>
    <description>sshd: failed password</description>
    <group>authentication_failed,</group>
  </rule>
  <rule id="100102" level="8">
    <if_sid>100101</if_sid>
    <if_fts />
    <description>sshd: first failed password for this user</description>
    <group>authentication_failed,first_time,</group>
  </rule>
  <rule id="100200" level="0">
    <category>windows</category>
    <description>Windows events</description>
  </rule>
  <rule id="100201" level="9">
    <if_sid>100200</if_sid>
    <id>^4625$</id>
    <description>Windows logon failure</description>
    <group>authentication_failed,windows,</group>
  </rule>
  <rule id="100300" level="3">
    <match>login-failure</match>
    <description>application login failure</description>
  </rule>
</group>
`);
  return dir;
}

const made: string[] = [];
/** A fresh folder under the system's temporary folder, removed when the test file ends. */
export function tmpDir(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `warden-${name}-`));
  made.push(d);
  return d;
}
// Registered when a test file imports this module (each file has its own copy under jest).
if (typeof afterAll === 'function') afterAll(() => { for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

// ---- OTLP requests

export interface RecordSpec {
  body: string | Record<string, unknown>;
  timeMs?: number;
  attrs?: Record<string, string>;
}

export interface ResourceSpec {
  attrs: Record<string, string | string[]>;
  records: RecordSpec[];
}

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: Object.entries(v).map(([key, x]) => ({ key, value: anyValue(x) })) } };
  return {};
}

/** The request as protobufjs' object form (camelCase). */
export function requestObject(resources: ResourceSpec[]): Record<string, unknown> {
  return {
    resourceLogs: resources.map((r) => ({
      resource: { attributes: Object.entries(r.attrs).map(([key, v]) => ({ key, value: anyValue(v) })) },
      scopeLogs: [{
        scope: { name: 'test' },
        logRecords: r.records.map((rec) => ({
          timeUnixNano: String(BigInt(rec.timeMs ?? Date.now()) * 1_000_000n),
          body: anyValue(rec.body),
          attributes: Object.entries(rec.attrs ?? {}).map(([key, v]) => ({ key, value: anyValue(v) })),
        })),
      }],
    })),
  };
}

export const protobufBody = (resources: ResourceSpec[]) => encodeRequest(requestObject(resources));

/** OTLP/JSON (int64 as strings, as the spec writes them). */
export const jsonBody = (resources: ResourceSpec[]) => JSON.stringify(requestObject(resources), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

export interface PostResult { status: number; headers: Headers; body: Buffer }

export async function post(port: number, body: Buffer | string, opts: { json?: boolean; gzip?: boolean; token?: string; contentType?: string } = {}): Promise<PostResult> {
  let payload: Buffer = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? (opts.json ? 'application/json' : 'application/x-protobuf') };
  if (opts.gzip) { payload = zlib.gzipSync(payload); headers['content-encoding'] = 'gzip'; }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const r = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers, body: payload });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

export const sshFail = (user: string, ip: string, n = 0) => `Oct 11 10:00:${String(n % 60).padStart(2, '0')} web1 sshd[${1000 + n}]: Failed password for ${user} from ${ip} port ${40000 + n} ssh2`;

// ---- services under test

export function testConfig(stateDir: string, rulesDir: string, env: Record<string, string> = {}): WardenConfig {
  const e: Record<string, string> = {
    [envName('state_dir')]: stateDir,
    [envName('ruleset')]: rulesDir,
    [envName('receiver.http.port')]: '0',
    [envName('receiver.http.host')]: '127.0.0.1',
    [envName('receiver.grpc.port')]: '0',
    [envName('receiver.grpc.host')]: '127.0.0.1',
    [envName('service.port')]: '0',
    [envName('service.watch_rules')]: 'false',
    [envName('exporters.elasticsearch.flush_interval_ms')]: '20',
    [envName('agents.disconnect_after_seconds')]: '0',
    ...env,
  };
  return loadConfig(null, e);
}

export async function startService(stateDir: string, rulesDir: string, env: Record<string, string> = {}): Promise<WardenService> {
  return WardenService.start(testConfig(stateDir, rulesDir, env), () => undefined);
}

/** Waits until `f` returns a truthy value, trying every `everyMs`. */
export async function until<T>(f: () => Promise<T> | T, what: string, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function readJsonLines(file: string): Array<Record<string, unknown>> {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The service as its own process (`warden serve`, built code), for crash tests. */
export class ServiceProcess {
  proc: ChildProcess;
  output = '';
  httpPort = 0;

  constructor(env: Record<string, string>) {
    this.proc = spawn(process.execPath, [path.join(ROOT, 'otel-processor', 'bin', 'warden.js'), 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => { this.output += b.toString(); };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
  }

  async ready(): Promise<number> {
    await until(() => {
      if (this.proc.exitCode !== null) throw new Error(`warden serve exited: ${this.output}`);
      const m = /OTLP\/HTTP (\d+)/.exec(this.output);
      if (m) this.httpPort = Number(m[1]);
      return this.httpPort > 0;
    }, `warden serve to listen (output so far: ${this.output})`);
    return this.httpPort;
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) { resolve(this.proc.exitCode); return; }
      this.proc.once('exit', (code) => resolve(code));
      this.proc.kill(signal);
    });
  }
}
