/**
 * The Warden service: wires the receivers, the processor, the spool and the exporters, serves
 * /metrics, /healthz and /readyz, reloads the ruleset on change (a broken one is refused and
 * the old one keeps running) and shuts down gracefully (receivers first, then in-flight
 * requests, then the exporters drain what was accepted, up to a timeout; the rest stays
 * spooled for the next start).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WardenConfig } from './config';
import { createMetrics, type WardenMetrics } from './metrics';
import { ServiceApi } from './api';
import { Spool } from '../spool/spool';
import { decodeRequest, LocalProcessorHost, WorkerProcessorHost, type ProcessorHost, type ProcessorSetup, type ReloadResult } from '../processor/host';
import type { CorrelationStats, ProcessResult, ProcessorTables } from '../processor/processor';
import { FairQueue } from '../processor/fair-queue';
import { TokenAuth, type AuthResult, type PeerIdentity } from '../receiver/otlp/auth';
import { HttpReceiver } from '../receiver/otlp/http';
import { GrpcReceiver } from '../receiver/otlp/grpc';
import type { Intake, IntakeResult, RawRequest } from '../receiver/otlp/intake';
import type { RequestContext } from '../receiver/otlp/mapping';
import type { Exporter } from '../exporters/exporter';
import { EXPORTER_FACTORIES, type ExporterHost } from './exporters';
import { ElasticsearchExporter } from '../exporters/elasticsearch/es-exporter';
import { FileExporter } from '../exporters/file/file-exporter';

export type Logger = (msg: string) => void;

export interface ServicePorts { http: number | null; grpc: number | null; service: number }

/** How often a start-up step still running is reported. */
const STEP_REPORT_MS = 5000;

export class WardenService implements Intake {
  private spool!: Spool;
  private processor!: ProcessorHost;
  private metrics!: WardenMetrics;
  private auth!: TokenAuth;
  private httpReceiver: HttpReceiver | null = null;
  private grpcReceiver: GrpcReceiver | null = null;
  private statusServer: http.Server | null = null;
  private api!: ServiceApi;
  private readonly exporters: Exporter[] = [];
  private timers: NodeJS.Timeout[] = [];
  private watcher: fs.FSWatcher | null = null;
  private stopping = false;
  private ready = false;
  private instance = '';
  private readonly unspooled = new UnspooledResults(64 << 20);
  /** Senders served in turn: one request running in the engine, one ready behind it. */
  private readonly fair = new FairQueue(2);
  ports: ServicePorts = { http: null, grpc: null, service: 0 };
  lastReloadError: string | null = null;

  private constructor(readonly cfg: WardenConfig, private readonly log: Logger) {}

  static async start(cfg: WardenConfig, log: Logger = (m) => process.stderr.write(`${m}\n`)): Promise<WardenService> {
    const s = new WardenService(cfg, log);
    try {
      await s.init();
    } catch (e) {
      await s.stop(0).catch(() => undefined);
      throw e;
    }
    return s;
  }

  /**
   * One start-up step, named in the log when it runs long (every STEP_REPORT_MS): a start that
   * stalls then says where.
   */
  private async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    const timer = setInterval(() => this.log(`warden: start-up: ${name} has taken ${Math.round((Date.now() - t0) / 1000)} s so far`), STEP_REPORT_MS);
    timer.unref();
    try {
      return await run();
    } finally {
      clearInterval(timer);
    }
  }

  private async init(): Promise<void> {
    const cfg = this.cfg;
    fs.mkdirSync(cfg.stateDir, { recursive: true });
    this.instance = instanceId(cfg.stateDir);
    const setup: ProcessorSetup = {
      ruleset: cfg.ruleset,
      dialect: cfg.rulesetDialect,
      stateDir: cfg.stateDir,
      options: {
        indexPrefix: cfg.exporters.elasticsearch.indexPrefix,
        mapping: { maxLogBytes: cfg.receiver.maxLogBytes, maxFields: cfg.receiver.maxFields },
        correlationScope: cfg.correlationScope,
        clock: cfg.engine.clock,
        memoryBudgetMb: cfg.engine.memoryBudgetMb,
        ftsMaxKeys: cfg.engine.ftsMaxKeys,
        resolveCrawlers: cfg.resolveCrawlers,
        logAlertLevel: cfg.logAlertLevel,
        disconnectAfterSec: cfg.agents.disconnectAfterSec,
        stateDir: cfg.stateDir,
      },
    };
    this.processor = cfg.service.engineThread ? await this.step('loading the ruleset', () => WorkerProcessorHost.start(setup, this.log)) : new LocalProcessorHost(setup);
    const sum = this.processor.summary;
    this.log(`warden: ruleset ${cfg.ruleset} (${sum.layout}): ${sum.decoderFiles} decoder files, ${sum.ruleFiles} rule files; engine ${cfg.service.engineThread ? 'in its own thread' : 'in the main thread'}`);
    this.metrics = createMetrics();
    this.spool = await this.step('opening the spool', () => Spool.open({ dir: cfg.spool.dir, maxBytes: cfg.spool.maxBytes, segmentBytes: cfg.spool.segmentBytes, memoryBytes: cfg.spool.memoryBytes, warn: (m) => this.log(`warden: spool: ${m}`) }));
    this.metrics.observeSpool(() => ({ batches: this.spool.depth, bytes: this.spool.bytes }));
    const registered = [...cfg.receiver.auth.tokens, ...cfg.receiver.auth.clientCerts].filter((t) => t.agentId).map((t) => ({ id: t.agentId!, name: t.agentName ?? t.agentId! }));

    const host: ExporterHost = { cfg, spool: this.spool, processor: this.processor, metrics: this.metrics, instance: this.instance, registeredAgents: registered, log: this.log };
    for (const factory of EXPORTER_FACTORIES) if (factory.enabled(cfg)) this.exporters.push(await this.step(`creating the ${factory.name} exporter`, () => factory.create(host)));
    const tls = cfg.receiver.tls;
    this.auth = new TokenAuth(cfg.receiver.auth.tokens, cfg.receiver.auth.required, cfg.receiver.auth.clientCerts, tls.clientCaFile !== null);
    for (const e of this.exporters) e.health.attach(this.log, this.metrics.exporterFailures);
    this.metrics.observeExporters(() => this.exporters.map((e) => { const st = e.status; return { name: e.name, lag: st.lag, ok: st.state === 'ok' }; }));
    this.metrics.observeEngineErrors(() => this.engineErrors);
    this.metrics.observeCorrelation(() => this.correlation);
    this.metrics.observeTables(() => {
      const es = this.exporters.find((e): e is ElasticsearchExporter => e instanceof ElasticsearchExporter);
      const file = this.exporters.find((e): e is FileExporter => e instanceof FileExporter);
      const held = es?.heldState ?? file?.heldState ?? { agents: 0, stats: 0 };
      return { ...this.tables, aggregateAgents: held.agents, aggregateStats: held.stats };
    });
    if (this.spool.depth > 0) {
      const lags = this.exporters.map((e) => `${e.name} ${e.status.lag}`).join(', ');
      this.log(`warden: spool holds ${this.spool.depth} batch(es) (${this.spool.bytes} bytes) not yet delivered (${lags}); replaying`);
    }
    for (const e of this.exporters) await this.step(`starting the ${e.name} exporter`, () => e.start());

    this.api = new ServiceApi({ token: cfg.service.apiToken, maxLogBytes: cfg.receiver.maxLogBytes }, {
      rules: () => this.processor.rules(),
      logtest: (line, location) => this.processor.logtest(line, location),
    });
    this.statusServer = http.createServer((req, res) => this.status(req, res));
    await this.step('opening the status port', () => new Promise<void>((resolve, reject) => {
      this.statusServer!.once('error', reject);
      this.statusServer!.listen(cfg.service.port, cfg.service.host, () => resolve());
    }));
    this.ports.service = (this.statusServer.address() as AddressInfo).port;
    if (cfg.receiver.http.enabled) {
      this.httpReceiver = new HttpReceiver({
        ...cfg.receiver.http,
        tls: tls.certFile && tls.keyFile ? { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile), ca: tls.clientCaFile ? fs.readFileSync(tls.clientCaFile) : null } : null,
      }, this);
      this.httpReceiver.retryAfter = cfg.receiver.retryAfterSec;
      this.ports.http = await this.step('opening the OTLP/HTTP port', () => this.httpReceiver!.start());
    }
    if (cfg.receiver.grpc.enabled) {
      this.grpcReceiver = new GrpcReceiver({ ...cfg.receiver.grpc, tls: tls.certFile && tls.keyFile ? { certFile: tls.certFile, keyFile: tls.keyFile, clientCaFile: tls.clientCaFile } : null }, this);
      this.grpcReceiver.retryAfter = cfg.receiver.retryAfterSec;
      this.ports.grpc = await this.step('opening the OTLP/gRPC port', () => this.grpcReceiver!.start());
    }
    const every = (ms: number, f: () => void) => { const t = setInterval(f, ms); t.unref(); this.timers.push(t); };
    const dis = cfg.agents.disconnectAfterSec;
    if (dis > 0) every(Math.max(200, Math.min(30_000, (dis * 1000) / 4)), () => void this.checkDisconnected());
    every(5000, () => void this.processor.saveSeen().catch(() => undefined));
    if (cfg.service.watchRules) this.watchRules();
    this.ready = true;
    this.log(`warden: listening${tls.certFile ? (tls.clientCaFile ? ' (TLS, client certificates)' : ' (TLS)') : ''}: OTLP/HTTP ${this.ports.http ?? 'off'}, OTLP/gRPC ${this.ports.grpc ?? 'off'}, status ${this.ports.service}; exporters: ${this.exporters.map((e) => e.name).join(', ')}`);
  }

  // ---- Intake

  authenticate(authorization: string | null, peer: PeerIdentity | null): AuthResult {
    return this.auth.check(authorization, peer);
  }

  async accept(req: RawRequest, ctx: RequestContext): Promise<IntakeResult> {
    const retryAfterSec = this.cfg.receiver.retryAfterSec;
    const refuse = (reason: string, why: string): IntakeResult => {
      this.rejected(countRecords(req), reason, ctx.transport ?? 'any');
      return { kind: 'busy', retryAfterSec, reason: why };
    };
    if (this.stopping) return refuse('shutting_down', 'Warden is shutting down');
    if (this.spool.failed) return refuse('spool_error', `spool cannot write (${ioCode(this.spool.failed)}); retry later`);
    if (this.spool.full) return refuse('spool_full', `spool is full (${this.spool.bytes} bytes waiting for the exporters); retry later`);
    const queued = this.processor.queuedBytes + this.fair.queuedBytes;
    if (queued > 0 && queued + req.body.byteLength > this.cfg.receiver.maxPendingBytes) {
      return refuse('engine_busy', `the engine has ${queued} bytes of requests waiting; retry later`);
    }
    // a retry of a request the engine already ran (its batch could not be spooled) is not run again
    const key = requestKey(req, ctx);
    let r = this.unspooled.take(key);
    if (!r) {
      let out;
      try {
        const bytes = req.body.byteLength;
        out = await this.fair.run(senderOf(ctx), bytes, () => this.processor.process(req, ctx));
      } catch (e) {
        this.log(`warden: processing a request failed: ${(e as Error).message}`);
        return refuse('internal_error', 'internal error (see the Warden log); retry later');
      }
      if (out.kind === 'malformed') return { kind: 'malformed', reason: out.message };
      r = out.result;
      this.noteErrors(r.errors);
      if (r.correlation) this.correlation = r.correlation;
      if (r.tables) this.tables = r.tables;
    }
    if (r.payload) {
      try {
        await this.spool.append(r.payload);
      } catch (e) {
        this.unspooled.keep(key, r);
        this.rejected(r.accepted + r.rejected, 'spool_error', ctx.transport ?? 'any');
        this.log(`warden: spool refused a batch: ${(e as Error).message}`);
        // the code only: the message can name server paths
        return { kind: 'busy', retryAfterSec, reason: `spool cannot write (${ioCode(e as Error)}); retry later` };
      }
    }
    if (r.accepted) this.metrics.eventsReceived.add(r.accepted);
    if (r.engineErrors) {
      this.log(`warden: engine error on ${r.engineErrors} record(s): ${r.lastEngineError}`);
    }
    if (r.rejected) this.metrics.recordsRejected.add(r.rejected, { reason: 'invalid_record' });
    this.countAlerts(r.levels);
    return { kind: 'ok', accepted: r.accepted, rejected: r.rejected, message: r.firstError ?? '' };
  }

  private engineErrors = 0;
  private correlation: CorrelationStats = { events: 0, bytes: 0, agents: 0, evictions: 0 };
  private tables: ProcessorTables = { agentsTracked: 0, ftsKeys: 0, ftsEvictions: 0 };
  private recordErrors = 0;

  private noteErrors(e: { engine: number; records: number } | undefined): void {
    if (!e) return;
    if (e.records > this.recordErrors) {
      this.log(`warden: ${e.records - this.recordErrors} record(s) could not be processed (an internal error) and were refused alone`);
      this.metrics.recordsRejected.add(e.records - this.recordErrors, { reason: 'processing_error' });
    }
    this.recordErrors = Math.max(this.recordErrors, e.records);
    this.engineErrors = Math.max(this.engineErrors, e.engine);
  }

  private countAlerts(levels: number[]): void {
    for (let l = 0; l < levels.length; l++) if (levels[l]) this.metrics.alerts.add(levels[l], { level: String(l) });
  }

  rejected(count: number, reason: string, transport: string): void {
    this.metrics.recordsRejected.add(count, { reason, transport });
  }

  answered(transport: string, code: string): void {
    this.metrics.requests.add(1, { transport, code });
  }

  // ---- disconnect alerts

  private async checkDisconnected(): Promise<void> {
    if (this.stopping) return;
    try {
      const b = await this.processor.checkDisconnected();
      if (!b) return;
      await this.spool.append(b.payload);
      this.countAlerts(b.levels);
      await this.processor.saveSeen();
    } catch (e) {
      this.log(`warden: could not spool the agent-disconnected alert: ${(e as Error).message}`);
    }
  }

  // ---- rules

  /** Loads the ruleset again; on error the running one stays and the error is returned. */
  async reload(): Promise<ReloadResult> {
    let r: ReloadResult;
    try {
      r = await this.processor.reload();
    } catch (e) {
      r = { ok: false, error: (e as Error).message };
    }
    if (r.ok) {
      this.lastReloadError = null;
      this.log(`warden: ruleset reloaded: ${r.decoderFiles} decoder files, ${r.ruleFiles} rule files (correlation memory kept)`);
    } else {
      this.lastReloadError = r.error;
      this.log(`warden: ruleset reload refused, the running ruleset stays: ${r.error}`);
    }
    return r;
  }

  private watchRules(): void {
    let pending: NodeJS.Timeout | null = null;
    try {
      this.watcher = fs.watch(this.cfg.ruleset, { recursive: true, persistent: false }, (_ev, name) => {
        if (name && !/\.(xml|conf|ini)$|lists|\.cdb$/.test(String(name)) && !String(name).includes('lists')) return;
        if (pending) clearTimeout(pending);
        pending = setTimeout(() => { pending = null; if (!this.stopping) void this.reload(); }, 300);
      });
      this.watcher.on('error', (e) => this.log(`warden: watching ${this.cfg.ruleset} failed: ${e.message}`));
    } catch (e) {
      this.log(`warden: cannot watch ${this.cfg.ruleset} (${(e as Error).message}); reload with SIGHUP`);
    }
  }

  // ---- status endpoints

  private status(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = (req.url ?? '').split('?')[0];
    if (url.startsWith('/api/') && this.api.handle(req, res, url)) return;
    if (url === '/metrics') { this.metrics.handle(req, res); return; }
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url === '/readyz') {
      const body = {
        ready: this.ready && !this.stopping && !this.spool.error && !this.spool.full,
        spool: { batches: this.spool.depth, bytes: this.spool.bytes, full: this.spool.full, error: this.spool.error?.message ?? null },
        exporters: Object.fromEntries(this.exporters.map((e) => [e.name, e.status])),
        ruleset: { dir: this.cfg.ruleset, lastReloadError: this.lastReloadError },
      };
      res.writeHead(body.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics, /healthz, /readyz, /api/rules, /api/logtest\n');
  }

  /** Exporter lag (batches not yet acknowledged), for tests and shutdown. */
  get spoolDepth(): number {
    return this.spool?.depth ?? 0;
  }

  // ---- shutdown

  /**
   * Stops within `limitSec` (service.shutdown_timeout_seconds): receivers and in-flight
   * requests, then the exporters drain what they can in the time left; whatever they have not
   * delivered by then stays spooled for the next start (and is logged).
   */
  async stop(limitSec = this.cfg.service.shutdownTimeoutSec): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.ready = false;
    const deadline = Date.now() + limitSec * 1000;
    const left = () => Math.max(0, deadline - Date.now());
    this.watcher?.close();
    for (const t of this.timers) clearInterval(t);
    // no new requests; those in flight finish (their batches get spooled and answered)
    await within(Promise.all([this.httpReceiver?.stop(), this.grpcReceiver?.stop()]), left() / 2);
    this.httpReceiver?.forceStop();
    this.grpcReceiver?.forceStop();
    await within(this.processor?.close().catch(() => undefined), Math.max(1000, left() / 4));
    await within(Promise.all(this.exporters.map((e) => e.stop(left()))), left() + 200);
    await within(this.spool?.close(), 2000);
    if (this.spool && this.log) {
      const depth = this.spool.depth;
      const lags = this.exporters.map((e) => `${e.name} ${e.status.lag}`).join(', ');
      this.log(depth > 0
        ? `warden: stopped; ${depth} batch(es) (${this.spool.bytes} bytes) stay spooled for the next start (${lags})`
        : 'warden: stopped; everything accepted was delivered');
    }
    await new Promise<void>((r) => (this.statusServer ? this.statusServer.close(() => r()) : r()));
    this.statusServer?.closeAllConnections();
    await this.metrics?.shutdown().catch(() => undefined);
  }
}

/** Waits for `p`, at most `ms`. */
async function within(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => { t = setTimeout(r, ms); })]);
  clearTimeout(t);
}

/** Records in a request (for the rejected counters when it is refused before the engine; 0 when it does not decode). */
function countRecords(req: RawRequest): number {
  try {
    let n = 0;
    for (const r of decodeRequest(req)) n += r.records.length;
    return n;
  } catch {
    return 0;
  }
}

/** An I/O error's code (ENOSPC, EIO...), for answers. */
function ioCode(e: Error): string {
  const m = /\b(E[A-Z]{2,})\b/.exec(e.message);
  return (e as NodeJS.ErrnoException).code ?? m?.[1] ?? 'I/O error';
}

/** Whose queue a request waits in: the agent its token or certificate is bound to, else the peer address. */
function senderOf(ctx: RequestContext): string {
  return ctx.boundAgent ? `agent:${ctx.boundAgent.id}` : `peer:${ctx.peerIp ?? ''}`;
}

/** What identifies a request's content and sender, for recognising a retry. */
function requestKey(req: RawRequest, ctx: RequestContext): string {
  const h = createHash('sha256');
  h.update(`${req.format}\0${ctx.boundAgent?.id ?? ''}\0${ctx.peerIp ?? ''}\0`);
  h.update(req.body);
  return h.digest('base64');
}

/**
 * Results of requests the engine ran but the spool refused (answered 503): the sender retries
 * the same request, and gets this result spooled instead of running the engine on it again, so
 * correlation and first-time-seen effects count once. Bounded in bytes (oldest dropped).
 */
class UnspooledResults {
  private readonly map = new Map<string, ProcessResult>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  keep(key: string, r: ProcessResult): void {
    if (this.map.has(key)) return;
    this.map.set(key, r);
    this.bytes += r.payload?.length ?? 0;
    for (const [k, old] of this.map) {
      if (this.bytes <= this.maxBytes || this.map.size === 1) break;
      this.map.delete(k);
      this.bytes -= old.payload?.length ?? 0;
    }
  }

  take(key: string): ProcessResult | undefined {
    const r = this.map.get(key);
    if (r) { this.map.delete(key); this.bytes -= r.payload?.length ?? 0; }
    return r;
  }
}

/** A stable id for this Warden's state (stats documents carry it so replicas do not overwrite each other). */
function instanceId(stateDir: string): string {
  const file = path.join(stateDir, 'instance-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch { /* first start */ }
  const id = randomUUID();
  fs.writeFileSync(file, `${id}\n`);
  return id;
}
