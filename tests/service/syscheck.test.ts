/**
 * File-integrity records (`warden fim`'s records, built with its own toRecord) through the
 * service with Warden's ruleset into a REAL Elasticsearch and the file sink: the alert's typed
 * `syscheck` object (beside the data['syscheck.*'] keywords the dashboards query), and the
 * latest state of the path in `PREFIX-syscheck` / `syscheck.json` after add → modify → delete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { EsNode, missingTools } from './es-node';
import { ROOT, jsonBody, post, readJsonLines, startService, tmpDir, until } from './helpers';
import { toRecord, type FimEvent } from '../../otel-processor/src/fim/events';
import type { FileState } from '../../otel-processor/src/fim/state';

// a missing tool fails the suite, saying which (README, Prerequisites): it never skips
const missing = missingTools();
if (missing) throw new Error(`the syscheck Elasticsearch tests need Java and Maven: ${missing}`);
const d = describe;

const RULES = path.join(ROOT, 'rules');
const FILE = '/etc/warden-test.conf';
const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);
const st = (over: Partial<FileState>): FileState => ({ size: 10, perm: '100644', uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: T0 - 60_000, inode: 42, md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), ...over });
const v1 = st({});
const v2 = st({ size: 12, sha256: 'd'.repeat(64), mtime: T0 + 30_000 });

const events: FimEvent[] = [
  { event: 'added', path: FILE, mode: 'scheduled', type: 'file', before: null, after: v1, changed: [], time: T0 },
  { event: 'modified', path: FILE, mode: 'realtime', type: 'file', before: v1, after: v2, changed: ['size', 'sha256', 'mtime'], diff: '@@ -1 +1 @@\n-a\n+b', time: T0 + 60_000 },
  { event: 'deleted', path: FILE, mode: 'realtime', type: 'file', before: v2, after: null, changed: [], time: T0 + 120_000 },
];

/** One FIM record as the fim command sends it (resource: host.name, warden.agent.id). */
const send = (port: number, ev: FimEvent) => {
  const r = toRecord(ev, 'fimhost');
  return post(port, jsonBody([{ attrs: { 'host.name': 'fimhost', 'warden.agent.id': 'fim-1', 'service.name': 'warden-fim' }, records: [{ body: r.body, timeMs: r.time, attrs: r.attributes }] }]), { json: true });
};

const stateId = createHash('sha1').update('fim-1\u0000').update(`${FILE}\u0000`).digest('hex');

d('file integrity (syscheck) to Elasticsearch and the file sink', () => {
  let es: EsNode;
  beforeAll(async () => { es = await EsNode.create(); await es.start(); }, 900_000);
  afterAll(async () => { await es?.destroy(); }, 120_000);

  test('alerts carry the syscheck object; the latest state per agent and path follows add → modify → delete', async () => {
    const state = tmpDir('syscheck');
    const svc = await startService(state, RULES, { WARDEN_EXPORTERS_ELASTICSEARCH_URL: es.url, WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: 'fim', WARDEN_EXPORTERS_FILE_ENABLED: 'true', WARDEN_EXPORTERS_ELASTICSEARCH_FTS_REFRESH_SECONDS: '0' });
    const latest = async () => {
      const r = await es.req('GET', `/fim-syscheck/_doc/${stateId}`);
      return r.status === 200 ? r.body._source as Record<string, unknown> : null;
    };
    const sysFile = path.join(state, 'alerts', 'syscheck.json');
    const fileState = () => (fs.existsSync(sysFile) ? (JSON.parse(fs.readFileSync(sysFile, 'utf8')) as Array<Record<string, unknown>>) : []);
    try {
      // added
      expect((await send(svc.ports.http!, events[0])).status).toBe(200);
      await until(async () => (await latest())?.event === 'added', 'latest state: added', 60_000);
      expect(await latest()).toEqual({
        agent: { id: 'fim-1', name: 'fimhost' }, path: FILE, event: 'added', '@timestamp': new Date(T0).toISOString(),
        size: 10, perm: '100644', uid: '0', gid: '0', uname: 'root', gname: 'root', mtime: new Date(T0 - 60_000).toISOString(), inode: 42,
        md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64),
      });

      // modified: the alert's syscheck object, typed as the template maps it
      expect((await send(svc.ports.http!, events[1])).status).toBe(200);
      await until(async () => (await latest())?.event === 'modified', 'latest state: modified', 60_000);
      expect(await latest()).toMatchObject({ event: 'modified', size: 12, sha256: 'd'.repeat(64), mtime: new Date(T0 + 30_000).toISOString(), '@timestamp': new Date(T0 + 60_000).toISOString() });

      // deleted: the document stays, with the last known values
      expect((await send(svc.ports.http!, events[2])).status).toBe(200);
      await until(async () => (await latest())?.event === 'deleted', 'latest state: deleted', 60_000);
      expect(await latest()).toMatchObject({ event: 'deleted', path: FILE, size: 12, sha256: 'd'.repeat(64), '@timestamp': new Date(T0 + 120_000).toISOString() });

      const alerts = await until(async () => { await es.req('POST', '/fim-alerts-*/_refresh'); const h = await es.search('fim-alerts-*'); return h.length === 3 ? h : null; }, 'three syscheck alerts', 60_000);
      const byEvent = Object.fromEntries(alerts.map((h) => [(h._source.syscheck as { event: string }).event, h._source as Record<string, unknown> & { rule: { id: string }; data: Record<string, string>; syscheck: Record<string, unknown> }]));
      expect(byEvent.added.rule.id).toBe('554');
      expect(byEvent.deleted.rule.id).toBe('553');
      const mod = byEvent.modified;
      expect(mod.rule.id).toBe('550');
      expect(mod.location).toBe('syscheck');
      expect(mod.syscheck).toMatchObject({
        path: FILE, event: 'modified', mode: 'realtime', type: 'file', changed_attributes: 'size,sha256,mtime', diff: '@@ -1 +1 @@\n-a\n+b',
        size_before: 10, size_after: 12, inode_after: 42, perm_after: '100644', sha256_before: 'c'.repeat(64), sha256_after: 'd'.repeat(64),
        mtime_before: new Date(T0 - 60_000).toISOString(), mtime_after: new Date(T0 + 30_000).toISOString(),
      });
      // the flat keywords the dashboards query today are still there
      expect(mod.data).toMatchObject({ 'syscheck.path': FILE, 'syscheck.event': 'modified', 'syscheck.size_after': '12' });

      // typed in Elasticsearch: numeric range on syscheck.size_after, date on syscheck.mtime_after, term on data.syscheck.path
      const q = await es.search('fim-alerts-*', { bool: { filter: [
        { range: { 'syscheck.size_after': { gte: 11 } } },
        { range: { 'syscheck.mtime_after': { gte: new Date(T0).toISOString() } } },
        { term: { 'data.syscheck.path': FILE } },
      ] } });
      expect(q.map((h) => h._id)).toEqual([alerts.find((h) => (h._source.syscheck as { event: string }).event === 'modified')!._id]);
      const sizeRange = await es.search('fim-syscheck', { range: { size: { gte: 11 } } });
      expect(sizeRange.map((h) => h._id)).toEqual([stateId]);

      // the file sink: the same alert documents in alerts.json, the same latest state in syscheck.json
      const fileAlerts = await until(() => { const a = readJsonLines(path.join(state, 'alerts', 'alerts.json')); return a.length === 3 ? a : null; }, 'three alerts in alerts.json', 10_000);
      expect(fileAlerts.map((a) => (a.syscheck as { event: string }).event)).toEqual(['added', 'modified', 'deleted']);
      const fs1 = await until(() => { const s = fileState(); return s.length === 1 && s[0].event === 'deleted' ? s : null; }, 'syscheck.json: deleted', 10_000);
      expect(fs1[0]).toEqual({ id: stateId, ...(await latest()) });
    } finally {
      await svc.stop(5);
    }

    // a restart keeps syscheck.json (read back, then updated by what comes next)
    const svc2 = await startService(state, RULES, { WARDEN_EXPORTERS_FILE_ENABLED: 'true' });
    try {
      const other: FimEvent = { ...events[0], path: '/etc/other.conf', time: T0 + 180_000 };
      expect((await send(svc2.ports.http!, other)).status).toBe(200);
      const s = await until(() => { const x = fileState(); return x.length === 2 ? x : null; }, 'syscheck.json with two paths', 10_000);
      expect(s.map((x) => [x.path, x.event])).toEqual([[FILE, 'deleted'], ['/etc/other.conf', 'added']]);
    } finally {
      await svc2.stop(5);
    }
  }, 300_000);
});
