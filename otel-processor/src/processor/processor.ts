/**
 * The processor: runs the engine over mapped records (one engine per process; correlation
 * state per agent lives in the engine) and turns what it decided into one spool batch per
 * request: alert documents, new first-time-seen keys, agent sightings and hourly counts.
 * Also raises OSSEC's "agent disconnected" alert when an agent falls silent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine, LogEvent, type Verdict } from '../engine/engine';
import type { CorrelationState } from '../engine/correlate/state';
import type { LoadedRuleset } from '../loader/ruleset-loader';
import type { InResource } from '../receiver/otlp/decode';
import { mapRecord, resolveAgent, type MappingOptions, type RequestContext } from '../receiver/otlp/mapping';
import { alertDocId, alertIndex, alertJson, buildAlert, type AlertDoc, type AlertRecord } from '../alert/alert';
import { toFtsDoc } from '../alert/documents';
import { BatchWriter, encodeBody, type AgentDelta, type StatsDelta } from './batch';
import type { WardenFtsStore } from './fts-store';
import { CrawlerResolver } from '../enrich/crawler-dns';

export interface ProcessorOptions {
  indexPrefix: string;
  mapping: MappingOptions;
  correlationScope: 'agent' | 'global';
  /** Correlation clock: the record's time (`event`, default) or the time Warden receives it (`processing`, as OSSEC). */
  clock?: 'event' | 'processing';
  /** Correlation memory budget for all agents (MiB); default the engine's (256), 0: none. */
  memoryBudgetMb?: number;
  /** First-time-seen keys kept in memory (least recently seen dropped first); default FTS_MAX_KEYS_DEFAULT. */
  ftsMaxKeys?: number;
  /** Answer is_valid_crawler from reverse DNS (never blocking); off: nothing is a crawler. */
  resolveCrawlers?: boolean;
  /** Overrides the ruleset's log alert level when set. */
  logAlertLevel: number | null;
  /** Seconds of silence after which an agent counts as disconnected (0: never). */
  disconnectAfterSec: number;
  stateDir: string;
}

export interface CorrelationStats { events: number; bytes: number; agents: number; evictions: number }

/** The processor's own per-agent and per-key state (for /metrics). */
export interface ProcessorTables { agentsTracked: number; ftsKeys: number; ftsEvictions: number }

export interface ProcessResult {
  /** The spool payload (see batch.ts), or null when the request produced nothing to keep. */
  payload: Buffer | null;
  accepted: number;
  rejected: number;
  /** The first rejection's reason, for the partial_success message. */
  firstError: string | null;
  /** Alerts raised, by level 0..16 (for the metrics). */
  levels: number[];
  /** Internal errors counted since start (see {@link Processor.errors}). */
  errors: { engine: number; records: number };
  /** Correlation memory now (see {@link Processor.correlation}). */
  correlation?: CorrelationStats;
  /** Agents table and first-time-seen keys now (see {@link Processor.tables}). */
  tables?: ProcessorTables;
  /** Records of this request the engine could not analyse (internal errors), and the last such error. */
  engineErrors: number;
  lastEngineError: string | null;
}

const HOUR = 3600_000;

interface Seen { name: string; last: number; alerted: boolean }

export class Processor {
  private engine: Engine;
  private loaded: LoadedRuleset;
  private readonly seen = new Map<string, Seen>();
  private seenDirty = false;
  private readonly seenFile: string;

  private readonly crawlers: CrawlerResolver | null;

  constructor(loaded: LoadedRuleset, private readonly fts: WardenFtsStore, private readonly opts: ProcessorOptions) {
    this.loaded = loaded;
    this.crawlers = opts.resolveCrawlers ? new CrawlerResolver() : null;
    this.engine = this.newEngine(loaded);
    this.seenFile = path.join(opts.stateDir, 'agents-seen.json');
    try {
      const data = JSON.parse(fs.readFileSync(this.seenFile, 'utf8')) as Record<string, Seen>;
      // agents already announced as disconnected have nothing left to raise (files from older versions keep them)
      if (this.tracksAgents) for (const [id, s] of Object.entries(data)) if (!s.alerted) this.seen.set(id, s);
    } catch { /* first start */ }
  }

  /** `state`: the correlation memory to continue from (a reload keeps windows and fired counts). */
  private newEngine(loaded: LoadedRuleset, state?: CorrelationState): Engine {
    return new Engine(loaded.ruleset, {
      logAlertLevel: this.opts.logAlertLevel ?? loaded.logAlertLevel,
      correlationScope: this.opts.correlationScope,
      fts: this.fts,
      isCrawler: this.crawlers?.isCrawler,
      state,
      memoryBudgetBytes: this.opts.memoryBudgetMb !== undefined ? this.opts.memoryBudgetMb * 1024 * 1024 : undefined,
    });
  }

  get ruleset(): LoadedRuleset {
    return this.loaded;
  }

  /** Swaps in a new ruleset (already loaded and compiled: a broken one never gets here). */
  replaceRuleset(loaded: LoadedRuleset): void {
    this.loaded = loaded;
    this.engineErrorsBefore += this.engine.errors;
    this.engine = this.newEngine(loaded, this.engine.state);
  }

  /** Runs one request's records. Synchronous: the engine is. */
  process(resources: InResource[], ctx: RequestContext, now = Date.now()): ProcessResult {
    const out = new BatchWriter();
    const agents = new Map<string, AgentDelta>();
    const stats = new Map<string, StatsDelta>();
    const levels = new Array<number>(17).fill(0);
    let accepted = 0;
    let rejected = 0;
    let firstError: string | null = null;
    const version = ctx.userAgent;
    const receivedAt = new Date(now).toISOString();
    const engineErrors = this.engine.errors;
    const processingClock = this.opts.clock === 'processing';
    for (const res of resources) {
      const agent = resolveAgent(res, ctx);
      let ad = agents.get(agent.id);
      if (!ad) agents.set(agent.id, (ad = { id: agent.id, name: agent.name, ips: [], version, at: now, events: 0, alerts: 0 }));
      for (const ip of agent.ips) if (!ad.ips.includes(ip)) ad.ips.push(ip);
      const agentIp = agent.ips[0] ?? null;
      let sd: StatsDelta | undefined;
      for (const rec of res.records) {
        const m = mapRecord(rec, agent, this.opts.mapping, now);
        if (!m.ok) {
          rejected++;
          firstError ??= `${m.reason} (record ${rec.position})`;
          continue;
        }
        const ev = m.event;
        const time = ev.time;
        if (processingClock) ev.time = now;
        let v: Verdict;
        let doc: string | null = null;
        let docId = '';
        let index = '';
        try {
          v = this.engine.process(ev);
          if (v.alert) {
            doc = alertJson(ev, v, receivedAt, agentIp);
            const uid = rec.attributes?.['log.record.uid'] ?? rec.attributes?.['log.file.record_number'];
            docId = alertDocId(agent.id, ev.location, time, uid !== undefined && uid !== null ? `uid:${String(uid)}` : rec.position, ev.fullLog);
            index = this.indexOf(time);
          }
        } catch (e) {
          // a record we cannot turn into an alert is refused alone, never its whole request
          this.failedRecords++;
          this.lastFailure = (e as Error).message;
          rejected++;
          firstError ??= `record ${rec.position} could not be processed`;
          continue;
        }
        accepted++;
        ad.events++;
        const hour = time - (time % HOUR);
        if (!sd || sd.hour !== hour) {
          const sk = `${hour}|${agent.id}`;
          sd = stats.get(sk);
          if (!sd) stats.set(sk, (sd = { hour, agent: agent.id, name: agent.name, events: 0, alerts: 0, levels: new Array(17).fill(0), firewall: 0 }));
        }
        sd.events++;
        if (ev.category === 'firewall') sd.firewall++;
        if (doc !== null) {
          const rule = v.rule!;
          out.addAlert(docId, index, doc);
          ad.alerts++;
          sd.alerts++;
          const level = Math.max(0, Math.min(16, rule.level));
          sd.levels[level]++;
          levels[level]++;
        }
      }
      this.touch(agent.id, agent.name, now);
    }
    const fts = this.fts.drain().map((k) => toFtsDoc(k.key, k.comment, k.at, k.decoder));
    this.fts.flush(); // one append for the request's new keys, before its batch reaches the spool
    const payload = out.finish(now, fts, [...agents.values()], [...stats.values()]);
    const engineErrorsNow = this.engine.errors - engineErrors;
    const lastEngineError = engineErrorsNow > 0 ? String(this.engine.lastError?.stack ?? this.engine.lastError) : null;
    return { payload, accepted, rejected, firstError, levels, errors: this.errors, engineErrors: engineErrorsNow, lastEngineError, correlation: this.correlation, tables: this.tables };
  }

  /** Records that failed inside Warden (refused alone), counted since start. */
  private failedRecords = 0;
  /** The last such failure, for the log (never sent to clients). */
  lastFailure: string | null = null;
  /** Engine errors of engines replaced by a reload, so the total never goes back. */
  private engineErrorsBefore = 0;

  /** Correlation memory: events held, their estimated bytes, agents holding some, evictions so far. */
  get correlation(): CorrelationStats {
    const s = this.engine.state;
    return { events: s.eventsRemembered, bytes: s.bytesRemembered, agents: s.agentsWithState, evictions: s.evictions };
  }

  get tables(): ProcessorTables {
    return { agentsTracked: this.seen.size, ftsKeys: this.fts.size, ftsEvictions: this.fts.evictions };
  }

  /** Internal errors so far: events the engine could not analyse, records the processor could not turn into alerts. */
  get errors(): { engine: number; records: number } {
    return { engine: this.engineErrorsBefore + this.engine.errors, records: this.failedRecords };
  }

  private dayStart = 0;
  private dayIndex = '';

  /** The alerts index of a record time (the day's name is computed once per day). */
  private indexOf(time: number): string {
    if (time >= this.dayStart && time < this.dayStart + 86400_000) return this.dayIndex;
    const start = time - (((time % 86400_000) + 86400_000) % 86400_000);
    this.dayStart = start;
    this.dayIndex = alertIndex(this.opts.indexPrefix, start);
    return this.dayIndex;
  }

  private alertRecord(ev: LogEvent, v: Verdict, id: string, now: number, agentIp: string | null): AlertRecord {
    return { id, index: alertIndex(this.opts.indexPrefix, ev.time), doc: buildAlert(ev, v, new Date(now).toISOString(), agentIp) };
  }

  /**
   * The agents table exists only to raise "agent disconnected" once per silence (as OSSEC's
   * monitord does): it is kept while that is on, and an agent leaves it once announced (a new
   * record puts it back), so it holds the agents heard from since their last announcement.
   */
  private get tracksAgents(): boolean {
    return this.opts.disconnectAfterSec > 0;
  }

  private touch(id: string, name: string, now: number): void {
    if (!this.tracksAgents) return;
    const s = this.seen.get(id);
    if (s) { s.last = now; s.name = name; s.alerted = false; } else this.seen.set(id, { name, last: now, alerted: false });
    this.seenDirty = true;
  }

  /**
   * Agents silent for longer than the setting: one batch with OSSEC's "agent disconnected"
   * alert for each (run through the engine as OSSEC's monitor does; rule 504 when the ruleset
   * has no rule for it). Null when nothing is due.
   */
  checkDisconnected(now = Date.now()): { payload: Buffer; levels: number[] } | null {
    const after = this.opts.disconnectAfterSec * 1000;
    if (after <= 0) return null;
    const alerts: AlertRecord[] = [];
    for (const [id, s] of this.seen) {
      if (s.alerted || now - s.last < after) continue;
      // announced: released (deleting the entry being visited is safe in a Map iteration)
      this.seen.delete(id);
      this.seenDirty = true;
      const ev = new LogEvent(`ossec: Agent disconnected: '${s.name}'.`, 'ossec-monitord', s.name, now);
      ev.agentId = id;
      ev.agentName = s.name;
      const docId = alertDocId(id, 'ossec-monitord', s.last, 'disconnected', ev.fullLog);
      const v = this.engine.process(ev);
      if (v.alert) alerts.push(this.alertRecord(ev, v, docId, now, null));
      else if (v.rule === null) {
        const at = new Date(now).toISOString();
        const doc: AlertDoc = {
          '@timestamp': at,
          received_at: at,
          rule: { id: '504', level: 3, description: 'Ossec agent disconnected.', groups: ['ossec'], firedtimes: 1, mail: true },
          agent: { id, name: s.name },
          location: 'ossec-monitord',
          data: {},
          full_log: ev.fullLog,
        };
        alerts.push({ id: docId, index: alertIndex(this.opts.indexPrefix, now), doc });
      }
    }
    if (alerts.length === 0) return null;
    const stats: StatsDelta[] = [];
    const all = new Array<number>(17).fill(0);
    for (const a of alerts) {
      const hour = now - (now % HOUR);
      const levels = new Array(17).fill(0);
      const level = Math.max(0, Math.min(16, a.doc.rule.level));
      levels[level]++;
      all[level]++;
      stats.push({ hour, agent: a.doc.agent.id, name: a.doc.agent.name, events: 0, alerts: 1, levels, firewall: 0 });
    }
    return { payload: encodeBody({ at: now, alerts, fts: [], agents: [], stats })!, levels: all };
  }

  /** Writes when agents were last heard from (for disconnect detection across restarts). */
  saveSeen(): void {
    if (!this.seenDirty) return;
    this.seenDirty = false;
    const tmp = `${this.seenFile}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.seen)));
      fs.renameSync(tmp, this.seenFile);
    } catch (e) {
      process.emitWarning(`warden: cannot write ${this.seenFile}: ${(e as Error).message}`);
    }
  }
}
