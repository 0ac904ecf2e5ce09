#!/usr/bin/env node
// Service throughput: drives `warden serve` (its own process) from this process with OTLP/HTTP
// protobuf batches of ../shared/corpus/mixed.log and prints sustained events/s and the p99 time
// from request to 200, (a) with the file sink, (b) with Elasticsearch (counting only what
// Elasticsearch acknowledged: the clock stops when the spool is drained into it).
// Usage: npm run bench:service [-- --mode file|es|both] [--batch 2000] [--concurrency 4]
//        [--passes 2] [--ruleset DIR] [--es-url URL] [--agents 8]
/* global fetch */
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireDist, root } from './dist.mjs';

const { encodeRequest } = requireDist('bench:service', 'receiver/otlp/proto.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const mode = opt('mode', 'both');
const batch = Number(opt('batch', '2000'));
const concurrency = Number(opt('concurrency', '4'));
const passes = Number(opt('passes', '2'));
const agents = Number(opt('agents', '8'));
const ruleset = opt('ruleset', path.join(root, 'rules'));
const corpus = path.resolve(root, opt('corpus', path.join(root, '..', 'shared', 'corpus', 'mixed.log')));
if (!fs.existsSync(corpus)) { console.error(`bench: corpus not found: ${corpus} (needs ../shared)`); process.exit(2); }

const lines = fs.readFileSync(corpus, 'latin1').split('\n');
if (lines[lines.length - 1] === '') lines.pop();

// Pre-encode every request (the sender's cost is not Warden's).
const requests = [];
const t0 = Date.now() * 1_000_000;
for (let i = 0, n = 0; i < lines.length; i += batch, n++) {
  const slice = lines.slice(i, i + batch);
  const host = `bench-host-${n % agents}`;
  requests.push({
    records: slice.length,
    body: encodeRequest({
      resourceLogs: [{
        resource: { attributes: [{ key: 'host.name', value: { stringValue: host } }] },
        scopeLogs: [{ scope: { name: 'filelog' }, logRecords: slice.map((l, k) => ({ timeUnixNano: String(t0 + (i + k) * 1000), body: { stringValue: l }, attributes: [{ key: 'log.file.path', value: { stringValue: '/var/log/mixed.log' } }] })) }],
      }],
    }),
  });
}

function freePort() {
  return new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function startWarden(env) {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
  const p = spawn(process.execPath, [...(process.env.WARDEN_BENCH_NODE_ARGS ? process.env.WARDEN_BENCH_NODE_ARGS.split(' ') : []), path.join(root, 'otel-processor', 'bin', 'warden.js'), 'serve'], {
    env: { ...process.env, WARDEN_STATE_DIR: state, WARDEN_RULESET: ruleset, WARDEN_RECEIVER_HTTP_PORT: '0', WARDEN_RECEIVER_GRPC_PORT: '0', WARDEN_SERVICE_PORT: '0', WARDEN_RECEIVER_HTTP_HOST: '127.0.0.1', WARDEN_RECEIVER_GRPC_HOST: '127.0.0.1', WARDEN_AGENTS_DISCONNECT_AFTER_SECONDS: '0', WARDEN_SERVICE_WATCH_RULES: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout.on('data', (b) => { out += b; });
  p.stderr.on('data', (b) => { out += b; });
  for (let i = 0; i < 600; i++) {
    const m = /OTLP\/HTTP (\d+), OTLP\/gRPC \S+, status (\d+)/.exec(out);
    if (m) return { proc: p, http: Number(m[1]), status: Number(m[2]), state, output: () => out };
    if (p.exitCode !== null) throw new Error(`warden serve exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`warden serve did not start: ${out}`);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function send(port, body) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t) / 1e6, retryAfter: Number(res.headers['retry-after'] ?? 1) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU seconds (user + system) the process has used so far (Linux /proc), or null. */
function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch { return null; }
}

async function spoolBatches(statusPort) {
  const r = await fetch(`http://127.0.0.1:${statusPort}/readyz`);
  return (await r.json()).spool.batches;
}

async function drive(w, label) {
  const lat = [];
  let events = 0;
  let busy = 0;
  const queue = [];
  for (let p = 0; p < passes; p++) queue.push(...requests);
  const cpu0 = cpuSeconds(w.proc.pid);
  const self0 = process.cpuUsage();
  const load0 = os.loadavg()[0];
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const r = queue[next++];
      for (;;) {
        const res = await send(w.http, r.body);
        if (res.status === 200) { lat.push(res.ms); events += r.records; break; }
        if (res.status === 503 || res.status === 429) { busy++; await new Promise((x) => setTimeout(x, Math.min(1000, res.retryAfter * 100))); continue; }
        throw new Error(`${label}: HTTP ${res.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const acceptedS = Number(process.hrtime.bigint() - start) / 1e9;
  // delivered: the exporters acknowledged everything (spool drained)
  while ((await spoolBatches(w.status)) > 0) await new Promise((x) => setTimeout(x, 50));
  const deliveredS = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu1 = cpuSeconds(w.proc.pid);
  const self = process.cpuUsage(self0);
  lat.sort((a, b) => a - b);
  const q = (f) => lat[Math.min(lat.length - 1, Math.floor(lat.length * f))];
  return {
    events, acceptedS, deliveredS, p50: q(0.5), p99: q(0.99), busy,
    wardenCpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    clientCpuS: (self.user + self.system) / 1e6,
    load: [load0, os.loadavg()[0]],
  };
}

function report(label, r, extra = '') {
  console.log(`${label}: ${r.events} events in ${passes} pass(es) of ${lines.length} lines, batches of ${batch}, ${concurrency} concurrent requests`);
  console.log(`  accepted (200, durable in the spool): ${Math.round(r.events / r.acceptedS)} events/s over ${r.acceptedS.toFixed(1)}s`);
  console.log(`  delivered (acknowledged by the sink): ${Math.round(r.events / r.deliveredS)} events/s over ${r.deliveredS.toFixed(1)}s${extra}`);
  console.log(`  request -> 200 latency: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; 503 answers retried: ${r.busy}`);
  if (r.wardenCpuS !== null) console.log(`  CPU: Warden ${r.wardenCpuS.toFixed(1)} s (${Math.round((r.wardenCpuS * 1e6) / r.events)} us/event, ${(r.wardenCpuS / r.deliveredS).toFixed(2)} cores), bench client ${r.clientCpuS.toFixed(1)} s; load average ${r.load[0].toFixed(1)} -> ${r.load[1].toFixed(1)} on ${os.cpus().length} cores`);
}

async function stopWarden(w) {
  const exited = new Promise((r) => w.proc.once('exit', r));
  w.proc.kill('SIGTERM');
  await exited;
  fs.rmSync(w.state, { recursive: true, force: true });
}

// ---- Elasticsearch (same distribution the tests use, from .cache/; fetched with Maven if missing)
const ES_VERSION = '8.19.21';
async function startEs() {
  const asRoot = process.getuid?.() === 0;
  const cache = path.join(root, '.cache', 'elasticsearch');
  const zip = path.join(cache, `elasticsearch-${ES_VERSION}.zip`);
  fs.mkdirSync(cache, { recursive: true });
  if (!fs.existsSync(zip)) execFileSync('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip`, `-DoutputDirectory=${cache}`], { cwd: cache, stdio: 'inherit' });
  const home = asRoot ? path.join(os.tmpdir(), `warden-test-elasticsearch-${ES_VERSION}`) : path.join(cache, `elasticsearch-${ES_VERSION}`);
  if (!fs.existsSync(path.join(home, 'bin', 'elasticsearch'))) {
    const tmp = `${home}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    execFileSync('unzip', ['-q', zip, '-d', tmp]);
    fs.renameSync(path.join(tmp, `elasticsearch-${ES_VERSION}`), home);
    fs.rmSync(tmp, { recursive: true, force: true });
    if (asRoot) execFileSync('chown', ['-R', '65534:65534', home]);
  }
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-es-'));
  fs.mkdirSync(path.join(data, 'tmp'));
  if (asRoot) execFileSync('chown', ['-R', '65534:65534', data]);
  const port = await freePort();
  const javaHome = path.dirname(path.dirname(fs.realpathSync(execFileSync('bash', ['-c', 'command -v java'], { encoding: 'utf8' }).trim())));
  const p = spawn(path.join(home, 'bin', 'elasticsearch'), ['-E', 'discovery.type=single-node', '-E', 'xpack.security.enabled=false', '-E', `http.port=${port}`, '-E', `transport.port=${await freePort()}`, '-E', 'network.host=127.0.0.1', '-E', `path.data=${data}/data`, '-E', `path.logs=${data}/logs`, '-E', 'cluster.routing.allocation.disk.threshold_enabled=false'], {
    env: { ...process.env, ES_JAVA_HOME: javaHome, ES_JAVA_OPTS: opt('es-heap', '-Xms1g -Xmx1g'), ES_TMPDIR: `${data}/tmp`, HOME: data }, cwd: data, stdio: 'ignore', ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`)).ok) return { url, stop: async () => { const e = new Promise((r) => p.once('exit', r)); p.kill('SIGTERM'); await e; fs.rmSync(data, { recursive: true, force: true }); } }; } catch { /* starting */ }
    if (p.exitCode !== null) throw new Error('Elasticsearch exited while starting');
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('Elasticsearch did not start');
}

if (mode === 'file' || mode === 'both') {
  const w = await startWarden({});
  try {
    report('(a) file sink', await drive(w, 'file'));
  } finally { await stopWarden(w); }
}
if (mode === 'es' || mode === 'both') {
  const es = opt('es-url', null) ? { url: opt('es-url'), stop: async () => {} } : await startEs();
  try {
    const w = await startWarden({ WARDEN_EXPORTERS_ELASTICSEARCH_URL: es.url, WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: 'bench', WARDEN_EXPORTERS_ELASTICSEARCH_RETENTION_DAYS: '0' });
    try {
      const r = await drive(w, 'es');
      await fetch(`${es.url}/bench-alerts-*/_refresh`, { method: 'POST' });
      const count = (await (await fetch(`${es.url}/bench-alerts-*/_count`)).json()).count;
      report('(b) Elasticsearch', r, `; ${count} alert documents in Elasticsearch`);
    } finally { await stopWarden(w); }
  } finally { await es.stop(); }
}
agent.destroy();
