/**
 * The Elasticsearch exporter: reads the spool in order and writes alerts (op_type=create under
 * their deterministic ids, into daily indices), first-time-seen keys (create), and the agents
 * and hourly stats documents (whole documents from the folded counts) with `_bulk`. Retries
 * until Elasticsearch acknowledged every item; only then is the spool position acknowledged
 * (with the counts), so Elasticsearch down for minutes loses nothing and duplicates nothing.
 * Items Elasticsearch refuses for good (e.g. a mapping conflict) go to `dead-letter.jsonl`.
 */
import { randomUUID } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { EsClient } from './client';
import {
  agentsIndex, ftsDocId, ftsIndex, statsDocId, statsIndex, syscheckIndex, syscheckStateOf,
} from '../../alert/documents';
import { AgentTable, type AgentTableSnapshot, type StoredAgentDoc } from './agent-table';
import { alertIndexDay, mayHaveSyscheck } from '../../alert/alert';
import { indexTemplates } from './templates';
import { Aggregator, STATS_OPEN_HOURS, type AggregateSnapshot } from '../../spool/aggregate';
import type { SpoolConsumer } from '../../spool/spool';
import type { SpoolBatch } from '../../processor/batch';
import type { Exporter } from '../exporter';
import { ExporterHealth, type ExporterStatus } from '../health';
import type { Counter, Histogram } from '@opentelemetry/api';

/** The instruments this exporter records to (the service's metrics provide them). */
export interface EsExporterMetrics {
  bulkLatency: Histogram;
  bulkDocs: Counter;
  recordsRejected: Counter;
}

/** The exporter's own settings (the configuration's exporters.elasticsearch.*). */
export interface EsExporterSettings {
  retentionDays: number;
  bulkMaxBytes: number;
  flushIntervalMs: number;
  /** Bulk requests in flight at once. */
  maxInflight: number;
  shards: number;
  replicas: string;
  ftsRefreshSec: number;
  /** Hours of stats held and rewritten whole (older hours' counts: a document per batch); default 2. */
  statsOpenHours?: number;
}

export interface EsExporterOptions extends EsExporterSettings {
  client: EsClient;
  prefix: string;
  instance: string;
  stateDir: string;
  registeredAgents: Array<{ id: string; name: string }>;
}

/** One bulk item: the action line (with its newline) and the document's JSON bytes. */
interface Op { action: string; doc: Buffer; kind: 'alert' | 'fts' | 'agent' | 'stats' | 'syscheck'; create: boolean }

/** One round in flight; `stateJson` (the state acknowledged with it) is set once its agents are folded. */
interface Round { lastSeq: number; done: Promise<boolean>; stateJson: string }

/** What the exporter keeps with its spool position. */
interface EsState {
  agg?: AggregateSnapshot;
  agents?: AgentTableSnapshot;
  /** This spool's id in the agents documents' `counted` (new when the state starts afresh). */
  stream?: string;
}

const KINDS = ['alert', 'fts', 'agent', 'stats', 'syscheck'] as const;
const NL = Buffer.from('\n');
/** Only what the exporter reads back from a bulk answer. */
const BULK_PATH = '/_bulk?filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason';

/** Where first-time-seen keys read from Elasticsearch go (the processor's store, possibly in another thread). */
export interface FtsMerger {
  merge(keys: string[]): Promise<number> | number;
}

interface BulkItemResult { status: number; error?: { type?: string; reason?: string } }

export { STATS_OPEN_HOURS };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ElasticsearchExporter implements Exporter {
  readonly name = 'elasticsearch';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private agg!: Aggregator;
  private agents!: AgentTable;
  private stream = '';
  /** Agents and hourly stats entries held (for /metrics; zero before start). */
  get heldState(): { agents: number; stats: number } {
    return this.agg ? { agents: this.agents.size, stats: this.agg.sizes.stats } : { agents: 0, stats: 0 };
  }
  readonly health: ExporterHealth;
  private templatesInstalled = false;
  private timers: NodeJS.Timeout[] = [];
  private ftsPolledAt = 0;
  /** Documents acknowledged, by kind (for tests and logs). */
  readonly written = { alert: 0, fts: 0, agent: 0, stats: 0, syscheck: 0 };

  constructor(private readonly consumer: SpoolConsumer, private readonly opts: EsExporterOptions, private readonly metrics: EsExporterMetrics | null, private readonly fts: FtsMerger | null) {
    this.health = new ExporterHealth(this.name, () => this.consumer.lag);
  }

  get status(): ExporterStatus {
    return this.health.status;
  }

  async start(): Promise<void> {
    const st = (this.consumer.state ?? null) as EsState | null;
    const openHours = this.opts.statsOpenHours ?? STATS_OPEN_HOURS;
    this.agg = new Aggregator(this.opts.instance, st?.agg ?? null, undefined, openHours, false, false);
    // an older Warden kept every agent's totals with its stats: they are the acknowledged counts
    const before = st?.agents ?? { held: (st?.agg?.agents ?? []).map((a) => ({ ...a, counted: {} })) };
    this.stream = st?.stream ?? randomUUID();
    this.agents = new AgentTable(this.stream, openHours, before);
    // the stream id is kept before anything is written under it (a crash must not make a new one)
    if (st?.stream === undefined) await this.consumer.ackJson(this.consumer.acked, this.stateJson(JSON.stringify(this.agg.snapshot())));
    this.loop = this.run();
    if (this.opts.retentionDays > 0) {
      const t = setInterval(() => void this.applyRetention().catch((e: Error) => this.warn(`retention: ${e.message}`)), 3600_000);
      t.unref();
      this.timers.push(t);
    }
    if (this.fts && this.opts.ftsRefreshSec > 0) {
      const t = setInterval(() => void this.pollFts().catch(() => undefined), this.opts.ftsRefreshSec * 1000);
      t.unref();
      this.timers.push(t);
    }
  }

  private warn(msg: string): void {
    process.emitWarning(`warden elasticsearch: ${msg}`);
  }

  /** Installs the index templates (idempotent). */
  async installTemplates(): Promise<void> {
    const t = indexTemplates({ prefix: this.opts.prefix, shards: this.opts.shards, replicas: this.opts.replicas });
    for (const [name, body] of Object.entries(t)) await this.opts.client.call('PUT', `/_index_template/${name}`, body);
    this.templatesInstalled = true;
  }

  /**
   * Reads every first-time-seen key stored in Elasticsearch into the local store.
   * Returns how many were new here.
   */
  async loadFts(sinceMs = 0): Promise<number> {
    if (!this.fts) return 0;
    const started = Date.now();
    let after: unknown[] | null = null;
    let added = 0;
    for (;;) {
      const body: Record<string, unknown> = {
        size: 5000,
        _source: ['key'],
        sort: [{ '@timestamp': 'asc' }, { key: 'asc' }],
        query: sinceMs > 0 ? { range: { '@timestamp': { gte: new Date(sinceMs).toISOString() } } } : { match_all: {} },
      };
      if (after) body.search_after = after;
      const r = await this.opts.client.request('POST', `/${ftsIndex(this.opts.prefix)}/_search`, body);
      if (r.status === 404) break;
      if (r.status !== 200) throw new Error(`reading first-time-seen keys: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      const hits = (r.body as { hits: { hits: Array<{ _source: { key: string }; sort: unknown[] }> } }).hits.hits;
      added += await this.fts.merge(hits.map((h) => h._source.key));
      if (hits.length < 5000) break;
      after = hits[hits.length - 1].sort;
    }
    this.ftsPolledAt = started;
    return added;
  }

  private async pollFts(): Promise<void> {
    await this.loadFts(Math.max(1, this.ftsPolledAt - 120_000));
  }

  private stateJson(aggJson: string): string {
    return `{"agg":${aggJson},"agents":${JSON.stringify(this.agents.snapshot())},"stream":${JSON.stringify(this.stream)}}`;
  }

  /**
   * Reads back the documents of the batches' agents not held (heard from again after a while, or
   * after a restart), so their counts continue. False when it gave up because the service is stopping.
   */
  private async readAgents(batches: SpoolBatch[]): Promise<boolean> {
    let ids = this.agents.missing(batches);
    let delay = 200;
    while (ids.length > 0) {
      try {
        const r = await this.opts.client.request('POST', `/${agentsIndex(this.opts.prefix)}/_mget`, { ids: ids.slice(0, 1000) });
        if (r.status === 404) {
          for (const id of ids.slice(0, 1000)) this.agents.seed(id, null);
        } else if (r.status !== 200) {
          throw new Error(`reading agents: HTTP ${r.status} ${r.text.slice(0, 300)}`);
        } else {
          for (const d of (r.body as { docs: Array<{ _id: string; found?: boolean; _source?: StoredAgentDoc; error?: { type?: string } }> }).docs) {
            if (d.error && d.error.type !== 'index_not_found_exception') throw new Error(`reading agent ${d._id}: ${JSON.stringify(d.error).slice(0, 300)}`);
            this.agents.seed(d._id, d.found && d._source ? d._source : null);
          }
        }
        ids = this.agents.missing(batches);
        delay = 200;
      } catch (e) {
        this.health.failed((e as Error).message);
        if (this.stopping && this.stopDeadline < Date.now()) return false;
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
    return true;
  }

  /** Documents of agents bound to tokens that never sent anything (an existing document is left as it is). */
  private async registerAgents(): Promise<void> {
    const ops: Op[] = this.opts.registeredAgents.map((a) => {
      const doc: StoredAgentDoc = { agent: { id: a.id, name: a.name }, ips: [], collector: { version: null }, first_seen: null, last_seen: null, events: 0, alerts: 0 };
      return { action: `{"create":{"_index":"${agentsIndex(this.opts.prefix)}","_id":${JSON.stringify(a.id)}}}\n`, doc: Buffer.from(JSON.stringify(doc)), kind: 'agent', create: true };
    });
    if (ops.length) this.stateLane = this.stateLane.then((ok) => (ok ? this.send(ops) : false));
    await this.stateLane;
  }

  /** Deletes alerts indices older than retention_days. */
  async applyRetention(now = Date.now()): Promise<string[]> {
    if (this.opts.retentionDays <= 0) return [];
    const r = await this.opts.client.request('GET', `/_cat/indices/${this.opts.prefix}-alerts-*?format=json&h=index`);
    if (r.status !== 200) return [];
    const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
    const cutoff = today - this.opts.retentionDays * 86400_000;
    const old = (r.body as Array<{ index: string }>).map((x) => x.index).filter((i) => {
      const day = alertIndexDay(this.opts.prefix, i);
      return day !== null && day < cutoff;
    });
    for (const i of old) await this.opts.client.call('DELETE', `/${i}`, undefined, [404]);
    return old;
  }

  private async prepare(): Promise<void> {
    let delay = 500;
    while (!this.stopping) {
      try {
        await this.installTemplates();
        await this.registerAgents();
        if (this.opts.retentionDays > 0) await this.applyRetention();
        this.health.ok();
        return;
      } catch (e) {
        this.health.failed(`preparing the indices: ${(e as Error).message}`);
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async run(): Promise<void> {
    await this.prepare();
    const maxRounds = this.opts.maxInflight + 1;
    while (!this.stopping) {
      // read ahead at most a few rounds beyond what Elasticsearch acknowledged
      while (this.open.length >= maxRounds && !this.stopping) await new Promise<void>((r) => this.roundWaiters.push(r));
      if (this.stopping) break;
      let batches = await this.consumer.next(this.opts.bulkMaxBytes);
      if (batches.length === 0) continue;
      if (this.opts.flushIntervalMs > 0 && batches.length < 4 && this.open.length === 0 && !this.stopping) {
        await sleep(this.opts.flushIntervalMs);
        batches = batches.concat(await this.consumer.next(this.opts.bulkMaxBytes, 0));
      }
      this.startRound(batches);
    }
    await Promise.all(this.open.map((r) => r.done));
    await this.acking;
  }

  /**
   * One round: the alerts and first-time-seen keys of some batches (creates under fixed ids, so
   * their order does not matter: they go out in up to `max_inflight` bulk requests at once), and
   * the agents, stats and file-integrity latest-state documents as they stand after these batches
   * (whole documents, so they go through one lane, strictly after the previous round's: the last
   * change of a file wins). The spool position is
   * acknowledged round by round, in order, with the counts as they stood at that round.
   */
  private startRound(batches: SpoolBatch[]): void {
    const ops: Op[] = [];
    const state: Op[] = [];
    const p = this.opts.prefix;
    const fi = ftsIndex(p);
    const syscheck = new Map<string, Record<string, unknown>>();
    for (const b of batches) {
      for (let i = 0; i < b.alertCount; i++) {
        if (!mayHaveSyscheck(b.docs[i])) continue;
        const st = syscheckStateOf(b.doc(i));
        if (st) { syscheck.delete(st.id); syscheck.set(st.id, st.doc); }
      }
      for (let i = 0; i < b.alertCount; i++) ops.push({ action: `{"create":{"_index":${JSON.stringify(b.alertIndex(i))},"_id":${JSON.stringify(b.alertId(i))}}}\n`, doc: b.docs[i], kind: 'alert', create: true });
      for (const f of b.fts) ops.push({ action: `{"create":{"_index":"${fi}","_id":"${ftsDocId(f.key)}"}}\n`, doc: Buffer.from(JSON.stringify(f)), kind: 'fts', create: true });
      this.agg.fold(b);
    }
    const dirty = this.agg.takeDirty();
    // a late hour's counts from one batch: their own document (the batch's sequence in its id), summed by readers
    for (const l of dirty.late) state.push({ action: `{"index":{"_index":"${statsIndex(p, l.hour)}","_id":"${statsDocId(l.hour, l.agent, `${this.opts.instance}#${l.seq}`)}"}}\n`, doc: Buffer.from(JSON.stringify(l.doc)), kind: 'stats', create: false });
    // a held row: its id names the agent's life in the table (a new one after it was released), so no earlier document is overwritten
    for (const st of dirty.stats) state.push({ action: `{"index":{"_index":"${statsIndex(p, st.hour)}","_id":"${statsDocId(st.hour, st.agent, st.life === undefined ? this.opts.instance : `${this.opts.instance}@${st.life}`)}"}}\n`, doc: Buffer.from(JSON.stringify(st.doc)), kind: 'stats', create: false });
    const si = syscheckIndex(p);
    for (const [id, doc] of syscheck) state.push({ action: `{"index":{"_index":"${si}","_id":"${id}"}}\n`, doc: Buffer.from(JSON.stringify(doc)), kind: 'syscheck', create: false });
    const aggJson = JSON.stringify(this.agg.snapshot());
    const lastSeq = batches[batches.length - 1].seq;
    const sends = [...chunks(ops, this.opts.bulkMaxBytes)].map((c) => this.send(c));
    const round: Round = { lastSeq, done: Promise.resolve(false), stateJson: '' };
    // agents in the state lane, round after round: a document read back is the one the previous round wrote
    const lane = this.stateLane.then(async (ok) => {
      if (!ok || !(await this.readAgents(batches))) return false;
      for (const b of batches) this.agents.fold(b);
      const agentOps: Op[] = this.agents.takeDirty().map((a) => ({ action: `{"index":{"_index":"${agentsIndex(p)}","_id":${JSON.stringify(a.agent.id)}}}\n`, doc: Buffer.from(JSON.stringify(a)), kind: 'agent', create: false }));
      round.stateJson = this.stateJson(aggJson);
      return this.send([...agentOps, ...state]);
    });
    this.stateLane = lane;
    round.done = Promise.all([...sends, lane]).then((r) => r.every(Boolean));
    this.open.push(round);
    this.acking = this.acking.then(async () => {
      const ok = await round.done;
      try {
        if (!ok || this.abandoned) { this.abandoned = true; return; }
        await this.consumer.ackJson(lastSeq, round.stateJson);
        this.health.ok();
      } catch (e) {
        this.health.failed(`cannot record the spool position: ${(e as Error).message}`);
      } finally {
        this.open.shift();
        for (const w of this.roundWaiters.splice(0)) w();
      }
    });
  }

  private readonly open: Round[] = [];
  private readonly roundWaiters: Array<() => void> = [];
  private acking: Promise<void> = Promise.resolve();
  private stateLane: Promise<boolean> = Promise.resolve(true);
  /** A round gave up (shutting down): nothing after it is acknowledged in this run. */
  private abandoned = false;
  private inflight = 0;
  private readonly slotWaiters: Array<() => void> = [];

  private async slot(): Promise<void> {
    while (this.inflight >= this.opts.maxInflight) await new Promise<void>((r) => this.slotWaiters.push(r));
    this.inflight++;
  }

  private release(): void {
    this.inflight--;
    this.slotWaiters.shift()?.();
  }

  /**
   * Sends ops with `_bulk` until Elasticsearch acknowledged each (or refused it for good: dead
   * letter). False when it gave up because the service is stopping.
   */
  private async send(ops: Op[]): Promise<boolean> {
    let delay = 200;
    while (ops.length > 0) {
      const retry: Op[] = [];
      await this.slot();
      try {
        const parts: Buffer[] = [];
        for (const o of ops) parts.push(Buffer.from(o.action), o.doc, NL);
        const t0 = process.hrtime.bigint();
        const r = await this.opts.client.request('POST', BULK_PATH, Buffer.concat(parts), 'application/x-ndjson');
        this.metrics?.bulkLatency.record(Number(process.hrtime.bigint() - t0) / 1e9);
        if (r.status === 429 || r.status >= 500 || r.status === 404) { retry.push(...ops); this.health.failed(`bulk: HTTP ${r.status}`); } else if (r.status !== 200) {
          throw new Error(`bulk: HTTP ${r.status} ${r.text.slice(0, 300)}`);
        } else {
          const body = r.body as { errors?: boolean; items?: Array<Record<string, BulkItemResult>> };
          const done = { alert: 0, fts: 0, agent: 0, stats: 0, syscheck: 0 };
          const dead: Array<{ op: Op; error: unknown }> = [];
          if (body.errors === false) {
            for (const op of ops) done[op.kind]++;
          } else {
            const items = body.items ?? [];
            for (let i = 0; i < ops.length; i++) {
              const op = ops[i];
              const res = items[i] ? Object.values(items[i])[0] : undefined;
              if (!res) { retry.push(op); continue; }
              if ((res.status >= 200 && res.status < 300) || (op.create && res.status === 409)) done[op.kind]++;
              else if (res.status === 429 || res.status >= 500) retry.push(op);
              else dead.push({ op, error: res.error ?? res.status });
            }
          }
          for (const k of KINDS) if (done[k]) { this.written[k] += done[k]; this.metrics?.bulkDocs.add(done[k], { kind: k }); }
          if (dead.length) await this.deadLetter(dead);
        }
      } catch (e) {
        this.health.failed((e as Error).message);
        // network failure: all of it goes again (creates answer 409, index ops overwrite)
        retry.length = 0;
        retry.push(...ops);
      } finally {
        this.release();
      }
      if (retry.length === 0) break;
      if (this.stopping && this.stopDeadline < Date.now()) return false; // stays in the spool for the next start
      ops = retry;
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
    return true;
  }

  private async deadLetter(dead: Array<{ op: Op; error: unknown }>): Promise<void> {
    const lines = dead.map((d) => `${JSON.stringify({ action: JSON.parse(d.op.action), doc: JSON.parse(d.op.doc.toString('utf8')), error: d.error, at: new Date().toISOString() })}\n`).join('');
    await fsp.appendFile(path.join(this.opts.stateDir, 'dead-letter.jsonl'), lines);
    this.metrics?.recordsRejected.add(dead.length, { reason: 'elasticsearch_refused' });
    this.warn(`${dead.length} document(s) refused by Elasticsearch, kept in dead-letter.jsonl: ${JSON.stringify(dead[0].error).slice(0, 300)}`);
  }

  private stopDeadline = Infinity;

  get ready(): boolean {
    return this.templatesInstalled;
  }

  async stop(drainMs: number): Promise<void> {
    this.stopDeadline = Date.now() + drainMs;
    while (this.consumer.lag > 0 && Date.now() < this.stopDeadline) await sleep(20);
    this.stopping = true;
    this.consumer.cancel();
    for (const t of this.timers) clearInterval(t);
    await this.loop?.catch(() => undefined);
    await this.opts.client.close().catch(() => undefined);
  }
}

function* chunks(ops: Op[], maxBytes: number): Generator<Op[]> {
  let cur: Op[] = [];
  let bytes = 0;
  for (const o of ops) {
    const n = o.action.length + o.doc.length + 1;
    if (cur.length && bytes + n > maxBytes) { yield cur; cur = []; bytes = 0; }
    cur.push(o);
    bytes += n;
  }
  if (cur.length) yield cur;
}
