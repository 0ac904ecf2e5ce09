/**
 * The service's side of "nothing acknowledged is ever lost": the reproductions, each
 * failing on the service as it was. Acknowledged batches survive a restart while an exporter
 * is behind; a record that cannot become an alert is refused alone; a request the spool
 * refused is not run through the engine a second time when it is retried; and the signals
 * (rejected counters, exporter state and failures, engine errors, log lines, shutdown) say
 * what happened.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import type { Spool } from '../../otel-processor/src/spool/spool';
import { WardenService } from '../../otel-processor/src/service/service';
import { jsonBody, post, readJsonLines, requestObject, sshFail, testConfig, tmpDir, until, writeRuleset, ServiceProcess } from '../service/helpers';

const rules = writeRuleset(tmpDir('rules'));

/** A port nothing listens on (an Elasticsearch that is down). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function start(state: string, env: Record<string, string> = {}): Promise<{ svc: WardenService; logs: string[] }> {
  const logs: string[] = [];
  const svc = await WardenService.start(testConfig(state, rules, env), (m) => logs.push(m));
  return { svc, logs };
}

interface Readyz {
  ready: boolean;
  spool: { batches: number; bytes: number };
  exporters: Record<string, { state: string; lag: number; error: string | null; since: string | null; failures: number }>;
}

async function readyz(svc: WardenService): Promise<Readyz> {
  const r = await fetch(`http://127.0.0.1:${svc.ports.service}/readyz`);
  return (await r.json()) as Readyz;
}

async function metrics(svc: WardenService): Promise<string> {
  return (await fetch(`http://127.0.0.1:${svc.ports.service}/metrics`)).text();
}

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** 100 records of about 400 bytes each (~40 KB), all of which alert. */
function bigRequest(n: number): string {
  const records = Array.from({ length: 100 }, (_, i) => ({ body: `app[1]: login-failure request=${n} record=${i} ${'x'.repeat(360)}` }));
  return jsonBody([{ attrs: { 'host.name': 'web1' }, records }]);
}

test('the 40-batch reproduction: Elasticsearch unreachable, 1 MiB segments, 40 requests answered 200, restart: all 40 wait to be delivered', async () => {
  const state = tmpDir('forty');
  const env = {
    WARDEN_EXPORTERS_ELASTICSEARCH_URL: `http://127.0.0.1:${await deadPort()}`,
    WARDEN_EXPORTERS_FILE_ENABLED: 'false',
    WARDEN_SPOOL_SEGMENT_BYTES: String(1 << 20),
  };
  const { svc } = await start(state, env);
  for (let n = 0; n < 40; n++) expect((await post(svc.ports.http!, bigRequest(n), { json: true })).status).toBe(200);
  expect((await readyz(svc)).exporters.elasticsearch.lag).toBe(40);
  await svc.stop(0);
  const again = await start(state, env);
  try {
    const r = await readyz(again.svc);
    expect(r.exporters.elasticsearch.lag).toBe(40);
    expect(r.spool.batches).toBe(40);
    expect(again.logs.join('\n')).toMatch(/spool holds 40 batch\(es\) \(\d+ bytes\) not yet delivered \(elasticsearch 40\); replaying/);
  } finally {
    await again.svc.stop(0);
  }
});

describe('one service', () => {
  let state: string;
  let svc: WardenService;
  let logs: string[];
  const alerts = () => readJsonLines(path.join(state, 'alerts', 'alerts.json'));
  beforeAll(async () => {
    state = tmpDir('svc');
    ({ svc, logs } = await start(state));
  });
  afterAll(async () => { await svc?.stop(2); });

  test('a record whose time no date can hold is refused alone; the good records of its request are delivered; no answer carries a stack trace', async () => {
    const req = requestObject([{ attrs: { 'host.name': 'web1' }, records: [
      { body: 'app[1]: login-failure poison-neighbour-1' }, { body: 'app[1]: login-failure poison' }, { body: 'app[1]: login-failure poison-neighbour-2' },
    ] }]) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<Record<string, unknown>> }> }> };
    req.resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano = '9000000000000000000000';
    const r = await post(svc.ports.http!, JSON.stringify(req), { json: true });
    const body = r.body.toString();
    expect(body).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+/);
    expect(r.status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/record time .* after the year 9999 \(record 0\.0\.1\)/) } });
    await until(() => alerts().filter((a) => /poison-neighbour/.test(String(a.full_log))).length === 2, 'the two good records');
    expect(alerts().filter((a) => /login-failure poison$/.test(String(a.full_log)))).toEqual([]);
    const m = await metrics(svc);
    expect(metric(m, 'warden_records_rejected_total', { reason: 'invalid_record' })).toBeGreaterThanOrEqual(1);
  });

  test('a request the spool refused is not run through the engine again when retried: a first-time-seen alert is raised once, not lost', async () => {
    const spool = (svc as unknown as { spool: Spool }).spool;
    const req = jsonBody([{ attrs: { 'host.name': 'web1' }, records: [{ body: sshFail('fts-once', '192.0.2.77', 1) }] }]);
    spool.opts.faults = { writeRoom: () => 0 };
    const refused = await post(svc.ports.http!, req, { json: true });
    expect(refused.status).toBe(503);
    expect(refused.body.toString()).toMatch(/ENOSPC/);
    expect(metric(await metrics(svc), 'warden_records_rejected_total', { reason: 'spool_error' })).toBe(1);
    spool.opts.faults = undefined;
    expect((await post(svc.ports.http!, req, { json: true })).status).toBe(200);
    const mine = await until(() => { const a = alerts().filter((x) => (x.data as Record<string, string>).dstuser === 'fts-once'); return a.length ? a : null; }, 'the alert');
    expect(mine.map((a) => (a.rule as { id: string }).id)).toEqual(['100102']);
    expect((mine[0].rule as { firedtimes: number }).firedtimes).toBe(1);
  });

  test('/metrics: the engine error counter, exporter lag and state are exported', async () => {
    const m = await metrics(svc);
    expect(m).toMatch(/^warden_engine_errors_total(\{[^}]*\})? 0$/m);
    expect(m).toMatch(/^warden_exporter_lag\{[^}]*exporter="file"[^}]*\} \d+$/m);
    expect(m).toMatch(/^warden_exporter_up\{[^}]*exporter="file"[^}]*\} 1$/m);
    expect((await readyz(svc)).exporters.file).toMatchObject({ state: 'ok', error: null, since: null, lag: expect.any(Number) });
    expect(logs.join('\n')).not.toMatch(/failing/);
  });
});

test('spool full: the refused records are counted, and an exporter that cannot deliver says so in /readyz, /metrics and the log', async () => {
  const state = tmpDir('full');
  const { svc, logs } = await start(state, {
    WARDEN_EXPORTERS_ELASTICSEARCH_URL: `http://127.0.0.1:${await deadPort()}`,
    WARDEN_EXPORTERS_FILE_ENABLED: 'false',
    WARDEN_SPOOL_MAX_BYTES: '60000',
  });
  try {
    let refused = 0;
    let answers503 = 0;
    for (let n = 0; n < 4; n++) {
      const r = await post(svc.ports.http!, bigRequest(n), { json: true });
      if (r.status === 503) { answers503++; refused += 100; expect(r.body.toString()).toMatch(/spool is full/); }
    }
    expect(answers503).toBeGreaterThan(0);
    const es = await until(async () => { const e = (await readyz(svc)).exporters.elasticsearch; return e.state === 'retrying' ? e : null; }, 'elasticsearch retrying');
    expect(es).toMatchObject({ state: 'retrying', error: expect.stringMatching(/\S/), since: expect.stringMatching(/^\d{4}-/) });
    const m = await metrics(svc);
    expect(metric(m, 'warden_records_rejected_total', { reason: 'spool_full' })).toBe(refused);
    expect(metric(m, 'warden_exporter_failures_total', { exporter: 'elasticsearch' })).toBeGreaterThan(0);
    expect(metric(m, 'warden_exporter_up', { exporter: 'elasticsearch' })).toBe(0);
    expect(logs.filter((l) => /exporter elasticsearch is failing .*; retrying, \d+ batch\(es\) waiting in the spool/.test(l))).toHaveLength(1);
  } finally {
    await svc.stop(0);
  }
});

test('SIGTERM with Elasticsearch down and shutdown_timeout_seconds 3: the process exits within the limit and logs what stays spooled', async () => {
  const state = tmpDir('term');
  const p = new ServiceProcess({
    WARDEN_STATE_DIR: state, WARDEN_RULESET: rules,
    WARDEN_RECEIVER_HTTP_PORT: '0', WARDEN_RECEIVER_HTTP_HOST: '127.0.0.1', WARDEN_RECEIVER_GRPC_ENABLED: 'false', WARDEN_SERVICE_PORT: '0', WARDEN_SERVICE_WATCH_RULES: 'false',
    // an address that never answers: connections hang rather than fail
    WARDEN_EXPORTERS_ELASTICSEARCH_URL: 'http://10.255.255.1:9200',
    WARDEN_SERVICE_SHUTDOWN_TIMEOUT_SECONDS: '3',
  });
  const port = await p.ready();
  for (let n = 0; n < 5; n++) expect((await post(port, bigRequest(n), { json: true })).status).toBe(200);
  const t0 = Date.now();
  const code = await p.kill('SIGTERM');
  const took = Date.now() - t0;
  expect(code).toBe(0);
  expect(took).toBeLessThan(4500);
  expect(p.output).toMatch(/stopped; \d+ batch\(es\) \(\d+ bytes\) stay spooled for the next start \(elasticsearch [1-5]\)/);
}, 60_000);

test("fairness: one agent's queue of heavy requests does not hold back another agent's request", async () => {
  const { svc } = await start(tmpDir('fair'), { WARDEN_RECEIVER_AUTH_TOKENS: 'tok-a=agent-a:alpha,tok-b=agent-b:beta' });
  try {
    const heavy = (n: number) => jsonBody([{ attrs: { 'host.name': 'alpha' }, records: Array.from({ length: 3000 }, (_, i) => ({ body: sshFail(`u${n}-${i}`, '192.0.2.10', i) })) }]);
    const order: string[] = [];
    const fromA = Array.from({ length: 8 }, (_, n) => post(svc.ports.http!, heavy(n), { json: true, token: 'tok-a' }).then((r) => { expect(r.status).toBe(200); order.push(`a${n}`); }));
    // all of agent A's requests are in, most of them waiting for the engine
    await until(() => (svc as unknown as { fair: { waiting: number } }).fair.waiting >= 5, "agent A's requests to queue", 30_000, 5);
    const fromB = post(svc.ports.http!, jsonBody([{ attrs: { 'host.name': 'beta' }, records: [{ body: 'app[1]: login-failure from beta' }] }]), { json: true, token: 'tok-b' })
      .then((r) => { expect(r.status).toBe(200); order.push('b'); });
    await Promise.all([...fromA, fromB]);
    // served in turn: B waits for what the engine already had, not for all of A's queue
    expect(order.indexOf('b')).toBeLessThanOrEqual(3);
  } finally {
    await svc.stop(0);
  }
});
