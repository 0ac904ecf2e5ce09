/**
 * The service's API for the Grafana app on the status port: GET /api/rules and POST /api/logtest,
 * with Warden's own ruleset (rules/), behind service.api_token.
 */
import * as path from 'node:path';
import type { WardenService } from '../../otel-processor/src/service/service';
import { ROOT, post, readJsonLines, sshFail, startService, tmpDir, until } from './helpers';

const RULES = path.join(ROOT, 'rules');
const TOKEN = 'test-api-token';
const SSHD = 'Oct 11 10:00:01 web1 sshd[1234]: Failed password for root from 192.0.2.50 port 40001 ssh2';

interface Answer { status: number; body: Record<string, unknown> }

async function call(svc: WardenService, p: string, opts: { method?: string; token?: string | null; body?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`http://127.0.0.1:${svc.ports.service}${p}`, { method: opts.method ?? 'GET', headers, body: opts.body });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

const logtest = (svc: WardenService, body: unknown, token?: string | null) => call(svc, '/api/logtest', { method: 'POST', token, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('service API disabled (no service.api_token)', () => {
  let svc: WardenService;
  beforeAll(async () => { svc = await startService(tmpDir('api-off'), RULES); });
  afterAll(async () => { await svc.stop(5); });

  test('/api/rules and /api/logtest answer 404, even with a token', async () => {
    expect((await call(svc, '/api/rules')).status).toBe(404);
    expect((await logtest(svc, { line: SSHD })).status).toBe(404);
    const r = await call(svc, '/api/rules', { token: null });
    expect(r.status).toBe(404);
    expect(String(r.body.error)).toMatch(/service\.api_token/);
    // the rest of the status server is unchanged
    expect((await fetch(`http://127.0.0.1:${svc.ports.service}/healthz`)).status).toBe(200);
  });
});

describe.each([['engine thread', 'true'], ['main thread', 'false']])('service API (%s)', (_name, thread) => {
  let svc: WardenService;
  let state: string;
  beforeAll(async () => {
    state = tmpDir('api');
    svc = await startService(state, RULES, { WARDEN_SERVICE_API_TOKEN: TOKEN, WARDEN_SERVICE_ENGINE_THREAD: thread, WARDEN_RECEIVER_MAX_LOG_BYTES: '1024' });
  });
  afterAll(async () => { await svc.stop(5); });

  test('missing or wrong token: 401', async () => {
    for (const token of [null, 'wrong-token', '']) {
      const r = await call(svc, '/api/rules', { token });
      expect(r.status).toBe(401);
      expect((await logtest(svc, { line: SSHD }, token)).status).toBe(401);
    }
  });

  test('GET /api/rules lists the loaded ruleset with id, level, description, groups, file', async () => {
    const r = await call(svc, '/api/rules');
    expect(r.status).toBe(200);
    const rules = r.body.rules as Array<{ id: string; level: number; description: string; groups: string[]; file?: string }>;
    expect(rules.length).toBeGreaterThan(100);
    const r5716 = rules.find((x) => x.id === '5716');
    expect(r5716).toMatchObject({ id: '5716', level: 5, description: 'sshd: authentication failed for an existing user.' });
    expect(r5716!.groups).toEqual(expect.arrayContaining(['sshd', 'authentication_failed']));
    expect(r5716!.file).toMatch(/sshd_rules\.xml$/);
    expect((await call(svc, '/api/rules', { method: 'POST', body: '{}' })).status).toBe(405);
  });

  test('POST /api/logtest: an sshd failure through the three phases', async () => {
    const r = await logtest(svc, { line: SSHD, location: '/var/log/auth.log' });
    expect(r.status).toBe(200);
    expect(r.body.phase1).toEqual({ full_event: SSHD, hostname: 'web1', program_name: 'sshd', log: 'Failed password for root from 192.0.2.50 port 40001 ssh2', timestamp: 'Oct 11 10:00:01' });
    const p2 = r.body.phase2 as { decoder: string; parent: string | null; fields: Array<{ name: string; value: string }> };
    expect(p2.decoder).toBe('sshd');
    expect(p2.fields).toEqual(expect.arrayContaining([{ name: 'srcip', value: '192.0.2.50' }, { name: 'dstuser', value: 'root' }]));
    expect(r.body.phase3).toEqual({ rule: { id: '5716', level: 5, description: 'sshd: authentication failed for an existing user.', groups: expect.arrayContaining(['authentication_failed']), file: expect.stringMatching(/sshd_rules\.xml$/), line: expect.any(Number), xml: expect.stringMatching(/^\s*<rule id="5716"[\s\S]*<\/rule>$/) }, alert: true });
  });

  test('logtest never touches the live correlation memory: ten failures in a row stay 5716 (5720 needs 8)', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await logtest(svc, { line: SSHD });
      expect((r.body.phase3 as { rule: { id: string } }).rule.id).toBe('5716');
    }
  });

  test('a line no decoder knows: no decoder, and the rule it falls to (or none)', async () => {
    const r = await logtest(svc, { line: 'just some words' });
    expect(r.status).toBe(200);
    expect((r.body.phase2 as { decoder: unknown }).decoder).toBeNull();
    expect(r.body.phase1).toMatchObject({ full_event: 'just some words', program_name: null });
  });

  test('bad requests: 400 for bad JSON or no line, 413 above receiver.max_log_bytes, 405 for GET', async () => {
    const bad = await logtest(svc, '{not json');
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toMatch(/not valid JSON/);
    for (const body of [{}, { line: '' }, { line: 42 }, [SSHD], { line: SSHD, location: 5 }]) {
      const r = await logtest(svc, body);
      expect(r.status).toBe(400);
      expect(String(r.body.error)).toMatch(/line|location|object/);
    }
    const long = await logtest(svc, { line: 'x'.repeat(1025) });
    expect(long.status).toBe(413);
    expect(String(long.body.error)).toMatch(/max_log_bytes/);
    expect((await logtest(svc, { line: 'x'.repeat(1024) })).status).toBe(200);
    expect((await call(svc, '/api/logtest')).status).toBe(405);
  });

  test('the live pipeline still works beside the API', async () => {
    const r = await post(svc.ports.http!, JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'host.name', value: { stringValue: 'api-host' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: sshFail('dave', '192.0.2.77', 7) } }] }] }] }), { json: true });
    expect(r.status).toBe(200);
    await until(() => readJsonLines(path.join(state, 'alerts', 'alerts.json')).some((a) => (a.agent as { id: string }).id === 'api-host'), 'alert from api-host', 10_000);
  });
});
