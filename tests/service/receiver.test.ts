/**
 * The service with its embedded file sink (no Elasticsearch): OTLP/HTTP protobuf, JSON and gzip,
 * OTLP/gRPC, record mapping (string, map and Windows event bodies), status codes, tokens,
 * spool limits, config errors, ruleset reload, status endpoints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ExportLogsServiceResponse, LOGS_SERVICE_EXPORT_PATH, Status } from '../../otel-processor/src/receiver/otlp/proto';
import { loadConfig, ConfigError } from '../../otel-processor/src/service/config';
import type { WardenService } from '../../otel-processor/src/service/service';
import { jsonBody, post, protobufBody, readJsonLines, sshFail, startService, tmpDir, until, writeRuleset, type ResourceSpec } from './helpers';

const rules = writeRuleset(tmpDir('rules'));
const host = (name: string, records: ResourceSpec['records'], extra: Record<string, string> = {}): ResourceSpec => ({ attrs: { 'host.name': name, ...extra }, records });

describe('service with the file sink', () => {
  let state: string;
  let svc: WardenService;
  const alerts = () => readJsonLines(path.join(state, 'alerts', 'alerts.json'));

  beforeAll(async () => {
    state = tmpDir('state');
    svc = await startService(state, rules);
  });
  afterAll(async () => { await svc.stop(5); });

  test('OTLP/HTTP protobuf: an sshd failure becomes an alert in alerts.json and alerts.log', async () => {
    const r = await post(svc.ports.http!, protobufBody([host('web1', [{ body: sshFail('alice', '192.0.2.10', 1), attrs: { 'log.file.path': '/var/log/auth.log' } }])]));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-protobuf');
    const resp = ExportLogsServiceResponse.decode(r.body) as unknown as { partialSuccess?: unknown };
    expect(resp.partialSuccess ?? null).toBeNull();
    const a = await until(() => alerts().find((x) => (x.data as Record<string, string>).dstuser === 'alice'), 'alert for alice', 10_000);
    expect(a.rule).toMatchObject({ id: '100102', level: 8, groups: ['test', 'authentication_failed', 'first_time'] });
    expect(a.agent).toMatchObject({ id: 'web1', name: 'web1' });
    expect(a.location).toBe('/var/log/auth.log');
    expect(a.data).toMatchObject({ srcip: '192.0.2.10', srcport: '40001' });
    expect(a.decoder).toEqual({ name: 'sshd' });
    const log = fs.readFileSync(path.join(state, 'alerts', 'alerts.log'), 'utf8');
    expect(log).toContain("Rule: 100102 (level 8) -> 'sshd: first failed password for this user'");
    expect(log).toContain('Src IP: 192.0.2.10');
  });

  test('OTLP/HTTP JSON with gzip, and first-time-seen: the second failure for a user is the plain rule', async () => {
    const recs = [{ body: sshFail('bob', '192.0.2.11', 2) }, { body: sshFail('bob', '192.0.2.11', 3) }];
    const r = await post(svc.ports.http!, jsonBody([host('web2', recs)]), { json: true, gzip: true });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({});
    const got = await until(() => { const b = alerts().filter((x) => (x.data as Record<string, string>).dstuser === 'bob'); return b.length === 2 ? b : null; }, 'two alerts for bob', 10_000);
    expect(got.map((x) => (x.rule as { id: string }).id)).toEqual(['100102', '100101']);
    expect(new Set(got.map((x) => x.id)).size).toBe(2);
  });

  test('OTLP/gRPC Export, plain and gzip-compressed', async () => {
    for (const compression of [0, 2]) {
      const client = new grpc.Client(`127.0.0.1:${svc.ports.grpc}`, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': compression });
      const body = protobufBody([host('win-grpc', [{ body: sshFail(`grpc${compression}`, '198.51.100.7', 4) }])]);
      const res = await new Promise<Buffer>((resolve, reject) => client.makeUnaryRequest(LOGS_SERVICE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (err, v) => (err ? reject(err) : resolve(v!))));
      client.close();
      expect((ExportLogsServiceResponse.decode(res) as unknown as { partialSuccess?: unknown }).partialSuccess ?? null).toBeNull();
      await until(() => alerts().some((x) => (x.data as Record<string, string>).dstuser === `grpc${compression}`), `gRPC alert ${compression}`, 10_000);
    }
  });

  test('partial success: records without a body are rejected and counted, the rest processed', async () => {
    const req = JSON.parse(jsonBody([host('web3', [{ body: sshFail('carol', '192.0.2.12', 5) }])]));
    req.resourceLogs[0].scopeLogs[0].logRecords.push({ timeUnixNano: '1' }, { body: { stringValue: '' } });
    const r = await post(svc.ports.http!, JSON.stringify(req), { json: true });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body.toString());
    expect(body.partialSuccess.rejectedLogRecords).toBe('2');
    expect(body.partialSuccess.errorMessage).toMatch(/no body/);
    await until(() => alerts().some((x) => (x.data as Record<string, string>).dstuser === 'carol'), 'alert for carol', 10_000);
    // the same in protobuf
    const pb = await post(svc.ports.http!, protobufBody([host('web3', [{ body: '' }])]));
    expect(pb.status).toBe(200);
    const resp = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(pb.body), { longs: Number }) as { partialSuccess: { rejectedLogRecords: number } };
    expect(resp.partialSuccess.rejectedLogRecords).toBe(1);
  });

  test('malformed, unsupported and oversized requests get 400, 415 and 413, and the service keeps serving', async () => {
    const p = svc.ports.http!;
    const bad = await post(p, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(bad.status).toBe(400);
    expect((Status.decode(bad.body) as unknown as { message: string }).message).toMatch(/malformed protobuf/);
    expect((await post(p, '{"resourceLogs": [', { json: true })).status).toBe(400);
    expect((await post(p, '{"resourceLogs": {"a": 1}}', { json: true })).status).toBe(400);
    expect((await post(p, 'hello', { contentType: 'text/plain' })).status).toBe(415);
    const notGzip = await fetch(`http://127.0.0.1:${p}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' });
    expect(notGzip.status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${p}/v1/traces`, { method: 'POST', body: 'x' })).status).toBe(404);
    // over the 16 MiB default, plain and as a small gzip that inflates past it
    const big = Buffer.alloc(17 << 20, 0x61);
    const r413 = await post(p, big).catch(() => ({ status: 413 }));
    expect(r413.status).toBe(413);
    const bomb = await post(p, Buffer.alloc(20 << 20, 0), { gzip: true });
    expect(bomb.status).toBe(413);
    expect((await post(p, protobufBody([host('web4', [{ body: sshFail('dave', '192.0.2.13', 6) }])]))).status).toBe(200);
  });

  test('map bodies are flattened into fields; Windows event log records (all receiver shapes) become OSSEC eventchannel lines', async () => {
    const legacy = { channel: 'Security', computer: 'DC1', event_id: { id: 4625, qualifiers: 0 }, keywords: ['Audit Failure'], level: 'Information', provider: { name: 'Microsoft-Windows-Security-Auditing' }, record_id: 77, message: 'An account failed to log on.', event_data: { TargetUserName: 'eve', IpAddress: '203.0.113.9' } };
    const newer = { ...legacy, record_id: 78, event_data: { data: [{ TargetUserName: 'frank' }, { IpAddress: '203.0.113.10' }] } };
    const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>4625</EventID><Level>0</Level><Keywords>Audit Failure</Keywords><EventRecordID>79</EventRecordID><Channel>Security</Channel><Computer>DC2</Computer></System><EventData><Data Name='TargetUserName'>grace</Data><Data Name='IpAddress'>203.0.113.11</Data></EventData></Event>`;
    const app = { event: { action: 'login-failure', outcome: 'failure' }, user: 'heidi', srcip: '198.51.100.20' };
    const r = await post(svc.ports.http!, protobufBody([host('dc', [{ body: legacy }, { body: newer }, { body: xml }, { body: app }])]));
    expect(r.status).toBe(200);
    const win = await until(() => { const w = alerts().filter((x) => (x.rule as { id: string }).id === '100201'); return w.length === 3 ? w : null; }, 'three Windows alerts', 10_000);
    const users = win.map((x) => (x.data as Record<string, string>)['win.eventdata.targetUserName']).sort();
    expect(users).toEqual(['eve', 'frank', 'grace']);
    for (const w of win) {
      expect(w.full_log).toMatch(/WinEvtLog: Security: AUDIT_FAILURE\(4625\): Microsoft-Windows-Security-Auditing: /);
      expect(w.location).toBe('WinEvtLog');
      expect((w.data as Record<string, string>).id).toBe('4625');
      expect((w.data as Record<string, string>).status).toBe('AUDIT_FAILURE');
    }
    const a = await until(() => alerts().find((x) => (x.rule as { id: string }).id === '100300'), 'JSON body alert', 10_000);
    expect(a.data).toMatchObject({ 'event.action': 'login-failure', 'event.outcome': 'failure', dstuser: 'heidi', srcip: '198.51.100.20' });
    expect(JSON.parse(a.full_log as string)).toEqual(app);
  });

  test('/healthz, /readyz and /metrics (Prometheus text with Warden counters)', async () => {
    const base = `http://127.0.0.1:${svc.ports.service}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).exporters.file).toBeDefined();
    const m = await (await fetch(`${base}/metrics`)).text();
    expect(m).toMatch(/^warden_events_received_total\{[^}]*\} ([1-9]\d*)$/m);
    expect(m).toMatch(/^warden_alerts_total\{level="8"[^}]*\} [1-9]/m);
    expect(m).toMatch(/^warden_records_rejected_total\{reason="invalid_record"[^}]*\} [1-9]/m);
    expect(m).toMatch(/^warden_spool_depth\{[^}]*\} \d+$/m);
    expect(m).toMatch(/^warden_engine_errors_total\{[^}]*\} 0$/m);
    expect(m).toMatch(/^warden_correlation_events\{[^}]*\} \d+$/m);
    expect(m).toMatch(/^warden_correlation_agents\{[^}]*\} \d+$/m);
    expect(m).toMatch(/^warden_correlation_evictions_total\{[^}]*\} 0$/m);
    // the service's other per-agent and per-key state (issue 16); disconnect detection is off here; the file sink's stats rows
    expect(m).toMatch(/^warden_agents_tracked\{[^}]*\} 0$/m);
    expect(m).toMatch(/^warden_fts_keys\{[^}]*\} \d+$/m);
    expect(m).toMatch(/^warden_fts_evictions_total\{[^}]*\} 0$/m);
    expect(m).toMatch(/^warden_aggregate_stats\{[^}]*\} \d+$/m);
    expect(m).toMatch(/^warden_requests_total\{transport="http",code="400"[^}]*\} [1-9]/m);
    expect(m).toMatch(/service_name="warden"/);
  });

  test('agents and hourly stats snapshots count events and alerts per agent', async () => {
    const agents = await until(() => {
      const f = path.join(state, 'alerts', 'agents.json');
      if (!fs.existsSync(f)) return null;
      const a = JSON.parse(fs.readFileSync(f, 'utf8')) as Array<{ agent: { id: string }; events: number; alerts: number; ips: Array<{ ip: string }> }>;
      const w2 = a.find((x) => x.agent.id === 'web2');
      return w2 ? { a, w2 } : null;
    }, 'agents.json with web2', 10_000);
    expect(agents.w2).toMatchObject({ events: 2, alerts: 2 });
    expect(agents.w2.ips.map((i) => i.ip)).toEqual(['127.0.0.1']);
    const stats = JSON.parse(fs.readFileSync(path.join(state, 'alerts', 'stats.json'), 'utf8')) as Array<{ agent: { id: string }; events: number; alerts: number; alerts_by_level: Record<string, number> }>;
    const w2 = stats.filter((s) => s.agent.id === 'web2');
    expect(w2.reduce((n, s) => n + s.events, 0)).toBe(2);
    expect(w2.reduce((n, s) => n + (s.alerts_by_level['5'] ?? 0) + (s.alerts_by_level['8'] ?? 0), 0)).toBe(2);
    expect(stats.some((s) => s.agent.id === '_total' && s.events > 0)).toBe(true);
  });

  test('a broken ruleset is refused with its error and the running one keeps working; a good one takes over', async () => {
    const extra = path.join(rules, 'rules', 'zz-extra.xml');
    fs.writeFileSync(extra, '<group name="x,"><rule id="100900" level="4"><match>reload-marker</match><description>after reload</description></rule>');
    try {
      const bad = await svc.reload();
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error).toMatch(/zz-extra\.xml/);
      expect((await post(svc.ports.http!, protobufBody([host('web5', [{ body: sshFail('ivan', '192.0.2.14', 7) }])]))).status).toBe(200);
      await until(() => alerts().some((x) => (x.data as Record<string, string>).dstuser === 'ivan'), 'alert with the old ruleset', 10_000);
      fs.writeFileSync(extra, '<group name="x,"><rule id="100900" level="4"><match>reload-marker</match><description>after reload</description></rule></group>');
      expect((await svc.reload()).ok).toBe(true);
      expect((await post(svc.ports.http!, protobufBody([host('web5', [{ body: 'app: reload-marker seen' }])]))).status).toBe(200);
      await until(() => alerts().some((x) => (x.rule as { id: string }).id === '100900'), 'alert from the reloaded ruleset', 10_000);
    } finally {
      fs.rmSync(extra, { force: true });
      await svc.reload();
    }
  });
});

describe('bearer tokens', () => {
  let state: string;
  let svc: WardenService;
  const alerts = () => readJsonLines(path.join(state, 'alerts', 'alerts.json'));
  beforeAll(async () => {
    state = tmpDir('auth');
    svc = await startService(state, rules, { WARDEN_RECEIVER_AUTH_TOKENS: 'tok-web=agent-007:web-seven,tok-any' });
  });
  afterAll(async () => { await svc.stop(5); });

  test('unknown or missing tokens get 401 and nothing is processed; a bound token fixes the agent identity', async () => {
    const req = protobufBody([host('claims-to-be-dc', [{ body: sshFail('judy', '192.0.2.15', 8) }], { 'warden.agent.id': 'dc-01' })]);
    const unknown = await post(svc.ports.http!, req, { token: 'nope' });
    expect(unknown.status).toBe(401);
    expect((await post(svc.ports.http!, req)).status).toBe(401);
    const client = new grpc.Client(`127.0.0.1:${svc.ports.grpc}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer nope');
    const err = await new Promise<grpc.ServiceError>((resolve) => client.makeUnaryRequest(LOGS_SERVICE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, req, md, (e) => resolve(e!)));
    client.close();
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await post(svc.ports.http!, req, { token: 'tok-web' })).status).toBe(200);
    const a = await until(() => alerts().find((x) => (x.data as Record<string, string>).dstuser === 'judy'), 'alert for judy', 10_000);
    expect(a.agent).toMatchObject({ id: 'agent-007', name: 'web-seven' });
    expect(alerts()).toHaveLength(1);
    // an unbound token authenticates; identity comes from the resource
    expect((await post(svc.ports.http!, protobufBody([host('h2', [{ body: sshFail('ken', '192.0.2.16', 9) }], { 'warden.agent.id': 'dc-01' })]), { token: 'tok-any' })).status).toBe(200);
    const b = await until(() => alerts().find((x) => (x.data as Record<string, string>).dstuser === 'ken'), 'alert for ken', 10_000);
    expect(b.agent).toMatchObject({ id: 'dc-01', name: 'h2' });
  });
});

describe('spool limit', () => {
  test('when the spool is over its limit Warden answers 503 with Retry-After (HTTP) and UNAVAILABLE (gRPC), never 500', async () => {
    const state = tmpDir('full');
    // an Elasticsearch that is not there: nothing drains
    const svc = await startService(state, rules, {
      WARDEN_EXPORTERS_ELASTICSEARCH_URL: 'http://127.0.0.1:9',
      WARDEN_SPOOL_MAX_BYTES: '4KiB',
      WARDEN_RECEIVER_RETRY_AFTER_SECONDS: '7',
    });
    try {
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof post>> | null = null;
      for (let i = 0; i < 40 && !statuses.includes(503); i++) {
        last = await post(svc.ports.http!, protobufBody([host('web9', Array.from({ length: 5 }, (_, k) => ({ body: sshFail(`u${i}-${k}`, '192.0.2.20', k) })))]));
        statuses.push(last.status);
      }
      expect(statuses).toContain(200);
      expect(statuses[statuses.length - 1]).toBe(503);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      expect(last!.headers.get('retry-after')).toBe('7');
      const client = new grpc.Client(`127.0.0.1:${svc.ports.grpc}`, grpc.credentials.createInsecure());
      const err = await new Promise<grpc.ServiceError>((resolve) => client.makeUnaryRequest(LOGS_SERVICE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, protobufBody([host('web9', [{ body: 'x' }])]), (e) => resolve(e!)));
      client.close();
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      const ready = await fetch(`http://127.0.0.1:${svc.ports.service}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await svc.stop(0);
    }
  });
});

describe('configuration', () => {
  test('errors name the setting and where the value came from', () => {
    expect(() => loadConfig(null, { WARDEN_RECEIVER_HTTP_PORT: 'abc' })).toThrow(/receiver\.http\.port: must be an integer.*WARDEN_RECEIVER_HTTP_PORT/);
    expect(() => loadConfig(null, { WARDEN_SPOOL_MAX_BYTES: '12 parsecs' })).toThrow(/spool\.max_bytes: must be a size/);
    expect(() => loadConfig(null, { WARDEN_EXPORTERS_ELASTICSEARCH_URL: 'ftp://x' })).toThrow(/exporters\.elasticsearch\.url/);
    const dir = tmpDir('cfg');
    const f = path.join(dir, 'warden.yaml');
    fs.writeFileSync(f, 'receiver:\n  http:\n    prot: 4318\n');
    expect(() => loadConfig(f, {})).toThrow(ConfigError);
    expect(() => loadConfig(f, {})).toThrow(/unknown setting receiver\.http\.prot/);
    fs.writeFileSync(f, 'receiver:\n  http:\n    port: 5318\nspool:\n  max_bytes: 2GiB\nexporters:\n  elasticsearch:\n    url: http://es:9200\n');
    const c = loadConfig(f, { WARDEN_RECEIVER_GRPC_PORT: '5317' });
    expect(c.receiver.http.port).toBe(5318);
    expect(c.receiver.grpc.port).toBe(5317);
    expect(c.spool.maxBytes).toBe(2 * 1024 ** 3);
    expect(c.exporters.file.enabled).toBe(false);
    expect(c.stateDir).toBe(path.join(dir, 'var'));
  });
});
