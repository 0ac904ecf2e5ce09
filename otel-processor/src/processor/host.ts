/**
 * Where the processor runs: in a worker thread of its own (default), so decoding, the engine
 * and building the alert documents use one core while the receivers, the spool and the
 * exporters use the other; or in the service's thread (`service.engine_thread: false`).
 * Requests are handled strictly in arrival order either way, so correlation sees records in
 * the order they were accepted, and the spool gets the batches in that order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeJson, decodeProtobuf, MalformedRequestError, type InResource } from '../receiver/otlp/decode';
import type { RequestContext } from '../receiver/otlp/mapping';
import type { RawRequest } from '../receiver/otlp/intake';
import { openRuleset } from '../loader/open-ruleset';
import { RulesetError } from '../engine/ruleset/errors';
import type { RulesetDialect } from '../engine/ruleset';
import { Processor, type ProcessorOptions, type ProcessResult } from './processor';
import { WardenFtsStore } from './fts-store';
import { listRules, logtestLine, type ApiRule, type LogtestAnswer } from './logtest';


export type HostResult = { kind: 'ok'; result: ProcessResult } | { kind: 'malformed'; message: string };

export type ReloadResult = { ok: true; decoderFiles: number; ruleFiles: number } | { ok: false; error: string };

export interface ProcessorSetup {
  ruleset: string;
  dialect?: RulesetDialect;
  stateDir: string;
  options: ProcessorOptions;
}

export interface ProcessorHost {
  /** What the ruleset was loaded from, for the start-up log line. */
  readonly summary: { layout: string; decoderFiles: number; ruleFiles: number; ftsKeys: number };
  process(req: RawRequest, ctx: RequestContext): Promise<HostResult>;
  checkDisconnected(): Promise<{ payload: Buffer; levels: number[] } | null>;
  reload(): Promise<ReloadResult>;
  /** First-time-seen keys known elsewhere (Elasticsearch): returns how many were new. */
  mergeFts(keys: string[]): Promise<number>;
  ftsSize(): Promise<number>;
  saveSeen(): Promise<void>;
  /** The loaded rules (the service API's GET /api/rules). */
  rules(): Promise<ApiRule[]>;
  /** One line through the three phases on an engine of its own (POST /api/logtest). */
  logtest(line: string, location: string): Promise<LogtestAnswer>;
  close(): Promise<void>;
  /** Request bytes handed over and not yet answered. */
  readonly queuedBytes: number;
}

/** Decodes an OTLP request; MalformedRequestError when it is not one. */
export function decodeRequest(req: RawRequest): InResource[] {
  return req.format === 'json' ? decodeJson(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString('utf8')) : decodeProtobuf(req.body);
}

/** The processor and its first-time-seen store, and the operations of {@link ProcessorHost} on them (synchronous). */
export class ProcessorCore {
  private readonly fts: WardenFtsStore;
  private readonly processor: Processor;
  readonly summary: ProcessorHost['summary'];

  constructor(private readonly setup: ProcessorSetup) {
    const loaded = openRuleset(setup.ruleset, setup.dialect);
    this.fts = new WardenFtsStore(setup.stateDir, { maxKeys: setup.options.ftsMaxKeys });
    this.processor = new Processor(loaded, this.fts, setup.options);
    this.summary = { layout: loaded.layout, decoderFiles: loaded.decoderFiles.length, ruleFiles: loaded.ruleFiles.length, ftsKeys: this.fts.size };
  }

  process(req: RawRequest, ctx: RequestContext): HostResult {
    let resources: InResource[];
    try {
      resources = decodeRequest(req);
    } catch (e) {
      if (e instanceof MalformedRequestError) return { kind: 'malformed', message: e.message };
      throw e;
    }
    return { kind: 'ok', result: this.processor.process(resources, ctx) };
  }

  checkDisconnected(): { payload: Buffer; levels: number[] } | null {
    return this.processor.checkDisconnected();
  }

  reload(): ReloadResult {
    try {
      const loaded = openRuleset(this.setup.ruleset, this.setup.dialect);
      this.processor.replaceRuleset(loaded);
      return { ok: true, decoderFiles: loaded.decoderFiles.length, ruleFiles: loaded.ruleFiles.length };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  mergeFts(keys: string[]): number {
    return this.fts.merge(keys);
  }

  ftsSize(): number {
    return this.fts.size;
  }

  saveSeen(): void {
    this.processor.saveSeen();
  }

  rules(): ApiRule[] {
    return listRules(this.processor.ruleset);
  }

  logtest(line: string, location: string): LogtestAnswer {
    return logtestLine(this.processor.ruleset, line, location, this.setup.options.logAlertLevel, 'warden', this.setup.ruleset || null);
  }

  close(): void {
    this.processor.saveSeen();
    this.fts.close();
  }
}

/** The processor in the calling thread. */
export class LocalProcessorHost implements ProcessorHost {
  private readonly core: ProcessorCore;
  readonly queuedBytes = 0;

  constructor(setup: ProcessorSetup) {
    this.core = new ProcessorCore(setup);
  }

  get summary(): ProcessorHost['summary'] { return this.core.summary; }
  async process(req: RawRequest, ctx: RequestContext): Promise<HostResult> { return this.core.process(req, ctx); }
  async checkDisconnected(): Promise<{ payload: Buffer; levels: number[] } | null> { return this.core.checkDisconnected(); }
  async reload(): Promise<ReloadResult> { return this.core.reload(); }
  async mergeFts(keys: string[]): Promise<number> { return this.core.mergeFts(keys); }
  async ftsSize(): Promise<number> { return this.core.ftsSize(); }
  async saveSeen(): Promise<void> { this.core.saveSeen(); }
  async rules(): Promise<ApiRule[]> { return this.core.rules(); }
  async logtest(line: string, location: string): Promise<LogtestAnswer> { return this.core.logtest(line, location); }
  async close(): Promise<void> { this.core.close(); }
}

// ---- worker thread

/** Messages to the worker. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type ToWorker =
  | { id: number; op: 'process'; req: RawRequest; ctx: RequestContext }
  | { id: number; op: 'checkDisconnected' | 'reload' | 'ftsSize' | 'saveSeen' | 'rules' | 'close' }
  | { id: number; op: 'logtest'; line: string; location: string }
  | { id: number; op: 'mergeFts'; keys: string[] };

/** Messages from the worker: answers by id, and the start-up outcome (id 0; a ruleset error keeps its parts). */
export type FromWorker =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; ruleset?: { file: string; line: number; element: string; detail: string } };

/** A Uint8Array that owns its whole ArrayBuffer (so it can be transferred, not copied). */
export function transferable(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b;
  const c = new Uint8Array(b.byteLength);
  c.set(b);
  return c;
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The script the worker runs: the compiled `processor-worker.js` beside this module, or, when
 * running from TypeScript sources (tests), the `.ts` file compiled on load with swc.
 */
function workerEntry(): { code: string; file: string } {
  const js = path.join(__dirname, 'processor-worker.js');
  if (fs.existsSync(js)) return { code: `require(${JSON.stringify(js)});`, file: js };
  const ts = path.join(__dirname, 'processor-worker.ts');
  const code = `
const fs = require('node:fs');
const swc = require('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const out = swc.transformSync(fs.readFileSync(filename, 'utf8'), { filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' });
  module._compile(out.code, filename);
};
require(${JSON.stringify(ts)});`;
  return { code, file: ts };
}

export class WorkerProcessorHost implements ProcessorHost {
  private worker!: Worker;
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; bytes: number }>();
  private queued = 0;
  private dead: Error | null = null;
  summary!: ProcessorHost['summary'];

  private constructor(private readonly setup: ProcessorSetup, private readonly log: (m: string) => void) {}

  static async start(setup: ProcessorSetup, log: (m: string) => void): Promise<WorkerProcessorHost> {
    const h = new WorkerProcessorHost(setup, log);
    await h.spawn();
    return h;
  }

  get queuedBytes(): number {
    return this.queued;
  }

  private spawn(): Promise<void> {
    const entry = workerEntry();
    const w = new Worker(entry.code, { eval: true, workerData: this.setup, stdout: false, stderr: false });
    this.worker = w;
    this.dead = null;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      w.on('message', (m: FromWorker) => {
        if (m.id === 0) {
          // a thread that could not load the ruleset is not restarted: start() fails with the reason
          if (!m.ok) { reject(m.ruleset ? new RulesetError(m.ruleset.file, m.ruleset.line, m.ruleset.element, m.ruleset.detail) : new Error(m.error)); return; }
          started = true;
          this.summary = m.value as ProcessorHost['summary'];
          resolve();
          return;
        }
        const c = this.calls.get(m.id);
        if (!c) return;
        this.calls.delete(m.id);
        this.queued -= c.bytes;
        if (m.ok) c.resolve(m.value); else c.reject(new Error(m.error));
      });
      const failed = (e: Error) => {
        if (this.worker !== w) return;
        this.dead = e;
        for (const c of this.calls.values()) c.reject(e);
        this.calls.clear();
        this.queued = 0;
        if (!started) { reject(e); return; }
        if (this.closing) return;
        // a bug of ours killed the engine: start a new one (correlation memory starts over)
        this.log(`warden: the processor thread failed (${e.message}); starting a new one`);
        this.spawn().catch((err: Error) => this.log(`warden: cannot restart the processor thread: ${err.message}`));
      };
      w.on('error', failed);
      w.on('exit', (code) => failed(new Error(`processor thread exited with code ${code}`)));
    });
  }

  private closing = false;

  private call<T>(msg: DistributiveOmit<ToWorker, 'id'>, transfer: ArrayBuffer[] = [], bytes = 0): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject, bytes });
      this.queued += bytes;
      this.worker.postMessage({ ...msg, id } as ToWorker, transfer);
    });
  }

  async process(req: RawRequest, ctx: RequestContext): Promise<HostResult> {
    const body = transferable(req.body);
    const r = await this.call<HostResult>({ op: 'process', req: { format: req.format, body }, ctx }, [body.buffer as ArrayBuffer], body.byteLength);
    if (r.kind === 'ok' && r.result.payload) r.result.payload = asBuffer(r.result.payload);
    return r;
  }

  async checkDisconnected(): Promise<{ payload: Buffer; levels: number[] } | null> {
    const r = await this.call<{ payload: Uint8Array; levels: number[] } | null>({ op: 'checkDisconnected' });
    return r ? { payload: asBuffer(r.payload), levels: r.levels } : null;
  }

  reload(): Promise<ReloadResult> { return this.call({ op: 'reload' }); }
  mergeFts(keys: string[]): Promise<number> { return this.call({ op: 'mergeFts', keys }); }
  ftsSize(): Promise<number> { return this.call({ op: 'ftsSize' }); }
  saveSeen(): Promise<void> { return this.call({ op: 'saveSeen' }); }
  rules(): Promise<ApiRule[]> { return this.call({ op: 'rules' }); }
  logtest(line: string, location: string): Promise<LogtestAnswer> { return this.call({ op: 'logtest', line, location }); }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.call({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}
