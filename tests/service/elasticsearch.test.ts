/**
 * The service against a REAL Elasticsearch (integ-test distribution fetched with Maven, started
 * once for this file): alert documents and mapping types, agents and stats, first-time-seen
 * across a restart, a crash with a non-empty spool, Elasticsearch stopped mid-run, duplicates
 * from retries, retention, and the exporter's agents and stats state bounded while thousands of
 * agents come and go (with a crash replayed in other rounds). Without Java or Maven the suite fails saying so; if Elasticsearch
 * cannot start, every test here fails with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EsNode, missingTools } from './es-node';
import { EsClient } from '../../otel-processor/src/exporters/elasticsearch/client';
import { ElasticsearchExporter } from '../../otel-processor/src/exporters/elasticsearch/es-exporter';
import { Spool } from '../../otel-processor/src/spool/spool';
import { encodeBody, type AgentDelta, type StatsDelta } from '../../otel-processor/src/processor/batch';
import { post, protobufBody, jsonBody, sshFail, startService, tmpDir, until, writeRuleset, ServiceProcess, type ResourceSpec } from './helpers';

// a missing tool fails the suite, saying which (README, Prerequisites): it never skips
const missing = missingTools();
if (missing) throw new Error(`the Elasticsearch service tests need Java and Maven: ${missing}`);
const d = describe;

const rules = writeRuleset(tmpDir('es-rules'));
const host = (name: string, records: ResourceSpec['records'], extra: Record<string, string> = {}): ResourceSpec => ({ attrs: { 'host.name': name, ...extra }, records });
type Hit = { _id: string; _index: string; _source: Record<string, unknown> };
const src = (h: Hit) => h._source as { rule: { id: string; level: number }; data: Record<string, string>; agent: { id: string } };

d('with a real Elasticsearch', () => {
  let es: EsNode;

  beforeAll(async () => {
    es = await EsNode.create();
    await es.start();
  }, 900_000);

  afterAll(async () => {
    await es?.destroy();
  }, 120_000);

  const esEnv = (prefix: string, extra: Record<string, string> = {}) => ({
    WARDEN_EXPORTERS_ELASTICSEARCH_URL: es.url,
    WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: prefix,
    WARDEN_EXPORTERS_ELASTICSEARCH_FTS_REFRESH_SECONDS: '0',
    ...extra,
  });

  const alertsOf = (prefix: string, query?: unknown) => es.search(`${prefix}-alerts-*`, query);

  test('alert documents: OSSEC fields, keyword/ip/date/integer types, ECS aliases, daily index, deterministic id', async () => {
    const svc = await startService(tmpDir('es1'), rules, esEnv('t1'));
    try {
      const t = Date.UTC(2024, 4, 17, 12, 30, 0);
      const win = { channel: 'Security', computer: 'DC1', event_id: { id: 4625 }, keywords: ['Audit Failure'], provider: { name: 'Microsoft-Windows-Security-Auditing' }, event_data: { data: [{ TargetUserName: 'eve' }] } };
      const body = protobufBody([
        host('web1', [{ body: sshFail('alice', '192.0.2.10', 1), timeMs: t, attrs: { 'log.file.path': '/var/log/auth.log' } }], { 'host.ip': '10.1.2.3' }),
        host('dc1', [{ body: win, timeMs: t + 1000 }]),
      ]);
      expect((await post(svc.ports.http!, body)).status).toBe(200);
      const hits = await until(async () => { const h = await alertsOf('t1'); return h.length === 2 ? h : null; }, 'two alerts in Elasticsearch', 60_000);
      const ssh = hits.find((h) => src(h).rule.id === '100102')!;
      expect(ssh._index).toBe('t1-alerts-2024.05.17');
      expect(ssh._id).toMatch(/^[0-9a-f]{40}$/);
      expect(ssh._source).toMatchObject({
        '@timestamp': '2024-05-17T12:30:00.000Z',
        rule: { id: '100102', level: 8, description: 'sshd: first failed password for this user', groups: ['test', 'authentication_failed', 'first_time'], firedtimes: 1, mail: false },
        agent: { id: 'web1', name: 'web1', ip: '10.1.2.3' },
        location: '/var/log/auth.log',
        full_log: sshFail('alice', '192.0.2.10', 1),
        decoder: { name: 'sshd' },
        predecoder: { program_name: 'sshd', hostname: 'web1' },
        data: { srcip: '192.0.2.10', srcport: '40001', dstuser: 'alice' },
      });
      expect(typeof (ssh._source as { received_at: string }).received_at).toBe('string');
      const winDoc = hits.find((h) => src(h).rule.id === '100201')!;
      expect(src(winDoc).data['win.eventdata.targetUserName']).toBe('eve');

      const mapping = (await es.req('GET', '/t1-alerts-2024.05.17/_mapping')).body as Record<string, { mappings: { properties: Record<string, { type?: string; path?: string; properties?: Record<string, { type?: string; path?: string; properties?: Record<string, { type: string }> }> }> } }>;
      const props = mapping['t1-alerts-2024.05.17'].mappings.properties;
      expect(props['@timestamp'].type).toBe('date');
      expect(props.rule.properties!.id.type).toBe('keyword');
      expect(props.rule.properties!.level.type).toBe('integer');
      expect(props.rule.properties!.groups.type).toBe('keyword');
      expect(props.agent.properties!.ip.type).toBe('ip');
      expect(props.data.properties!.srcip.type).toBe('ip');
      expect(props.data.properties!.dstuser.type).toBe('keyword');
      expect(props.data.properties!['win.eventdata.targetUserName'].type).toBe('keyword');
      expect(props.source.properties!.ip).toEqual({ type: 'alias', path: 'data.srcip' });
      // both vocabularies query: OSSEC names and ECS aliases, ip ranges on ip fields
      const byEcs = await alertsOf('t1', { bool: { filter: [{ term: { 'source.ip': '192.0.2.10' } }, { term: { 'user.name': 'alice' } }, { range: { 'event.severity': { gte: 8 } } }, { term: { 'host.name': 'web1' } }] } });
      expect(byEcs.map((h) => h._id)).toEqual([ssh._id]);
      const byCidr = await alertsOf('t1', { term: { 'data.srcip': '192.0.2.0/24' } });
      expect(byCidr).toHaveLength(1);
      // a collector retry of the same request does not duplicate anything
      expect((await post(svc.ports.http!, body)).status).toBe(200);
      await until(() => svc.spoolDepth === 0, 'spool drained');
      expect(await alertsOf('t1')).toHaveLength(2);
    } finally {
      await svc.stop(10);
    }
  });

  test('agents and hourly stats documents; token-bound agents that never sent are listed; silent agents raise the disconnected alert', async () => {
    const svc = await startService(tmpDir('es2'), rules, esEnv('t2', { WARDEN_RECEIVER_AUTH_TOKENS: 'tok-a=agent-a:alpha,tok-never=agent-never:ghost', WARDEN_AGENTS_DISCONNECT_AFTER_SECONDS: '2' }));
    try {
      const t = Date.UTC(2024, 4, 17, 10, 15, 0);
      const recs = (n: number, offset: number) => Array.from({ length: n }, (_, i) => ({ body: i % 2 ? `Oct 11 10:00:00 alpha cron[1]: job ${i}` : sshFail(`user${offset + i}`, '192.0.2.30', i), timeMs: t + (offset + i) * 1000 }));
      const ua = 'OpenTelemetry Collector Contrib/0.98.0 (linux/amd64)';
      for (const [i, n] of [[0, 10], [10, 6]]) {
        const r = await fetch(`http://127.0.0.1:${svc.ports.http}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer tok-a', 'user-agent': ua }, body: jsonBody([host('alpha-host', recs(n, i))]) });
        expect(r.status).toBe(200);
      }
      const agents = await until(async () => {
        const h = await es.search('t2-agents');
        const a = h.find((x) => x._id === 'agent-a');
        // both documents: a refresh can land between two items of one bulk request
        return a && (a._source as { events: number }).events === 16 && h.some((x) => x._id === 'agent-never') ? h : null;
      }, 'agent-a with 16 events and agent-never', 60_000);
      const a = agents.find((x) => x._id === 'agent-a')!._source as Record<string, unknown>;
      expect(a).toMatchObject({ agent: { id: 'agent-a', name: 'alpha' }, events: 16, alerts: 8, collector: { version: ua } });
      expect((a.ips as Array<{ ip: string }>).map((x) => x.ip)).toEqual(['127.0.0.1']);
      expect(Date.parse(a.last_seen as string)).toBeGreaterThanOrEqual(Date.parse(a.first_seen as string));
      const never = agents.find((x) => x._id === 'agent-never')!._source;
      expect(never).toMatchObject({ agent: { id: 'agent-never', name: 'ghost' }, events: 0, first_seen: null });

      const stats = await until(async () => {
        const h = await es.search('t2-stats-*', { term: { '@timestamp': '2024-05-17T10:00:00.000Z' } });
        return h.length === 2 ? h : null;
      }, 'stats documents for the hour', 30_000);
      const mine = stats.find((s) => (s._source as { agent: { id: string } }).agent.id === 'agent-a')!._source;
      const total = stats.find((s) => (s._source as { agent: { id: string } }).agent.id === '_total')!._source;
      expect(mine).toMatchObject({ events: 16, alerts: 8, alerts_by_level: { 8: 8 } });
      expect(total).toMatchObject({ events: 16, alerts: 8 });
      expect(stats[0]._index).toBe('t2-stats-2024.05');

      // agent-a now falls silent: OSSEC's "agent disconnected" (rule 504 when the ruleset has none)
      const dis = await until(async () => { const h = await alertsOf('t2', { term: { 'rule.id': '504' } }); return h.length ? h : null; }, 'agent disconnected alert', 30_000);
      expect(dis[0]._source).toMatchObject({ agent: { id: 'agent-a', name: 'alpha' }, rule: { id: '504', level: 3 }, location: 'ossec-monitord' });
    } finally {
      await svc.stop(10);
    }
  });

  test('first-time-seen keys live in Elasticsearch: a restart with no local state still knows them', async () => {
    const first = await startService(tmpDir('es3a'), rules, esEnv('t3'));
    try {
      expect((await post(first.ports.http!, protobufBody([host('web1', [{ body: sshFail('zed', '192.0.2.40', 1) }])]))).status).toBe(200);
      await until(async () => (await alertsOf('t3')).length === 1, 'first alert');
      await until(async () => (await es.search('t3-fts')).length === 1, 'fts key document');
    } finally {
      await first.stop(10);
    }
    const fts = await es.search('t3-fts');
    // OSSEC's key form (fts.c): decoder name, then eight slots, empty unless <fts> names them
    expect(fts[0]._source).toMatchObject({ key: 'sshd  zed      ', decoder: 'sshd' });
    const second = await startService(tmpDir('es3b'), rules, esEnv('t3'));
    try {
      expect((await post(second.ports.http!, protobufBody([host('web1', [{ body: sshFail('zed', '192.0.2.40', 2) }, { body: sshFail('yan', '192.0.2.40', 3) }])]))).status).toBe(200);
      const hits = await until(async () => { const h = await alertsOf('t3'); return h.length === 3 ? h : null; }, 'three alerts');
      const rulesFor = (u: string) => hits.filter((h) => src(h).data.dstuser === u).map((h) => src(h).rule.id).sort();
      expect(rulesFor('zed')).toEqual(['100101', '100102']);
      expect(rulesFor('yan')).toEqual(['100102']);
    } finally {
      await second.stop(10);
    }
  });

  test('a crash (SIGKILL) with a non-empty spool: after restart every alert arrives exactly once', async () => {
    const state = tmpDir('es4');
    const proc = new ServiceProcess({
      WARDEN_STATE_DIR: state, WARDEN_RULESET: rules, WARDEN_RECEIVER_HTTP_PORT: '0', WARDEN_RECEIVER_GRPC_PORT: '0', WARDEN_SERVICE_PORT: '0',
      WARDEN_RECEIVER_HTTP_HOST: '127.0.0.1', WARDEN_RECEIVER_GRPC_HOST: '127.0.0.1',
      WARDEN_EXPORTERS_ELASTICSEARCH_URL: 'http://127.0.0.1:9', WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: 't4', WARDEN_AGENTS_DISCONNECT_AFTER_SECONDS: '0',
    });
    const port = await proc.ready();
    const sent: string[] = [];
    for (let r = 0; r < 5; r++) {
      const recs = Array.from({ length: 20 }, (_, i) => { const u = `crash${r}-${i}`; sent.push(u); return { body: sshFail(u, '192.0.2.50', i) }; });
      expect((await post(port, protobufBody([host('web4', recs)]), { gzip: r % 2 === 1 })).status).toBe(200);
    }
    expect(await proc.kill('SIGKILL')).toBeNull();
    expect(fs.readdirSync(path.join(state, 'spool')).some((f) => f.endsWith('.seg') && fs.statSync(path.join(state, 'spool', f)).size > 0)).toBe(true);
    const svc = await startService(state, rules, esEnv('t4'));
    try {
      await until(() => svc.spoolDepth === 0, 'replayed spool delivered', 60_000);
      const hits = await alertsOf('t4');
      expect(hits).toHaveLength(100);
      expect(hits.map((h) => src(h).data.dstuser).sort()).toEqual([...sent].sort());
      const agent = (await es.search('t4-agents'))[0]._source;
      expect(agent).toMatchObject({ events: 100, alerts: 100 });
    } finally {
      await svc.stop(10);
    }
  });

  test('Elasticsearch stopped mid-run and started again: requests keep getting 200, every alert arrives exactly once', async () => {
    const svc = await startService(tmpDir('es5'), rules, esEnv('t5'));
    try {
      const send = async (from: number, n: number) => {
        const recs = Array.from({ length: n }, (_, i) => ({ body: sshFail(`mid${from + i}`, '192.0.2.60', i) }));
        return (await post(svc.ports.http!, protobufBody([host('web5', recs)]))).status;
      };
      expect(await send(0, 30)).toBe(200);
      await until(async () => (await alertsOf('t5')).length === 30, 'first 30 alerts');
      await es.stop();
      for (let k = 1; k <= 4; k++) expect(await send(k * 30, 30)).toBe(200);
      await new Promise((r) => setTimeout(r, 1500)); // the writer fails and retries meanwhile
      expect(svc.spoolDepth).toBeGreaterThan(0);
      await es.start();
      await until(() => svc.spoolDepth === 0, 'spool drained after Elasticsearch came back', 120_000);
      const hits = await alertsOf('t5');
      expect(hits).toHaveLength(150);
      expect(new Set(hits.map((h) => src(h).data.dstuser)).size).toBe(150);
      const stats = await es.search('t5-stats-*', { term: { 'agent.id': 'web5' } });
      expect(stats.reduce((n, s) => n + (s._source as { events: number }).events, 0)).toBe(150);
    } finally {
      await svc.stop(10);
    }
  }, 600_000);

  test('retention deletes alerts indices older than retention_days', async () => {
    for (const day of ['2000.01.01', '2000.01.02']) expect((await es.req('PUT', `/t6-alerts-${day}`)).status).toBe(200);
    const recent = new Date(Date.now() - 86400_000);
    const recentName = `t6-alerts-${recent.getUTCFullYear()}.${String(recent.getUTCMonth() + 1).padStart(2, '0')}.${String(recent.getUTCDate()).padStart(2, '0')}`;
    expect((await es.req('PUT', `/${recentName}`)).status).toBe(200);
    const svc = await startService(tmpDir('es6'), rules, esEnv('t6', { WARDEN_EXPORTERS_ELASTICSEARCH_RETENTION_DAYS: '30' }));
    try {
      await until(async () => (await es.req('GET', '/t6-alerts-2000.01.01')).status === 404 && (await es.req('GET', '/t6-alerts-2000.01.02')).status === 404, 'old indices deleted');
      expect((await es.req('GET', `/${recentName}`)).status).toBe(200);
    } finally {
      await svc.stop(5);
    }
  });

  /**
   * 3,150 agents over 60 hours of batches (two an hour, receive times in that hour), each heard
   * from for 4 hours, 200 at a time; at hour 56, 50 agents silent since hour 3 come back, their
   * clock behind (first counts for hour 3). The exporter runs over a real spool, one batch per
   * round; its copy of the position at batch 70 is then restored (a crash after writing, before
   * recording) and the batches after it are replayed in rounds of several batches.
   */
  test('thousands of agents coming and going: only the recent agents and hours are held, and the agents and stats documents add up to every count, also after a crash replayed in other rounds', async () => {
    const HOUR = 3600_000;
    const t0 = Date.UTC(2025, 2, 1);
    const batches: Array<{ at: number; agents: AgentDelta[]; stats: StatsDelta[] }> = [];
    for (let h = 0; h < 60; h++) {
      for (const half of [0, 1]) {
        const at = t0 + h * HOUR + (10 + half * 30) * 60_000;
        const counts: Array<[number, number, number]> = []; // agent, hour, events
        for (let a = h * 50 + half * 100; a < h * 50 + half * 100 + 100; a++) counts.push([a, h, 1 + (a % 4)]);
        if (h === 56 && half === 0) for (let a = 150; a < 200; a++) counts.push([a, 3, 5], [a, 56, 2]);
        const agents = new Map<number, AgentDelta>();
        const stats: StatsDelta[] = [];
        for (const [a, hour, n] of counts) {
          const d = agents.get(a) ?? { id: `ag${a}`, name: `host${a}`, ips: [`10.0.${a >> 8}.${a & 255}`], version: 'otelcol/1', at, events: 0, alerts: 0 };
          d.events += n;
          d.alerts += 1;
          agents.set(a, d);
          stats.push({ hour: t0 + hour * HOUR, agent: `ag${a}`, name: `host${a}`, events: n, alerts: 1, levels: Object.assign(new Array(17).fill(0), { 5: 1 }), firewall: 0 });
        }
        batches.push({ at, agents: [...agents.values()], stats });
      }
    }
    const expectedEvents = new Map<string, number>();
    const expectedStats = new Map<string, number>();
    for (const b of batches) {
      for (const d of b.agents) expectedEvents.set(d.id, (expectedEvents.get(d.id) ?? 0) + d.events);
      for (const d of b.stats) for (const k of [`${d.hour}|${d.agent}`, `${d.hour}|_total`]) expectedStats.set(k, (expectedStats.get(k) ?? 0) + d.events);
    }
    const encode = (b: (typeof batches)[number]) => encodeBody({ at: b.at, alerts: [], fts: [], agents: b.agents, stats: b.stats })!;
    const exporter = (consumer: Awaited<ReturnType<Spool['consumer']>>, dir: string, bulkMaxBytes: number) => new ElasticsearchExporter(consumer, {
      client: new EsClient({ urls: [es.url] }), prefix: 't7', instance: 'w1', stateDir: dir, registeredAgents: [],
      retentionDays: 0, bulkMaxBytes, flushIntervalMs: 0, maxInflight: 2, shards: 1, replicas: '0-0', ftsRefreshSec: 0,
    }, null, null);
    const spoolOpts = (dir: string) => ({ dir, maxBytes: 1 << 30, segmentBytes: 1 << 30, memoryBytes: 1 << 20 });

    // first run: one batch per round, the position copied once batch 70 is recorded
    const dirA = tmpDir('es7a');
    const spoolA = await Spool.open(spoolOpts(path.join(dirA, 'spool')));
    for (const b of batches) await spoolA.append(encode(b));
    const consumerA = await spoolA.consumer('elasticsearch');
    const first = exporter(consumerA, dirA, 20_000);
    await first.start();
    let most = { agents: 0, stats: 0 };
    let copied: string | null = null;
    await until(() => {
      most = { agents: Math.max(most.agents, first.heldState.agents), stats: Math.max(most.stats, first.heldState.stats) };
      if (copied === null && consumerA.acked >= 70) copied = fs.readFileSync(path.join(dirA, 'spool', 'cursor-elasticsearch.json'), 'utf8');
      return consumerA.lag === 0;
    }, 'first run delivered', 300_000, 5);
    await first.stop(1000);
    await spoolA.close();
    // about 300 agents heard from within 2 hours (not the 3,150 seen), and their open hours
    expect(most.agents).toBeGreaterThan(200);
    expect(most.agents).toBeLessThanOrEqual(400);
    expect(most.stats).toBeGreaterThan(300);
    expect(most.stats).toBeLessThanOrEqual(2 * 400 + 48);

    // the crash: the position recorded at batch 70 (or a little after), everything after it written already
    const cursor = JSON.parse(copied!) as { seq: number };
    expect(cursor.seq).toBeGreaterThanOrEqual(70);
    expect(cursor.seq).toBeLessThan(110);
    const dirB = tmpDir('es7b');
    fs.mkdirSync(path.join(dirB, 'spool'));
    fs.writeFileSync(path.join(dirB, 'spool', 'cursor-elasticsearch.json'), copied!);
    const spoolB = await Spool.open(spoolOpts(path.join(dirB, 'spool')));
    for (const b of batches.slice(cursor.seq)) await spoolB.append(encode(b));
    expect(spoolB.lastSeq).toBe(120);
    const consumerB = await spoolB.consumer('elasticsearch');
    const second = exporter(consumerB, dirB, 200_000);
    await second.start();
    await until(() => consumerB.lag === 0, 'replay delivered', 300_000, 20);
    await second.stop(1000);
    await spoolB.close();

    const agentDocs = await es.search('t7-agents');
    expect(agentDocs).toHaveLength(expectedEvents.size);
    expect(new Map(agentDocs.map((h) => [h._id, (h._source as { events: number }).events]))).toEqual(expectedEvents);
    const ag160 = agentDocs.find((h) => h._id === 'ag160')!._source as { first_seen: string; last_seen: string; ips: Array<{ ip: string }> };
    expect([ag160.first_seen, ag160.last_seen]).toEqual([new Date(t0 + 40 * 60_000).toISOString(), new Date(t0 + 56 * HOUR + 10 * 60_000).toISOString()]);
    expect(ag160.ips.map((x) => x.ip)).toEqual(['10.0.0.160']);
    // stats: every document of an hour and agent summed (a composite aggregation: more than 10,000 documents)
    await es.req('POST', '/t7-stats-*/_refresh');
    const stats = new Map<string, number>();
    let after: unknown = undefined;
    for (;;) {
      const r = await es.req('POST', '/t7-stats-*/_search', { size: 0, aggs: { by: { composite: { size: 5000, sources: [{ h: { terms: { field: '@timestamp' } } }, { a: { terms: { field: 'agent.id' } } }], ...(after ? { after } : {}) }, aggs: { n: { sum: { field: 'events' } } } } } });
      const by = (r.body.aggregations as { by: { buckets: Array<{ key: { h: number; a: string }; n: { value: number } }>; after_key?: unknown } }).by;
      for (const k of by.buckets) stats.set(`${k.key.h}|${k.key.a}`, k.n.value);
      if (by.buckets.length < 5000) break;
      after = by.after_key;
    }
    expect(stats).toEqual(expectedStats);
  }, 600_000);
});
