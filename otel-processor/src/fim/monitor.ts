/**
 * The file-integrity monitor: scheduled scans of the configured directories (bounded to
 * `max_files_per_second`), fs.watch for realtime directories, registry scans, the baseline, and
 * delivery of events through the sender. The first scan of a directory builds the baseline and
 * raises nothing (as OSSEC's syscheck); later scans and watches raise added/modified/deleted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline } from './baseline';
import type { DirectoryConfig, FimConfig } from './config';
import { unifiedDiff, isText } from './diff';
import { toRecord, type FimEvent } from './events';
import { diffRegistry, parseRegQuery, regExeRunner, registryStates, type RegRunner } from './registry';
import { Sender } from './sender';
import { changedAttributes, NameCache, readFileState } from './state';

export interface ScanStats {
  files: number;
  hashedBytes: number;
  events: number;
  ms: number;
}

export interface MonitorOptions {
  log?: (msg: string) => void;
  /** Replaces reg.exe (tests: recorded output). */
  regRunner?: RegRunner;
  /** Replaces the OTLP sender's delivery (never used by the CLI). */
  sender?: Sender;
  version?: string;
}

/** A token bucket over files: at most `rate` per second on average (0: unbounded). */
export class RateLimiter {
  private start = 0;
  private n = 0;
  constructor(private readonly rate: number) {}
  reset(): void { this.start = Date.now(); this.n = 0; }
  async take(): Promise<void> {
    if (this.rate <= 0) return;
    if (this.n === 0) this.start = Date.now();
    this.n++;
    const due = this.start + (this.n / this.rate) * 1000;
    const wait = due - Date.now();
    if (wait > 2) await new Promise((r) => setTimeout(r, wait));
  }
}

export class FimMonitor {
  readonly baseline: Baseline;
  readonly sender: Sender;
  private readonly names = new NameCache();
  private readonly log: (msg: string) => void;
  private readonly regRunner: RegRunner | null;
  private chain: Promise<unknown> = Promise.resolve();
  private watchers: fs.FSWatcher[] = [];
  private pendingPaths = new Map<string, DirectoryConfig>();
  private realtimeTimer: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  lastScan: ScanStats | null = null;

  constructor(readonly cfg: FimConfig, opts: MonitorOptions = {}) {
    this.log = opts.log ?? ((m) => process.stderr.write(`warden fim: ${m}\n`));
    this.baseline = new Baseline(cfg.stateDir);
    this.baseline.load();
    this.sender = opts.sender ?? new Sender(cfg.stateDir, {
      endpoint: cfg.endpoint, encoding: cfg.encoding, headers: cfg.headers, timeoutMs: cfg.timeoutMs,
      who: { hostName: cfg.hostName, agentId: cfg.agentId }, version: opts.version ?? '0', log: this.log,
    });
    this.regRunner = opts.regRunner ?? (cfg.regCommand ? regExeRunner(cfg.regCommand) : null);
    if (cfg.registry.length && !this.regRunner) this.log('windows_registry is configured but reg.exe is only available on Windows (set reg_command); registry monitoring is off');
  }

  /** True when `p` is ignored by `ignore` (the path or anything under it) or `ignore_regex`. */
  ignored(p: string): boolean {
    for (const i of this.cfg.ignore) if (p === i || p.startsWith(i.endsWith(path.sep) ? i : i + path.sep)) return true;
    for (const r of this.cfg.ignoreRegex) if (r.test(p)) return true;
    return false;
  }

  private registryIgnored(key: string): boolean {
    const k = key.toLowerCase();
    for (const i of this.cfg.registryIgnore) { const l = i.toLowerCase(); if (k === l || k.startsWith(`${l}\\`)) return true; }
    for (const r of this.cfg.registryIgnoreRegex) if (r.test(key)) return true;
    return false;
  }

  /** The directory entry that covers a path (the longest configured path above it). */
  dirFor(p: string): DirectoryConfig | null {
    let best: DirectoryConfig | null = null;
    for (const d of this.cfg.directories) {
      if (p === d.path || p.startsWith(d.path.endsWith(path.sep) ? d.path : d.path + path.sep)) {
        if (!d.recursive && p !== d.path && path.dirname(p) !== d.path) continue;
        if (!best || d.path.length > best.path.length) best = d;
      }
    }
    return best;
  }

  /** Runs `f` after whatever scan or check is running (one at a time over the baseline). */
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const next = this.chain.then(f, f);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Compares a file's state now with the baseline and updates it; returns the event, if any. */
  private async checkFile(p: string, dir: DirectoryConfig, mode: FimEvent['mode'], alert: boolean): Promise<{ ev: FimEvent | null; bytes: number }> {
    const before = this.baseline.files.get(p) ?? null;
    const r = await readFileState(p, this.names, dir.checks);
    const now = Date.now();
    if (r === 'unreadable') {
      // keep what the baseline knows; never report a file that cannot be read as deleted
      this.log(`cannot read ${p}; its baseline entry is kept until it can be read`);
      return { ev: null, bytes: 0 };
    }
    if (!r) {
      if (!before) return { ev: null, bytes: 0 };
      this.baseline.files.delete(p);
      if (dir.reportChanges) this.baseline.keepContent(p, null);
      return { ev: alert ? { event: 'deleted', path: p, mode, type: 'file', before, after: null, changed: [], time: now } : null, bytes: 0 };
    }
    const after = r.state;
    const keepable = dir.reportChanges && r.content !== null && r.content.length <= this.cfg.diffMaxBytes && isText(r.content);
    let ev: FimEvent | null = null;
    if (!before) {
      if (alert) ev = { event: 'added', path: p, mode, type: 'file', before: null, after, changed: [], time: now };
    } else {
      const changed = changedAttributes(before, after, dir.checks);
      if (changed.length && alert) {
        ev = { event: 'modified', path: p, mode, type: 'file', before, after, changed, time: now };
        if (keepable && before.sha256 !== after.sha256) {
          const old = this.baseline.content(p);
          if (old !== null) ev.diff = unifiedDiff(old.toString('utf8'), r.content!.toString('utf8'));
        }
      }
    }
    this.baseline.files.set(p, after);
    if (dir.reportChanges) this.baseline.keepContent(p, keepable ? r.content : null);
    return { ev, bytes: r.content?.length ?? after.size };
  }

  private async *walk(root: string, recursive: boolean): AsyncGenerator<string> {
    let st: fs.Stats;
    try { st = await fs.promises.lstat(root); } catch { return; }
    if (!st.isDirectory()) { yield root; return; }
    const stack = [root];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (e) {
        this.log(`cannot read ${dir}: ${(e as Error).message}`);
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (this.ignored(p)) continue;
        if (e.isDirectory()) { if (recursive) stack.push(p); } else yield p;
      }
    }
  }

  /** One full scan of every directory (and the registry). Returns what it did. */
  scan(): Promise<ScanStats> {
    return this.exclusive(() => this.scanNow());
  }

  private async scanNow(): Promise<ScanStats> {
    const t0 = Date.now();
    this.names.refresh(true);
    const alert = this.baseline.established;
    const limiter = new RateLimiter(this.cfg.maxFilesPerSecond);
    const events: FimEvent[] = [];
    const seen = new Set<string>();
    let files = 0;
    let bytes = 0;
    for (const dir of this.cfg.directories) {
      for await (const p of this.walk(dir.path, dir.recursive)) {
        if (this.stopped) break;
        if (this.dirFor(p) !== dir) continue; // a more specific entry covers it
        await limiter.take();
        seen.add(p);
        files++;
        const r = await this.checkFile(p, dir, 'scheduled', alert);
        bytes += r.bytes;
        if (r.ev) events.push(r.ev);
      }
    }
    if (!this.stopped) {
      for (const [p, before] of [...this.baseline.files]) {
        if (seen.has(p)) continue;
        const dir = this.dirFor(p);
        if (dir && !this.ignored(p)) {
          try { await fs.promises.lstat(p); continue; } catch { /* gone */ }
        }
        this.baseline.files.delete(p);
        if (dir?.reportChanges) this.baseline.keepContent(p, null);
        // a path no longer monitored (configuration changed) or ignored leaves silently
        if (dir && !this.ignored(p) && alert) events.push({ event: 'deleted', path: p, mode: 'scheduled', type: 'file', before, after: null, changed: [], time: Date.now() });
      }
    }
    events.push(...(await this.scanRegistry()));
    this.commit(events);
    // an interrupted first scan leaves the baseline unestablished: the next one builds it silently
    if (!this.stopped) this.baseline.established = true;
    this.baseline.save();
    const stats = { files, hashedBytes: bytes, events: events.length, ms: Date.now() - t0 };
    this.lastScan = stats;
    return stats;
  }

  private async scanRegistry(): Promise<FimEvent[]> {
    if (!this.regRunner || this.cfg.registry.length === 0) return [];
    const keys = [];
    for (const r of this.cfg.registry) {
      try {
        keys.push(...parseRegQuery(await this.regRunner(r.key)));
      } catch (e) {
        this.log(`registry: ${(e as Error).message}; keeping the previous state of ${r.key}`);
        return [];
      }
    }
    const now = registryStates(keys, this.cfg.registry, (k) => this.registryIgnored(k));
    const events = this.baseline.registryEstablished ? diffRegistry(this.baseline.registry, now, Date.now()) : [];
    this.baseline.registry = now;
    this.baseline.registryEstablished = true;
    return events;
  }

  /** Events go to the durable outbox before the baseline that no longer shows them is saved. */
  private commit(events: FimEvent[]): void {
    if (events.length) this.sender.enqueue(events.map((e) => toRecord(e, this.cfg.hostName)));
  }

  /** Checks paths reported by the file watches. */
  checkPaths(paths: Array<[string, DirectoryConfig]>): Promise<FimEvent[]> {
    return this.exclusive(async () => {
      const events: FimEvent[] = [];
      if (!this.baseline.established) return events;
      for (const [p, dir] of paths) {
        if (this.ignored(p)) continue;
        let st: fs.Stats | null = null;
        try { st = await fs.promises.lstat(p); } catch { st = null; }
        if (st?.isDirectory()) {
          // a directory appeared or moved in: everything under it is new
          for await (const f of this.walk(p, dir.recursive)) {
            const d = this.dirFor(f);
            if (!d) continue;
            const r = await this.checkFile(f, d, 'realtime', true);
            if (r.ev) events.push(r.ev);
          }
          continue;
        }
        if (!st) {
          // gone: the file, or a directory with everything under it
          const prefix = p + path.sep;
          for (const [q, before] of [...this.baseline.files]) {
            if (q !== p && !q.startsWith(prefix)) continue;
            this.baseline.files.delete(q);
            if (dir.reportChanges) this.baseline.keepContent(q, null);
            events.push({ event: 'deleted', path: q, mode: 'realtime', type: 'file', before, after: null, changed: [], time: Date.now() });
          }
          continue;
        }
        const r = await this.checkFile(p, dir, 'realtime', true);
        if (r.ev) events.push(r.ev);
      }
      this.commit(events);
      this.baseline.save();
      return events;
    });
  }

  private startWatches(): void {
    for (const dir of this.cfg.directories) {
      if (!dir.realtime) continue;
      try {
        const w = fs.watch(dir.path, { recursive: dir.recursive, persistent: true }, (_type, name) => {
          if (this.stopped) return;
          const p = name ? path.join(dir.path, name.toString()) : dir.path;
          const d = this.dirFor(p) ?? dir;
          this.pendingPaths.set(p, d);
          if (!this.realtimeTimer) {
            this.realtimeTimer = setTimeout(() => {
              this.realtimeTimer = null;
              const batch = [...this.pendingPaths];
              this.pendingPaths.clear();
              this.checkPaths(batch).catch((e: Error) => this.log(`realtime check failed: ${e.message}`));
            }, this.cfg.realtimeDelayMs);
          }
        });
        w.on('error', (e) => this.log(`watch on ${dir.path} failed: ${e.message}; the scheduled scans still cover it`));
        this.watchers.push(w);
      } catch (e) {
        this.log(`cannot watch ${dir.path}: ${(e as Error).message}; the scheduled scans still cover it`);
      }
    }
  }

  /** Starts watches, the first scan (if scan_on_start) and the schedule. */
  async start(): Promise<void> {
    this.sender.kick();
    this.startWatches();
    const loop = async () => {
      if (this.stopped) return;
      try {
        const s = await this.scan();
        this.log(`scan: ${s.files} files in ${(s.ms / 1000).toFixed(1)}s, ${s.events} events`);
      } catch (e) {
        this.log(`scan failed: ${(e as Error).message}`);
      }
      if (!this.stopped) this.scheduleTimer = setTimeout(() => { void loop(); }, this.cfg.frequencySec * 1000);
    };
    if (this.cfg.scanOnStart || !this.baseline.established) await loop();
    else this.scheduleTimer = setTimeout(() => { void loop(); }, this.cfg.frequencySec * 1000);
  }

  async stop(drainMs = 5000): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.realtimeTimer) clearTimeout(this.realtimeTimer);
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    await this.chain;
    await this.sender.drain(drainMs);
    await this.sender.stop();
  }
}
