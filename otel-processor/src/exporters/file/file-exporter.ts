/**
 * The embedded default sink: alerts as JSON lines in `alerts.json` (the Elasticsearch alert
 * documents, with their id) and in OSSEC's text form in `alerts.log`; agents and hourly stats
 * as JSON snapshots (`agents.json`, and `stats.json` for each agent's open hours) beside them.
 * An hour leaving the open hours is appended to `stats.jsonl` whole, and counts arriving later
 * for it go there as lines of their own: readers add the lines of an hour and agent up (as they
 * add up Elasticsearch's), and only the open hours stay in memory. Reads the spool in order; the
 * files are fsynced before the spool position is acknowledged, and the acknowledged file sizes
 * are kept with it, so after a crash a half-written tail is cut and rewritten: no duplicates.
 * `syscheck.json` holds the latest state of each file per agent (the `warden-syscheck`
 * documents, with their id), rewritten whole when a file-integrity alert changes it.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { formatAlertsLog } from '../../alert/alerts-log';
import { mayHaveSyscheck } from '../../alert/alert';
import { syscheckStateOf } from '../../alert/documents';
import { Aggregator, STATS_OPEN_HOURS, type AggregateSnapshot } from '../../spool/aggregate';
import type { StatsDoc } from '../../alert/documents';
import type { SpoolConsumer } from '../../spool/spool';
import type { Exporter } from '../exporter';
import { ExporterHealth, type ExporterStatus } from '../health';

interface FileState { jsonBytes: number; logBytes: number; statsBytes?: number; agg: AggregateSnapshot | null }

export interface FileExporterOptions {
  dir: string;
  instance: string;
  registeredAgents: Array<{ id: string; name: string }>;
}

export class FileExporter implements Exporter {
  readonly name = 'file';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private jsonFd = -1;
  private logFd = -1;
  private statsFd = -1;
  private jsonBytes = 0;
  private logBytes = 0;
  private statsBytes = 0;
  private agg!: Aggregator;
  readonly health: ExporterHealth;
  private lastState: FileState | null = null;
  /** syscheck.json: latest state per sha1(agent.id, path), in the order of their last change. */
  private syscheck = new Map<string, Record<string, unknown>>();

  constructor(private readonly consumer: SpoolConsumer, private readonly opts: FileExporterOptions) {
    this.health = new ExporterHealth(this.name, () => this.consumer.lag);
  }

  get status(): ExporterStatus {
    return this.health.status;
  }

  async start(): Promise<void> {
    await fsp.mkdir(this.opts.dir, { recursive: true });
    const st = (this.consumer.state ?? null) as FileState | null;
    const jsonFile = path.join(this.opts.dir, 'alerts.json');
    const logFile = path.join(this.opts.dir, 'alerts.log');
    this.jsonFd = fs.openSync(jsonFile, 'a+');
    this.logFd = fs.openSync(logFile, 'a+');
    this.statsFd = fs.openSync(path.join(this.opts.dir, 'stats.jsonl'), 'a+');
    this.jsonBytes = fs.fstatSync(this.jsonFd).size;
    this.logBytes = fs.fstatSync(this.logFd).size;
    this.statsBytes = fs.fstatSync(this.statsFd).size;
    if (st) {
      // cut what was written after the last acknowledged position: it is about to be written again
      if (this.jsonBytes > st.jsonBytes) { fs.ftruncateSync(this.jsonFd, st.jsonBytes); this.jsonBytes = st.jsonBytes; }
      if (this.logBytes > st.logBytes) { fs.ftruncateSync(this.logFd, st.logBytes); this.logBytes = st.logBytes; }
      const statsBytes = st.statsBytes ?? 0;
      if (this.statsBytes > statsBytes) { fs.ftruncateSync(this.statsFd, statsBytes); this.statsBytes = statsBytes; }
    }
    this.syscheck = readSyscheck(path.join(this.opts.dir, 'syscheck.json'));
    this.lastState = st ? { jsonBytes: this.jsonBytes, logBytes: this.logBytes, statsBytes: this.statsBytes, agg: st.agg } : null;
    this.agg = this.aggregator(st?.agg ?? null);
    for (const a of this.opts.registeredAgents) this.agg.register(a.id, a.name);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const batches = await this.consumer.next(4 << 20);
      if (batches.length === 0) continue;
      try {
        // alerts.json: the spooled document bytes as they are, with the id put in front
        const json: Buffer[] = [];
        const log: string[] = [];
        let jsonLen = 0;
        let logOff = this.logBytes;
        let syscheckChanged = false;
        for (const b of batches) {
          for (let i = 0; i < b.alertCount; i++) {
            const id = b.alertId(i);
            const doc = b.docs[i];
            if (mayHaveSyscheck(doc)) {
              const sc = syscheckStateOf(b.doc(i));
              if (sc) { this.syscheck.delete(sc.id); this.syscheck.set(sc.id, sc.doc); syscheckChanged = true; }
            }
            const head = Buffer.from(`{"id":${JSON.stringify(id)}${doc.length > 2 ? ',' : ''}`);
            const rest = doc.subarray(1);
            json.push(head, rest, NL);
            jsonLen += head.length + rest.length + 1;
            const text = formatAlertsLog(b.doc(i), logOff);
            logOff += Buffer.byteLength(text);
            log.push(text);
          }
          this.agg.fold(b);
        }
        const dirty = this.agg.takeDirty();
        // the open hours' rows go to stats.json whole; rows that left them, and late counts, to stats.jsonl
        const snapshot = this.agg.snapshot();
        const closed: StatsDoc[] = [...this.agg.takeClosed(), ...dirty.late.map((l) => l.doc)];
        if (closed.length) {
          const sb = Buffer.from(closed.map((d) => `${JSON.stringify(d)}\n`).join(''));
          await writeAll(this.statsFd, sb);
          await datasync(this.statsFd);
          this.statsBytes += sb.length;
        }
        if (json.length) {
          const jb = Buffer.concat(json, jsonLen);
          const lb = Buffer.from(log.join(''));
          // off the event loop: the receivers keep answering while the disk works
          await Promise.all([writeAll(this.jsonFd, jb).then(() => datasync(this.jsonFd)), writeAll(this.logFd, lb).then(() => datasync(this.logFd))]);
          this.jsonBytes += jb.length;
          this.logBytes += lb.length;
        }
        if (dirty.agents.length || dirty.stats.length || closed.length) await this.writeSnapshots();
        // replaying a batch after a crash sets the same states again: no need to keep this with the position
        if (syscheckChanged) await writeJson(path.join(this.opts.dir, 'syscheck.json'), [...this.syscheck].map(([id, d]) => ({ id, ...d })));
        const last = batches[batches.length - 1].seq;
        const state: FileState = { jsonBytes: this.jsonBytes, logBytes: this.logBytes, statsBytes: this.statsBytes, agg: snapshot };
        await this.consumer.ack(last, state);
        this.lastState = JSON.parse(JSON.stringify(state)) as FileState;
        this.health.ok();
      } catch (e) {
        this.health.failed((e as Error).message);
        // undo what this round did: cut the files back, restore the counts, read the batches again
        const st = this.lastState;
        try {
          this.jsonBytes = st ? st.jsonBytes : this.jsonBytes;
          this.logBytes = st ? st.logBytes : this.logBytes;
          this.statsBytes = st ? (st.statsBytes ?? 0) : this.statsBytes;
          fs.ftruncateSync(this.jsonFd, this.jsonBytes);
          fs.ftruncateSync(this.logFd, this.logBytes);
          fs.ftruncateSync(this.statsFd, this.statsBytes);
        } catch { /* the next round fails the same way and retries */ }
        this.agg = this.aggregator(st?.agg ?? null);
        this.consumer.rewind();
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Each agent's last STATS_OPEN_HOURS hours held (the all-agents rows 48), as the Elasticsearch exporter holds them. */
  private aggregator(snapshot: AggregateSnapshot | null): Aggregator {
    return new Aggregator(this.opts.instance, snapshot, 48, STATS_OPEN_HOURS, true);
  }

  /** Agents and hourly stats entries held (for /metrics). */
  get heldState(): { agents: number; stats: number } {
    return this.agg ? { agents: this.agg.sizes.agents, stats: this.agg.sizes.stats } : { agents: 0, stats: 0 };
  }

  private async writeSnapshots(): Promise<void> {
    await writeJson(path.join(this.opts.dir, 'agents.json'), this.agg.allAgents());
    await writeJson(path.join(this.opts.dir, 'stats.json'), this.agg.allStats());
  }

  async stop(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (this.consumer.lag > 0 && Date.now() < deadline && this.health.status.state === 'ok') await new Promise((r) => setTimeout(r, 20));
    this.stopping = true;
    this.consumer.cancel();
    await this.loop?.catch(() => undefined);
    if (this.jsonFd >= 0) fs.closeSync(this.jsonFd);
    if (this.logFd >= 0) fs.closeSync(this.logFd);
    if (this.statsFd >= 0) fs.closeSync(this.statsFd);
    this.jsonFd = this.logFd = this.statsFd = -1;
  }
}

const NL = Buffer.from('\n');

async function writeJson(file: string, data: unknown): Promise<void> {
  await fsp.writeFile(`${file}.tmp`, JSON.stringify(data, null, 1));
  await fsp.rename(`${file}.tmp`, file);
}

/** syscheck.json as last written (missing or unreadable: empty, rebuilt from what comes next). */
function readSyscheck(file: string): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>();
  try {
    const list = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Record<string, unknown> & { id: string }>;
    for (const { id, ...doc } of list) if (typeof id === 'string') m.set(id, doc);
  } catch { /* first start */ }
  return m;
}

async function writeAll(fd: number, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    off += await new Promise<number>((resolve, reject) => fs.write(fd, buf, off, buf.length - off, null, (e, n) => (e ? reject(e) : resolve(n))));
  }
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
}
