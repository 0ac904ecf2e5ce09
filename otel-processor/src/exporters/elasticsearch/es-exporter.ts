/**
 * The Elasticsearch exporter: reads the spool in order and writes alerts (op_type=create under
 * their deterministic ids, into daily indices), first-time-seen keys (create), and the agents
 * and hourly stats documents (whole documents from the folded counts) with `_bulk`. Retries
 * until Elasticsearch acknowledged every item; only then is the spool position acknowledged
 * (with the counts), so Elasticsearch down for minutes loses nothing and duplicates nothing.
 * Items Elasticsearch refuses for good (e.g. a mapping conflict) go to `dead-letter.jsonl`.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { EsClient } from './client';
import {
  agentsIndex, alertIndexDay, ftsDocId, ftsIndex, indexTemplates, statsDocId, statsIndex,
  type AgentDoc, type FtsDoc,
} from './documents';
import { Aggregator, type AggregateSnapshot } from '../../processor/aggregate';
import type { SpoolConsumer } from '../../spool/spool';
import type { Batch } from '../../spool/batch';
import type { Exporter } from '../exporter';
import type { WardenMetrics } from '../../service/metrics';
import type { WardenFtsStore } from '../../processor/fts-store';

export interface EsExporterOptions {
  client: EsClient;
  prefix: string;
  instance: string;
  retentionDays: number;
  bulkMaxBytes: number;
  flushIntervalMs: number;
  shards: number;
  replicas: string;
  ftsRefreshSec: number;
  stateDir: string;
  registeredAgents: Array<{ id: string; name: string }>;
}

interface Op { action: string; doc: string; kind: 'alert' | 'fts' | 'agent' | 'stats'; create: boolean }

interface BulkItemResult { status: number; error?: { type?: string; reason?: string } }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ElasticsearchExporter implements Exporter {
  readonly name = 'elasticsearch';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private agg!: Aggregator;
  private lastError: string | null = null;
  private templatesInstalled = false;
  private timers: NodeJS.Timeout[] = [];
  private ftsPolledAt = 0;
  /** Documents acknowledged, by kind (for tests and logs). */
  readonly written = { alert: 0, fts: 0, agent: 0, stats: 0 };

  constructor(private readonly consumer: SpoolConsumer, private readonly opts: EsExporterOptions, private readonly metrics: WardenMetrics | null, private readonly fts: WardenFtsStore | null) {}

  get status(): { lag: number; error: string | null } {
    return { lag: this.consumer.lag, error: this.lastError };
  }

  async start(): Promise<void> {
    const st = (this.consumer.state ?? null) as { agg?: AggregateSnapshot } | null;
    this.agg = new Aggregator(this.opts.instance, st?.agg ?? null);
    for (const a of this.opts.registeredAgents) this.agg.register(a.id, a.name);
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
      added += this.fts.merge(hits.map((h) => h._source.key));
      if (hits.length < 5000) break;
      after = hits[hits.length - 1].sort;
    }
    this.ftsPolledAt = started;
    return added;
  }

  private async pollFts(): Promise<void> {
    await this.loadFts(Math.max(1, this.ftsPolledAt - 120_000));
  }

  /** Agents stored in Elasticsearch, to continue their counts when the local state is gone. */
  private async seedAgents(): Promise<void> {
    const r = await this.opts.client.request('POST', `/${agentsIndex(this.opts.prefix)}/_search`, { size: 10000 });
    if (r.status === 404) return;
    if (r.status !== 200) throw new Error(`reading agents: HTTP ${r.status}`);
    for (const h of (r.body as { hits: { hits: Array<{ _source: AgentDoc }> } }).hits.hits) this.agg.seedAgent(h._source);
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
        if (this.consumer.state === null) await this.seedAgents();
        if (this.opts.retentionDays > 0) await this.applyRetention();
        return;
      } catch (e) {
        this.lastError = (e as Error).message;
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async run(): Promise<void> {
    await this.prepare();
    while (!this.stopping) {
      let batches = await this.consumer.next(this.opts.bulkMaxBytes / 2);
      if (batches.length === 0) continue;
      if (this.opts.flushIntervalMs > 0 && batches.length < 4 && !this.stopping) {
        await sleep(this.opts.flushIntervalMs);
        batches = batches.concat(await this.consumer.next(this.opts.bulkMaxBytes / 2, 0));
      }
      await this.deliver(batches);
    }
  }

  private opsFor(batches: Batch[]): Op[] {
    const ops: Op[] = [];
    const p = this.opts.prefix;
    for (const b of batches) {
      for (const a of b.alerts) ops.push({ action: `{"create":{"_index":${JSON.stringify(a.index)},"_id":"${a.id}"}}`, doc: JSON.stringify(a.doc), kind: 'alert', create: true });
      for (const f of b.fts as FtsDoc[]) ops.push({ action: `{"create":{"_index":"${ftsIndex(p)}","_id":"${ftsDocId(f.key)}"}}`, doc: JSON.stringify(f), kind: 'fts', create: true });
      this.agg.fold(b);
    }
    const dirty = this.agg.takeDirty();
    for (const a of dirty.agents) ops.push({ action: `{"index":{"_index":"${agentsIndex(p)}","_id":${JSON.stringify(a.agent.id)}}}`, doc: JSON.stringify(a), kind: 'agent', create: false });
    for (const s of dirty.stats) ops.push({ action: `{"index":{"_index":"${statsIndex(p, s.hour)}","_id":"${statsDocId(s.hour, s.agent, this.opts.instance)}"}}`, doc: JSON.stringify(s.doc), kind: 'stats', create: false });
    return ops;
  }

  private async deliver(batches: Batch[]): Promise<void> {
    let ops = this.opsFor(batches);
    let delay = 200;
    while (ops.length > 0) {
      const retry: Op[] = [];
      try {
        for (const chunk of chunks(ops, this.opts.bulkMaxBytes)) {
          const body = chunk.map((o) => `${o.action}\n${o.doc}\n`).join('');
          const t0 = process.hrtime.bigint();
          const r = await this.opts.client.request('POST', '/_bulk', body, 'application/x-ndjson');
          this.metrics?.bulkLatency.record(Number(process.hrtime.bigint() - t0) / 1e9);
          if (r.status === 429 || r.status >= 500 || r.status === 404) { retry.push(...chunk); this.lastError = `bulk: HTTP ${r.status}`; continue; }
          if (r.status !== 200) throw new Error(`bulk: HTTP ${r.status} ${r.text.slice(0, 300)}`);
          const items = (r.body as { items: Array<Record<string, BulkItemResult>> }).items;
          const dead: Array<{ op: Op; error: unknown }> = [];
          for (let i = 0; i < chunk.length; i++) {
            const res = Object.values(items[i])[0];
            const op = chunk[i];
            if ((res.status >= 200 && res.status < 300) || (op.create && res.status === 409)) {
              this.written[op.kind]++;
              this.metrics?.bulkDocs.add(1, { kind: op.kind });
            } else if (res.status === 429 || res.status >= 500) retry.push(op);
            else dead.push({ op, error: res.error ?? res.status });
          }
          if (dead.length) await this.deadLetter(dead);
        }
      } catch (e) {
        this.lastError = (e as Error).message;
        // network failure: the whole round goes again (creates answer 409, index ops overwrite)
        retry.length = 0;
        retry.push(...ops);
      }
      if (retry.length === 0) break;
      if (this.stopping && this.stopDeadline < Date.now()) {
        // shutting down: keep the batches in the spool (not acknowledged), counts restored at next start
        return;
      }
      ops = retry;
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
    this.lastError = null;
    await this.consumer.ack(batches[batches.length - 1].seq, { agg: this.agg.snapshot() });
  }

  private async deadLetter(dead: Array<{ op: Op; error: unknown }>): Promise<void> {
    const lines = dead.map((d) => `${JSON.stringify({ action: JSON.parse(d.op.action), doc: JSON.parse(d.op.doc), error: d.error, at: new Date().toISOString() })}\n`).join('');
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
  }
}

function* chunks(ops: Op[], maxBytes: number): Generator<Op[]> {
  let cur: Op[] = [];
  let bytes = 0;
  for (const o of ops) {
    const n = o.action.length + o.doc.length + 2;
    if (cur.length && bytes + n > maxBytes) { yield cur; cur = []; bytes = 0; }
    cur.push(o);
    bytes += n;
  }
  if (cur.length) yield cur;
}
