/**
 * Real data for the app and provisioning tests: a real Elasticsearch (the service tests' EsNode),
 * loaded by Warden's own service (receiver → processor → engine with the project's ruleset → the
 * Elasticsearch exporter and its document builders) from the sample logs, OTLP requests as a
 * collector sends them. FIM records come from Warden's FIM module (`toRecord`).
 *
 * Agents: web1, fw1, db1, dc01 send now (active); `legacy1` sends first and falls silent: Warden
 * (disconnect threshold 3 s) raises its "agent disconnected" alert, and its agent document is then
 * aged by two hours (an agent silent since: disconnected for the app's 600 s threshold);
 * `ghost` is bound to a token and never sent (never connected).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EsNode } from '../service/es-node';
import { post, protobufBody, startService, tmpDir, until, ROOT, type ResourceSpec } from '../service/helpers';
import { toRecord } from '../../otel-processor/src/fim/events';

export const PREFIX = 'warden';
const FIX = path.join(__dirname, 'fixtures');

export interface Seeded {
  es: EsNode;
  /** Start of the seeded events (ms); every event lies in [start, end]. */
  start: number;
  end: number;
  alerts: number;
  byRule: Record<string, number>;
  byAgent: Record<string, number>;
  /** A 5,000-character Windows event (rule 18217, level 12) dc01 sent 30 minutes ago. */
  longLine: { text: string; timeMs: number };
}

/** A long Windows event (group membership change with a long privilege list), 5,000 characters. */
export function longWindowsEvent(): string {
  const head = fs.readFileSync(path.join(ROOT, 'otel-processor', 'samples', 'windows-eventlog.log'), 'utf8').split('\n')[10];
  let text = `${head} Privileges:`;
  for (let i = 0; text.length < 5000; i++) text += ` SeBackupPrivilege${i}`;
  return text.slice(0, 5000);
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');

function fileRecords(file: string, location: string, t0: number, stepMs: number): ResourceSpec['records'] {
  return lines(file).map((body, i) => ({ body, timeMs: t0 + i * stepMs, attrs: { 'log.file.path': location } }));
}

function fimRecords(host: string, t0: number): ResourceSpec['records'] {
  const st = (sha: string, size: number) => ({ size, perm: 'rw-r--r--', uid: '0', gid: '0', uname: 'root', gname: 'root', mtime: t0, inode: 1234, md5: sha.slice(0, 32), sha1: sha.slice(0, 40), sha256: sha });
  const events = [
    { event: 'modified' as const, path: '/etc/passwd', before: st('a'.repeat(64), 1800), after: st('b'.repeat(64), 1842), changed: ['size', 'md5', 'sha1', 'sha256'] },
    { event: 'added' as const, path: '/etc/cron.d/backdoor', before: null, after: st('c'.repeat(64), 64), changed: [] },
    { event: 'deleted' as const, path: '/var/www/html/index.html', before: st('d'.repeat(64), 5120), after: null, changed: [] },
  ];
  return events.map((e, i) => {
    const r = toRecord({ ...e, mode: 'scheduled', type: 'file', time: t0 + i * 60_000 }, host);
    return { body: r.body, timeMs: r.time, attrs: r.attributes };
  });
}

/** Starts Elasticsearch and loads it through Warden's service. */
export async function seed(): Promise<Seeded> {
  const es = await EsNode.create();
  await es.start();
  const state = tmpDir('app-seed');
  const svc = await startService(state, path.join(ROOT, 'rules'), {
    WARDEN_EXPORTERS_ELASTICSEARCH_URL: es.url,
    WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: PREFIX,
    WARDEN_EXPORTERS_ELASTICSEARCH_FTS_REFRESH_SECONDS: '0',
    WARDEN_RECEIVER_AUTH_TOKENS: 'tok-ghost=ghost:ghost',
    WARDEN_RECEIVER_AUTH_REQUIRED: 'false',
    WARDEN_AGENTS_DISCONNECT_AFTER_SECONDS: '3',
  });
  const now = Date.now();
  const start = now - 20 * 3600_000;
  const longLine = { text: longWindowsEvent(), timeMs: now - 30 * 60_000 };
  try {
    const host = (name: string, records: ResourceSpec['records'], ip: string): ResourceSpec => ({ attrs: { 'host.name': name, 'host.ip': ip }, records });
    const requests: ResourceSpec[][] = [
      [host('legacy1', fileRecords(path.join(FIX, 'db1-syslog.log'), '/var/log/messages', start, 1000), '10.0.0.9')],
      [host('web1', fileRecords(path.join(FIX, 'web1-auth.log'), '/var/log/auth.log', start + 2 * 3600_000, 2000), '10.0.0.11')],
      [host('web1', fileRecords(path.join(FIX, 'web1-access.log'), '/var/log/nginx/access.log', start + 9 * 3600_000, 5000), '10.0.0.11')],
      [host('fw1', fileRecords(path.join(FIX, 'fw1-kern.log'), '/var/log/kern.log', start + 12 * 3600_000, 1000), '10.0.0.1')],
      [host('db1', [...fileRecords(path.join(FIX, 'db1-syslog.log'), '/var/log/messages', start + 15 * 3600_000, 30_000), ...fimRecords('db1', start + 16 * 3600_000)], '10.0.0.12')],
      [host('dc01', fileRecords(path.join(ROOT, 'otel-processor', 'samples', 'windows-eventlog.log'), 'WinEvtLog', start + 18 * 3600_000, 60_000), '10.0.0.20')],
      [host('dc01', [{ body: longLine.text, timeMs: longLine.timeMs, attrs: { 'log.file.path': 'WinEvtLog' } }], '10.0.0.20')],
      // web1 behind NAT: the same agent from a second address
      [host('web1', fileRecords(path.join(FIX, 'web1-auth.log'), '/var/log/auth.log', start + 19 * 3600_000, 1000).slice(10, 12), '172.16.5.11')],
    ];
    for (const [i, r] of requests.entries()) {
      const res = await post(svc.ports.http!, protobufBody(r));
      if (res.status !== 200) throw new Error(`Warden answered ${res.status}: ${res.body.toString()}`);
      // legacy1 then falls silent: Warden raises its "agent disconnected" alert
      if (i === 0) await until(async () => (await es.search(`${PREFIX}-alerts-*`, { bool: { filter: [{ term: { 'agent.id': 'legacy1' } }, { term: { location: 'ossec-monitord' } }] } })).length > 0, 'the agent-disconnected alert for legacy1', 60_000);
    }
    await until(() => svc.spoolDepth === 0, 'Warden to deliver everything to Elasticsearch', 120_000);
  } finally {
    await svc.stop(30);
  }
  // legacy1 went silent two hours ago (the service wrote its document with the real receive time)
  const twoHoursAgo = new Date(now - 2 * 3600_000).toISOString();
  const upd = await es.req('POST', `/${PREFIX}-agents/_update/legacy1?refresh=true`, { doc: { last_seen: twoHoursAgo, first_seen: new Date(now - 30 * 3600_000).toISOString(), ips: [{ ip: '10.0.0.9', first_seen: new Date(now - 30 * 3600_000).toISOString(), last_seen: twoHoursAgo }] } });
  if (upd.status !== 200) throw new Error(`aging legacy1: HTTP ${upd.status} ${JSON.stringify(upd.body)}`);
  await es.req('POST', `/${PREFIX}-*/_refresh`);
  const hits = await es.search(`${PREFIX}-alerts-*`);
  const byRule: Record<string, number> = {};
  const byAgent: Record<string, number> = {};
  for (const h of hits) {
    const s = h._source as { rule: { id: string }; agent: { id: string } };
    byRule[s.rule.id] = (byRule[s.rule.id] ?? 0) + 1;
    byAgent[s.agent.id] = (byAgent[s.agent.id] ?? 0) + 1;
  }
  return { es, start, end: now, alerts: hits.length, byRule, byAgent, longLine };
}
