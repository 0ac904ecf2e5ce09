/**
 * The fault-injection run behind the durability test and `npm run soak`: Warden as its own
 * process (`warden serve`), fed by senders that record every request answered 200 (and retry
 * any other answer, as a collector does), is killed with SIGKILL at random moments (seeded) and
 * started again, cycle after cycle: while requests are being written, while segments rotate
 * (small segments), while an exporter catches up, and with Elasticsearch cut off or reachable
 * (a proxy in front of a real node is switched per cycle). At the end Warden runs until both
 * exporters have delivered everything; every acknowledged record must then be in `alerts.json`
 * and in Elasticsearch. At-least-once: records that appear more than once are counted.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { mulberry32 as random } from '../generator';
import { freePort, type EsNode } from '../service/es-node';
import { jsonBody, post, ServiceProcess, until, writeRuleset, tmpDir } from '../service/helpers';

export interface FaultRunOptions {
  cycles: number;
  seed: number;
  /** A running Elasticsearch node (the run puts a switchable proxy in front of it). */
  es: EsNode;
  /** Concurrent senders. */
  senders?: number;
  log?: (msg: string) => void;
}

export interface FaultRunResult {
  cycles: number;
  /** Records answered 200. */
  acknowledged: number;
  /** Acknowledged records found in alerts.json / Elasticsearch (each counted once). */
  deliveredFile: number;
  deliveredEs: number;
  /** Acknowledged records missing from each sink (must be empty). */
  missingFile: string[];
  missingEs: string[];
  /** Extra copies of records in each sink (at-least-once: a request killed before its answer is sent again). */
  duplicatesFile: number;
  duplicatesEs: number;
  /** Cycles in which Elasticsearch was cut off. */
  esDownCycles: number;
  /** Requests answered something other than 200 or not answered (all retried). */
  retries: number;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A TCP proxy in front of Elasticsearch that can be cut off (it stops listening, so connections
 * are refused, and drops the open ones) and put back on the same port.
 */
class SwitchableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  private listen(port: number): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { this.port = (server.address() as net.AddressInfo).port; resolve(); });
    });
  }

  start(): Promise<void> {
    return this.listen(0);
  }

  async set(up: boolean): Promise<void> {
    if (up && !this.server) await this.listen(this.port);
    if (!up && this.server) {
      const s = this.server;
      this.server = null;
      for (const sock of this.sockets) sock.destroy();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  async stop(): Promise<void> {
    await this.set(false);
  }
}

const ID_RE = /login-failure rec=(\S+)/;

export async function runFaultInjection(o: FaultRunOptions): Promise<FaultRunResult> {
  const log = o.log ?? (() => undefined);
  // one generator for the schedule (kill moments, Elasticsearch cut off or not), one for the requests
  const rnd = random(o.seed);
  const content = random(o.seed ^ 0x5bd1e995);
  const pick = (lo: number, hi: number, g = content) => lo + Math.floor(g() * (hi - lo + 1));
  const rules = writeRuleset(tmpDir('fault-rules'));
  const state = tmpDir('fault-state');
  const proxy = new SwitchableProxy(o.es.port);
  await proxy.start();
  const prefix = `fault${o.seed}`;
  const env: Record<string, string> = {
    WARDEN_STATE_DIR: state,
    WARDEN_RULESET: rules,
    WARDEN_RECEIVER_HTTP_HOST: '127.0.0.1',
    WARDEN_RECEIVER_HTTP_PORT: String(await freePort()),
    WARDEN_RECEIVER_GRPC_ENABLED: 'false',
    WARDEN_SERVICE_PORT: String(await freePort()),
    WARDEN_SERVICE_WATCH_RULES: 'false',
    WARDEN_AGENTS_DISCONNECT_AFTER_SECONDS: '0',
    WARDEN_EXPORTERS_ELASTICSEARCH_URL: `http://127.0.0.1:${proxy.port}`,
    WARDEN_EXPORTERS_ELASTICSEARCH_INDEX_PREFIX: prefix,
    WARDEN_EXPORTERS_ELASTICSEARCH_FLUSH_INTERVAL_MS: '20',
    WARDEN_EXPORTERS_FILE_ENABLED: 'true',
    // small segments: rotations happen under the kills
    WARDEN_SPOOL_SEGMENT_BYTES: String(64 << 10),
    WARDEN_RECEIVER_RETRY_AFTER_SECONDS: '1',
  };
  const port = Number(env.WARDEN_RECEIVER_HTTP_PORT);
  const acked = new Set<string>();
  let nextRequest = 0;
  let retries = 0;
  let esDownCycles = 0;
  /** Requests sent and not yet answered 200: sent again, unchanged, as a collector retries. */
  const unanswered: string[][] = [];

  function newRequest(): string[] {
    const n = nextRequest++;
    return Array.from({ length: pick(1, 120) }, (_, i) => `${n}.${i}`);
  }

  const bodies = new Map<string, string>();
  function body(ids: string[]): string {
    const key = ids[0];
    let b = bodies.get(key);
    if (!b) {
      const t = Date.now();
      b = jsonBody([{ attrs: { 'host.name': `agent-${Number(key.split('.')[0]) % 3}` }, records: ids.map((id) => ({ body: `app[7]: login-failure rec=${id} ${'p'.repeat(pick(20, 200))}`, timeMs: t })) }]);
      bodies.set(key, b);
    }
    return b;
  }

  let running = false;
  async function sender(): Promise<void> {
    while (running) {
      const ids = unanswered.shift() ?? newRequest();
      let ok = false;
      try {
        ok = (await post(port, body(ids), { json: true })).status === 200;
      } catch { /* not listening, or killed mid-request */ }
      if (ok) {
        for (const id of ids) acked.add(id);
        bodies.delete(ids[0]);
      } else {
        retries++;
        unanswered.push(ids);
        await sleep(20);
      }
    }
  }

  async function startWarden(): Promise<ServiceProcess> {
    const p = new ServiceProcess(env);
    await p.ready();
    return p;
  }

  try {
    for (let c = 0; c < o.cycles; c++) {
      const esUp = rnd() < 0.6;
      if (!esUp) esDownCycles++;
      await proxy.set(esUp);
      const t0 = Date.now();
      const w = await startWarden();
      const t1 = Date.now();
      running = true;
      const senders = Array.from({ length: o.senders ?? 3 }, () => sender());
      // the kill comes at any moment: mid-write, mid-rotation, mid catch-up
      const wait = pick(30, 1500, rnd);
      await sleep(wait);
      await w.kill('SIGKILL');
      running = false;
      await Promise.all(senders);
      if (process.env.WARDEN_FAULT_VERBOSE) log(`start ${t1 - t0} ms, killed after ${wait} ms, senders done after ${Date.now() - t1} ms`);
      if (process.env.WARDEN_FAULT_VERBOSE || (c + 1) % 10 === 0 || c === o.cycles - 1) log(`cycle ${c + 1}/${o.cycles}: ${acked.size} records acknowledged, ${retries} retries, Elasticsearch cut off in ${esDownCycles} cycles`);
    }
    log('all cycles done; draining');
    // the end: everything reachable, every request still unanswered sent until it is answered 200
    await proxy.set(true);
    const w = await startWarden();
    try {
      while (unanswered.length) {
        const ids = unanswered.shift()!;
        const r = await post(port, body(ids), { json: true });
        if (r.status === 200) for (const id of ids) acked.add(id); else { unanswered.push(ids); await sleep(200); }
      }
      await until(async () => {
        const r = (await (await fetch(`http://127.0.0.1:${env.WARDEN_SERVICE_PORT}/readyz`)).json()) as { exporters: Record<string, { lag: number }> };
        return Object.values(r.exporters).every((e) => e.lag === 0);
      }, 'both exporters to deliver everything', 600_000, 500);
    } finally {
      await w.kill('SIGTERM');
    }
    const inFile = count(fs.readFileSync(path.join(state, 'alerts', 'alerts.json'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { full_log: string }).full_log));
    const inEs = count(await esFullLogs(o.es, `${prefix}-alerts-*`));
    const result: FaultRunResult = {
      cycles: o.cycles,
      acknowledged: acked.size,
      deliveredFile: [...acked].filter((id) => inFile.has(id)).length,
      deliveredEs: [...acked].filter((id) => inEs.has(id)).length,
      missingFile: [...acked].filter((id) => !inFile.has(id)),
      missingEs: [...acked].filter((id) => !inEs.has(id)),
      duplicatesFile: [...inFile.values()].reduce((a, n) => a + n - 1, 0),
      duplicatesEs: [...inEs.values()].reduce((a, n) => a + n - 1, 0),
      esDownCycles,
      retries,
    };
    fs.rmSync(state, { recursive: true, force: true });
    return result;
  } finally {
    running = false;
    await proxy.stop();
  }
}

/** Copies of each record id among alert texts. */
function count(fullLogs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fullLogs) {
    const id = ID_RE.exec(f)?.[1];
    if (id) m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

/** Every alert's text in the indices (scrolled: there can be more than 10,000). */
async function esFullLogs(es: EsNode, index: string): Promise<string[]> {
  await es.req('POST', `/${index}/_refresh`);
  const out: string[] = [];
  let r = await es.req('POST', `/${index}/_search?scroll=2m`, { size: 5000, _source: ['full_log'], query: { match_all: {} } });
  for (;;) {
    if (r.status !== 200) throw new Error(`searching ${index}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    const hits = (r.body.hits as { hits: Array<{ _source: { full_log: string } }> }).hits;
    if (hits.length === 0) break;
    for (const h of hits) out.push(h._source.full_log);
    r = await es.req('POST', '/_search/scroll', { scroll: '2m', scroll_id: r.body._scroll_id });
  }
  return out;
}
