/** The app's query builders and readers (grafana-app/src/api/queries.ts), without a browser. */
import {
  agentStatus, alertQuery, alertsOverTimeTarget, alertsToCsv, autoInterval, buckets, fileChangeOfAlert, filtersFromParams, filtersToParams,
  histogram, indices, levelColor, luceneFromFilters, msearchPayload, searchBody, seriesFromFrames, similarFilters, statusCounts, PAGE_SIZE,
} from '../../grafana-app/src/api/queries';
import type { AgentDoc, AlertDoc, AlertHit } from '../../grafana-app/src/types';
import { toFrames, toSearchBody } from './harness/es-model';

const range = { from: 1_700_000_000_000, to: 1_700_086_400_000 };
const alert = (over: Partial<AlertDoc> = {}): AlertDoc => ({
  '@timestamp': '2024-05-17T12:30:00.000Z',
  rule: { id: '5712', level: 10, description: 'sshd: brute force', groups: ['syslog', 'sshd', 'authentication_failures'] },
  agent: { id: 'web1', name: 'web1' },
  location: '/var/log/auth.log',
  full_log: 'Oct 11 10:00:01 web1 sshd[1]: Failed password for root from 192.0.2.10 port 1 ssh2',
  data: { srcip: '192.0.2.10', dstuser: 'root' },
  ...over,
});

describe('URL state of the search filters', () => {
  test('parses every filter, drops invalid values, caps the level', () => {
    expect(filtersFromParams({ level: '12', rule: '5710, 5712,5712,abc', group: 'sshd', agent: 'web1', location: '/var/log/auth.log', srcip: '192.0.2.0/24', user: 'root', q: 'Failed password' })).toEqual({
      level: 12, ruleIds: ['5710', '5712'], group: 'sshd', agent: 'web1', location: '/var/log/auth.log', srcip: '192.0.2.0/24', user: 'root', text: 'Failed password',
    });
    expect(filtersFromParams({ level: '99' }).level).toBe(16);
    expect(filtersFromParams({ level: 'x', group: '  ', rule: ['1', '2'] })).toEqual({ ruleIds: ['1', '2'] });
  });

  test('round trip, and cleared filters become null (removed from the URL)', () => {
    const f = { level: 7, ruleIds: ['1002'], user: 'bob', text: 'a b' };
    const p = filtersToParams(f);
    expect(p).toEqual({ level: '7', maxlevel: null, rule: '1002', group: null, agent: null, location: null, srcip: null, user: 'bob', q: 'a b' });
    expect(filtersFromParams(p as Record<string, string>)).toEqual(f);
  });

  test('search for similar: the same rule from the same source address, else from the same agent', () => {
    expect(similarFilters(alert())).toEqual({ ruleIds: ['5712'], srcip: '192.0.2.10' });
    expect(similarFilters(alert({ data: {} }))).toEqual({ ruleIds: ['5712'], agent: 'web1' });
  });
});

describe('Elasticsearch bodies', () => {
  test('search: time range, every filter as a clause, free text over full_log, pages newest first', () => {
    const b = searchBody({ level: 10, ruleIds: ['5712'], group: 'sshd', agent: 'web1', location: '/var/log/*', srcip: '192.0.2.0/24', user: 'root', text: 'Failed' }, range, 3) as { query: { bool: { filter: unknown[]; must: unknown[] } }; from: number; size: number; sort: unknown[] };
    expect(b.from).toBe(2 * PAGE_SIZE);
    expect(b.size).toBe(PAGE_SIZE);
    expect(b.sort[0]).toEqual({ '@timestamp': { order: 'desc' } });
    expect(b.query.bool.filter).toEqual([
      { range: { '@timestamp': { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
      { range: { 'rule.level': { gte: 10 } } },
      { terms: { 'rule.id': ['5712'] } },
      { term: { 'rule.groups': 'sshd' } },
      { bool: { should: [{ term: { 'agent.id': 'web1' } }, { term: { 'agent.name': 'web1' } }], minimum_should_match: 1 } },
      { wildcard: { location: { value: '/var/log/*' } } },
      { term: { 'data.srcip': '192.0.2.0/24' } },
      { bool: { should: [{ term: { 'data.dstuser': 'root' } }, { term: { 'data.srcuser': 'root' } }], minimum_should_match: 1 } },
    ]);
    expect(b.query.bool.must).toEqual([{ simple_query_string: { query: 'Failed', fields: ['full_log'], default_operator: 'and' } }]);
  });

  test('a source address that is no address matches nothing (instead of an Elasticsearch error on the ip field)', () => {
    const q = alertQuery({ srcip: 'not-an-ip' }, range) as { bool: { filter: unknown[] } };
    expect(q.bool.filter[1]).toEqual({ match_none: {} });
  });

  test('_msearch NDJSON: a header and a body line per search, each ending in a newline', () => {
    const s = msearchPayload([{ index: 'warden-alerts-*', body: { size: 0 } }, { index: 'warden-agents', body: { size: 1 } }]);
    expect(s.split('\n')).toEqual(['{"index":"warden-alerts-*","ignore_unavailable":true}', '{"size":0}', '{"index":"warden-agents","ignore_unavailable":true}', '{"size":1}', '']);
  });

  test('index names follow the prefix', () => {
    expect(indices({ indexPrefix: 'acme' })).toEqual({ alerts: 'acme-alerts-*', agents: 'acme-agents', stats: 'acme-stats-*', syscheck: 'acme-syscheck' });
    expect(indices(undefined).alerts).toBe('warden-alerts-*');
  });
});

describe('readers', () => {
  test('buckets carry the description and level sub-aggregations; histogram sums', () => {
    expect(buckets({ rules: { buckets: [{ key: '5712', doc_count: 3, description: { buckets: [{ key: 'brute force' }] }, level: { value: 10 } }] } }, 'rules')).toEqual([{ key: '5712', count: 3, label: 'brute force', level: 10 }]);
    expect(buckets(undefined, 'x')).toEqual([]);
    expect(histogram({ t: { buckets: [{ key: 1, events: { value: 5 }, alerts: { value: 2 } }] } })).toEqual([{ t: 1, events: 5, alerts: 2 }]);
  });

  test('agent status: active within the threshold, disconnected after, never connected without events', () => {
    const now = Date.parse('2024-05-17T12:00:00Z');
    const a = (last: string | null, events: number): AgentDoc => ({ agent: { id: 'a', name: 'a' }, ips: [], first_seen: last, last_seen: last, events, alerts: 0 });
    expect(agentStatus(a('2024-05-17T11:55:00Z', 3), now, 600)).toBe('active');
    expect(agentStatus(a('2024-05-17T11:49:59Z', 3), now, 600)).toBe('disconnected');
    expect(agentStatus(a(null, 0), now, 600)).toBe('never connected');
    expect(statusCounts([a('2024-05-17T11:55:00Z', 3), a(null, 0), a('2024-05-16T00:00:00Z', 1)], now, 600)).toEqual({ active: 1, disconnected: 1, 'never connected': 1 });
  });

  test('file changes from syscheck fields or the FIM record attributes', () => {
    expect(fileChangeOfAlert(alert({ data: { 'syscheck.path': '/etc/passwd', 'syscheck.event': 'modified' } }))).toEqual({ agent: 'web1', path: '/etc/passwd', event: 'modified', time: '2024-05-17T12:30:00.000Z' });
    expect(fileChangeOfAlert(alert({ syscheck: { path: '/etc/shadow', event: 'deleted' } }))!.path).toBe('/etc/shadow');
    expect(fileChangeOfAlert(alert())).toBeNull();
  });

  test('level colours follow OSSEC\'s bands', () => {
    expect([0, 3, 4, 7, 10, 12, 16].map(levelColor)).toEqual(['green', 'green', 'blue', 'purple', 'orange', 'red', 'red']);
  });
});

describe('/api/ds/query models', () => {
  test('Lucene from the filters, with quotes escaped', () => {
    expect(luceneFromFilters({ level: 7, ruleIds: ['1', '2'], user: 'a"b', text: 'Failed  password' })).toBe('rule.level:>=7 AND rule.id:("1" OR "2") AND (data.dstuser:"a\\"b" OR data.srcuser:"a\\"b") AND full_log:("Failed" AND "password")');
    expect(luceneFromFilters({})).toBe('');
  });

  test('auto interval keeps the buckets near 120 at most', () => {
    expect(autoInterval({ from: 0, to: 3600e3 })).toBe('1m');
    expect(autoInterval({ from: 0, to: 24 * 3600e3 })).toBe('30m');
    expect(autoInterval({ from: 0, to: 30 * 86400e3 })).toBe('6h');
    expect(autoInterval({ from: 0, to: 365 * 86400e3 })).toBe('7d');
  });

  test('the alerts-over-time target split by level becomes one named series per level', () => {
    const t = alertsOverTimeTarget('warden-alerts', { agent: 'web1' }, range, 'rule.level');
    expect(t.bucketAggs.map((b) => b.type)).toEqual(['terms', 'date_histogram']);
    // what Grafana's backend would answer for two levels, shaped by the test translator
    const body = toSearchBody(t, range.from, range.to) as { aggs: Record<string, { terms: { field: string } }> };
    expect(body.aggs['3'].terms.field).toBe('rule.level');
    const frames = toFrames(t, { aggregations: { 3: { buckets: [
      { key: 5, doc_count: 3, 2: { buckets: [{ key: 1000, doc_count: 1 }, { key: 2000, doc_count: 2 }] } },
      { key: 10, doc_count: 1, 2: { buckets: [{ key: 1000, doc_count: 0 }, { key: 2000, doc_count: 1 }] } },
    ] } } });
    expect(seriesFromFrames({ results: { alerts: { frames } } } as never, 'alerts')).toEqual([
      { name: '5', points: [[1000, 1], [2000, 2]] },
      { name: '10', points: [[1000, 0], [2000, 1]] },
    ]);
    expect(() => seriesFromFrames({ results: { alerts: { error: 'boom' } } }, 'alerts')).toThrow('boom');
  });
});

describe('CSV export', () => {
  test('a header, one line per alert, quoting, and no formula a spreadsheet would run', () => {
    const hits: AlertHit[] = [
      { id: 'a1', index: 'i', doc: alert() },
      { id: 'a2', index: 'i', doc: alert({ full_log: '=HYPERLINK("http://x")', rule: { id: '1', level: 3, description: 'say "hi", ok', groups: ['g1', 'g2'] } }) },
    ];
    const lines = alertsToCsv(hits).split('\r\n');
    expect(lines[0]).toBe('timestamp,rule_id,level,description,groups,agent,location,srcip,user,full_log,id');
    expect(lines[1]).toBe('2024-05-17T12:30:00.000Z,5712,10,sshd: brute force,"syslog,sshd,authentication_failures",web1,/var/log/auth.log,192.0.2.10,root,Oct 11 10:00:01 web1 sshd[1]: Failed password for root from 192.0.2.10 port 1 ssh2,a1');
    expect(lines[2]).toContain('"say ""hi"", ok"');
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[3]).toBe('');
  });
});
