/**
 * The spool: an append-only local log of batches, fsynced before an append is acknowledged,
 * from which each exporter reads at its own pace, acknowledging what its sink accepted.
 * Segments every consumer has acknowledged are deleted. On open, the segments are replayed
 * and consumers resume after the position they acknowledged last.
 *
 * Frame: [u32 payload length][u32 crc32 of payload][f64 seq][payload: the batch, see processor/batch.ts].
 * Appends arriving while an fsync runs are written and fsynced together (group commit).
 *
 * Every frame names its own sequence number, so replay trusts the frames, not the file names:
 * a segment is named after the first batch written into it (for ordering and for humans), but
 * what it holds is whatever whole, checksummed frames it contains, in increasing order. Only
 * the newest segment is ever written to, so only it can end in a torn frame (cut off on open);
 * unreadable bytes anywhere else are skipped, reported and left in place, never truncated.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SpoolBatch } from '../processor/batch';

const HEADER = 16;
const SEG_RE = /^(\d{16})\.seg$/;
/** A frame longer than this is not one (batches are bounded by the request size limit). */
const MAX_FRAME = 1 << 30;

export interface SpoolOptions {
  dir: string;
  /** Above this many bytes on disk, {@link Spool.full} is true and new requests are refused. */
  maxBytes: number;
  /** Segment size at which a new segment is started. */
  segmentBytes: number;
  /** Recent batches kept parsed in memory, so consumers rarely read them back from disk. */
  memoryBytes: number;
  /** Where replay reports what it found (torn tails cut, unreadable bytes skipped). */
  warn?: (msg: string) => void;
  /** Fault injection for tests: see {@link SpoolFaults}. */
  faults?: SpoolFaults;
}

/**
 * Faults the tests inject into the spool's file writes (a full disk, a failing fsync), since a
 * real disk cannot be made to fail on cue.
 */
export interface SpoolFaults {
  /** Bytes of a `bytes`-long write that fit before the disk is full (>= bytes: no fault). */
  writeRoom?(file: string, bytes: number): number;
  /** An error for this fsync, or null. */
  sync?(file: string): Error | null;
}

interface Segment {
  file: string;
  /** Bytes of whole frames (the active segment: where the next frame goes). */
  size: number;
  /** Sequence numbers of the first and last whole frames in it (0 when it has none). */
  firstSeq: number;
  lastSeq: number;
  fh: fsp.FileHandle | null;
}

interface Entry {
  seg: Segment;
  off: number;
  len: number;
}

export class SpoolError extends Error {}

/** What {@link Spool.read} found: the batches, and the last sequence number it looked at. */
export interface ReadResult { batches: SpoolBatch[]; through: number }

export class Spool {
  private segments: Segment[] = [];
  /** Where each batch on disk is. Keys increase; holes only where replay found unreadable bytes. */
  private entries = new Map<number, Entry>();
  /** Lowest sequence number kept. */
  private base = 1;
  private nextSeq = 1;
  private durableSeq = 0;
  private active!: Segment;
  private activeFh!: fsp.FileHandle;
  private pending: Array<{ head: Buffer; payload: Buffer; seq: number; resolve: (seq: number) => void; reject: (e: Error) => void }> = [];
  private flushing = false;
  private readonly cache = new Map<number, { payload: Buffer; batch: SpoolBatch | null; bytes: number }>();
  private cacheBytes = 0;
  private readonly consumers = new Map<string, SpoolConsumer>();
  private readonly waiters = new Set<() => void>();
  private closed = false;
  /** A failed fsync: what reached the disk is unknown, so nothing more is written until a restart replays. */
  private failure: Error | null = null;
  /** The last write failed (e.g. disk full) and was undone; the next append tries again. */
  private writeFailure: Error | null = null;
  private gcRunning = false;
  private readonly warn: (msg: string) => void;
  /** What replay found, for the start-up log. */
  readonly replayed = { batches: 0, cutBytes: 0, skippedBytes: 0 };

  private constructor(readonly opts: SpoolOptions) {
    this.warn = opts.warn ?? ((m) => process.emitWarning(`warden spool: ${m}`));
  }

  static async open(opts: SpoolOptions): Promise<Spool> {
    const s = new Spool(opts);
    await s.replay();
    return s;
  }

  /** Bytes on disk. */
  get bytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    for (const p of this.pending) n += HEADER + p.payload.length;
    return n;
  }

  get full(): boolean {
    return this.bytes >= this.opts.maxBytes;
  }

  /** Batches written and not yet acknowledged by every consumer. */
  get depth(): number {
    return this.durableSeq - this.minAcked();
  }

  get lastSeq(): number {
    return this.durableSeq;
  }

  /** Set while the spool cannot write (the service answers 503): a failed fsync (until restart) or the last write failing. */
  get error(): Error | null {
    return this.failure ?? this.writeFailure;
  }

  /** A failed fsync: the spool writes nothing more until a restart. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Segment files in order (for tests and diagnostics). */
  get segmentFiles(): string[] {
    return this.segments.map((s) => path.basename(s.file));
  }

  private async replay(): Promise<void> {
    const dir = this.opts.dir;
    await fsp.mkdir(dir, { recursive: true });
    const names = (await fsp.readdir(dir)).filter((n) => SEG_RE.test(n)).sort();
    let last = 0;
    for (let i = 0; i < names.length; i++) {
      const file = path.join(dir, names[i]);
      const buf = await fsp.readFile(file);
      const seg: Segment = { file, size: buf.length, firstSeq: 0, lastSeq: 0, fh: null };
      let off = 0;
      while (off < buf.length) {
        let len = frameAt(buf, off, last);
        if (len < 0) {
          // unreadable bytes: look for the next whole frame after them
          const next = findFrame(buf, off + 1, last);
          if (next < 0) break;
          this.warn(`${names[i]}: ${next - off} unreadable byte(s) at offset ${off} skipped`);
          this.replayed.skippedBytes += next - off;
          off = next;
          len = frameAt(buf, off, last);
        }
        const seq = buf.readDoubleLE(off + 8);
        if (last > 0 && seq !== last + 1) this.warn(`${names[i]}: batches ${last + 1}..${seq - 1} are missing (unreadable)`);
        this.entries.set(seq, { seg, off: off + HEADER, len });
        if (seg.firstSeq === 0) seg.firstSeq = seq;
        seg.lastSeq = seq;
        last = seq;
        off += HEADER + len;
        this.replayed.batches++;
      }
      if (off < buf.length) {
        if (i === names.length - 1) {
          // the newest segment: a write the crash interrupted (never acknowledged: fsync comes before the answer)
          this.warn(`${names[i]}: ${buf.length - off} trailing byte(s) that are not a whole batch (an interrupted write); cut off`);
          this.replayed.cutBytes += buf.length - off;
          await fsp.truncate(file, off);
          seg.size = off;
        } else {
          this.warn(`${names[i]}: ${buf.length - off} unreadable trailing byte(s) skipped (left in the file)`);
          this.replayed.skippedBytes += buf.length - off;
        }
      }
      this.segments.push(seg);
    }
    this.nextSeq = last + 1;
    // cursors may be ahead of an emptied spool directory: never reuse their numbers
    for (const n of await fsp.readdir(dir)) {
      const m = /^cursor-(.+)\.json$/.exec(n);
      if (!m) continue;
      try {
        const c = JSON.parse(await fsp.readFile(path.join(dir, n), 'utf8')) as { seq?: number };
        if (typeof c.seq === 'number' && c.seq >= this.nextSeq) this.nextSeq = c.seq + 1;
      } catch { /* unreadable cursor: the consumer starts at the beginning */ }
    }
    this.durableSeq = this.nextSeq - 1;
    this.base = this.entries.size ? this.entries.keys().next().value! : this.nextSeq;
    const tail = this.segments[this.segments.length - 1];
    if (tail && tail.size < this.opts.segmentBytes && (tail.lastSeq === 0 || tail.lastSeq === this.durableSeq)) {
      this.active = tail;
      this.activeFh = await fsp.open(tail.file, 'a');
    } else {
      await this.newSegment(this.nextSeq);
    }
  }

  /** Starts a segment for batches from `firstSeq` on, named after it (and after every existing name). */
  private async newSegment(firstSeq: number): Promise<void> {
    let name = firstSeq;
    const tail = this.segments[this.segments.length - 1];
    if (tail) name = Math.max(name, Number(SEG_RE.exec(path.basename(tail.file))![1]) + 1);
    const file = path.join(this.opts.dir, `${String(name).padStart(16, '0')}.seg`);
    const fh = await fsp.open(file, 'a');
    await fh.sync();
    await syncDir(this.opts.dir);
    const seg: Segment = { file, size: 0, firstSeq: 0, lastSeq: 0, fh: null };
    if (this.activeFh) await this.activeFh.close();
    this.segments.push(seg);
    this.active = seg;
    this.activeFh = fh;
  }

  /** Appends a batch payload (see batch.ts); resolves with its sequence number once it is on disk (fsynced). */
  append(payload: Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new SpoolError('spool is closed'));
    if (this.failure) return Promise.reject(new SpoolError(`spool cannot write: ${this.failure.message}`));
    if (payload.length > MAX_FRAME) return Promise.reject(new SpoolError(`batch of ${payload.length} bytes is over the spool's limit of ${MAX_FRAME}`));
    const seq = this.nextSeq++;
    const head = Buffer.allocUnsafe(HEADER);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt32LE(zlib.crc32(payload), 4);
    head.writeDoubleLE(seq, 8);
    return new Promise((resolve, reject) => {
      this.pending.push({ head, payload, seq, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const group = this.pending;
      this.pending = [];
      let synced = false;
      try {
        // a new segment is named after the first batch that goes into it
        if (this.active.size >= this.opts.segmentBytes) await this.newSegment(group[0].seq);
        const seg = this.active;
        const bufs: Buffer[] = [];
        for (const p of group) bufs.push(p.head, p.payload);
        await this.writeAll(bufs);
        const syncError = this.opts.faults?.sync?.(seg.file) ?? null;
        synced = true;
        if (syncError) throw syncError;
        await this.activeFh.datasync();
        let off = seg.size;
        for (const p of group) {
          if (this.entries.size === 0) this.base = p.seq;
          this.entries.set(p.seq, { seg, off: off + HEADER, len: p.payload.length });
          off += HEADER + p.payload.length;
          this.remember(p.seq, p.payload);
        }
        seg.size = off;
        if (seg.firstSeq === 0) seg.firstSeq = group[0].seq;
        seg.lastSeq = group[group.length - 1].seq;
        this.durableSeq = seg.lastSeq;
        this.writeFailure = null;
        for (const p of group) p.resolve(p.seq);
        this.wake();
      } catch (e) {
        const err = e as Error;
        if (synced) {
          // fsync failed: the kernel may have dropped the pages, so what is on disk is unknown
          this.failure = err;
        } else {
          // the write failed (disk full...): cut the partial frames off, so the file holds whole frames only
          this.writeFailure = err;
          try { await this.activeFh.truncate(this.active.size); } catch (t) { this.failure = t as Error; }
        }
        const refused = [...group, ...this.pending];
        this.pending = [];
        // none of these numbers reached the disk: the next batch takes the first of them
        this.nextSeq = this.durableSeq + 1;
        for (const p of refused) p.reject(new SpoolError(`spool write failed: ${err.message}`));
      }
    }
    for (const p of this.pending.splice(0)) p.reject(new SpoolError(`spool cannot write: ${this.failure!.message}`));
    this.flushing = false;
  }

  private async writeAll(bufs: Buffer[]): Promise<void> {
    const room = this.opts.faults?.writeRoom;
    if (room) {
      let total = 0;
      for (const b of bufs) total += b.length;
      const fits = room(this.active.file, total);
      if (fits < total) {
        if (fits > 0) await writevAll(this.activeFh, [Buffer.concat(bufs).subarray(0, fits)]);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
    }
    await writevAll(this.activeFh, bufs);
  }

  private remember(seq: number, payload: Buffer): void {
    const bytes = payload.length;
    this.cache.set(seq, { payload, batch: null, bytes });
    this.cacheBytes += bytes;
    if (this.cacheBytes > this.opts.memoryBytes) {
      for (const [seq, c] of this.cache) {
        if (this.cacheBytes <= this.opts.memoryBytes * 0.8) break;
        this.cache.delete(seq);
        this.cacheBytes -= c.bytes;
      }
    }
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** A named reader with its own acknowledged position, persisted beside the segments. */
  async consumer(name: string): Promise<SpoolConsumer> {
    if (!/^[a-z0-9_-]+$/.test(name)) throw new SpoolError(`bad consumer name ${name}`);
    const file = path.join(this.opts.dir, `cursor-${name}.json`);
    let acked = this.base - 1;
    let state: unknown = null;
    try {
      const c = JSON.parse(await fsp.readFile(file, 'utf8')) as { seq: number; state?: unknown };
      if (typeof c.seq === 'number') acked = Math.max(c.seq, this.base - 1);
      state = c.state ?? null;
    } catch { /* no cursor yet: read from the oldest batch kept */ }
    const c = new SpoolConsumer(this, name, file, acked, state);
    this.consumers.set(name, c);
    return c;
  }

  /** @internal */
  waitFor(seq: number, signal: { cancelled: boolean }): Promise<void> {
    if (this.durableSeq >= seq || this.closed || signal.cancelled) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Wakes consumers waiting for data (used when stopping). */
  interrupt(): void {
    this.wake();
  }

  /** @internal Reads batches seq in [from, to], up to about `maxBytes`. */
  async read(from: number, to: number, maxBytes: number): Promise<ReadResult> {
    const batches: SpoolBatch[] = [];
    let bytes = 0;
    let through = from - 1;
    for (let seq = Math.max(from, this.base); seq <= to && seq <= this.durableSeq; seq++) {
      through = seq;
      const c = this.cache.get(seq);
      let batch: SpoolBatch;
      if (c) {
        batch = c.batch ??= SpoolBatch.decode(seq, c.payload);
        bytes += c.bytes;
      } else {
        const e = this.entries.get(seq);
        if (!e) continue; // lost to unreadable bytes (reported at replay)
        e.seg.fh ??= await fsp.open(e.seg.file, 'r');
        const buf = Buffer.allocUnsafe(e.len);
        await e.seg.fh.read(buf, 0, e.len, e.off);
        batch = SpoolBatch.decode(seq, buf);
        bytes += e.len;
      }
      batches.push(batch);
      if (bytes >= maxBytes) break;
    }
    return { batches, through };
  }

  private minAcked(): number {
    let m = this.durableSeq;
    for (const c of this.consumers.values()) m = Math.min(m, c.acked);
    return m;
  }

  /** @internal Deletes what every consumer acknowledged. */
  async collect(): Promise<void> {
    if (this.gcRunning || this.closed) return;
    this.gcRunning = true;
    try {
      const upTo = this.minAcked();
      for (const [seq, c] of this.cache) {
        if (seq > upTo) break;
        this.cache.delete(seq);
        this.cacheBytes -= c.bytes;
      }
      // rotate a fully acknowledged active segment once it is worth deleting
      if (this.active.size > 0 && upTo >= this.durableSeq && this.pending.length === 0 && !this.flushing && !this.failure && (this.active.size > 1 << 20 || this.full)) {
        this.flushing = true;
        try { await this.newSegment(this.durableSeq + 1); } catch (e) { this.warn(`cannot start a new segment: ${(e as Error).message}`); } finally { this.flushing = false; }
        if (this.pending.length) { this.flushing = true; setImmediate(() => void this.flush()); }
      }
      while (this.segments.length > 1) {
        const seg = this.segments[0];
        if (seg.lastSeq > upTo) break;
        this.segments.shift();
        if (seg.lastSeq > 0) for (let s = seg.firstSeq; s <= seg.lastSeq; s++) this.entries.delete(s);
        this.base = this.entries.size ? this.entries.keys().next().value! : this.durableSeq + 1;
        if (seg.fh) await seg.fh.close().catch(() => undefined);
        await fsp.rm(seg.file, { force: true });
      }
    } finally {
      this.gcRunning = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.pending.length) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    this.wake();
    await this.activeFh.close().catch(() => undefined);
    for (const s of this.segments) if (s.fh) await s.fh.close().catch(() => undefined);
  }
}

/** Length of the payload of a whole, checksummed frame at `off` numbered after `after`, or -1. */
function frameAt(buf: Buffer, off: number, after: number): number {
  if (off + HEADER > buf.length) return -1;
  const len = buf.readUInt32LE(off);
  if (len > MAX_FRAME || off + HEADER + len > buf.length) return -1;
  const seq = buf.readDoubleLE(off + 8);
  if (!Number.isSafeInteger(seq) || seq <= after) return -1;
  return zlib.crc32(buf.subarray(off + HEADER, off + HEADER + len)) === buf.readUInt32LE(off + 4) ? len : -1;
}

/** The offset of the next whole frame at or after `from`, or -1. */
function findFrame(buf: Buffer, from: number, after: number): number {
  for (let off = from; off + HEADER <= buf.length; off++) if (frameAt(buf, off, after) >= 0) return off;
  return -1;
}

export class SpoolConsumer {
  private position: number;
  private readonly signal = { cancelled: false };

  constructor(private readonly spool: Spool, readonly name: string, private readonly file: string, public acked: number, readonly state: unknown) {
    this.position = acked;
  }

  /** Batches after the last one returned, waiting until at least one exists (or the wait is cancelled). */
  async next(maxBytes: number, waitMs = 1000): Promise<SpoolBatch[]> {
    const want = this.position + 1;
    if (this.spool.lastSeq < want && !this.signal.cancelled) {
      await Promise.race([this.spool.waitFor(want, this.signal), new Promise((r) => setTimeout(r, waitMs))]);
    }
    const { batches, through } = await this.spool.read(want, this.spool.lastSeq, maxBytes);
    this.position = Math.max(this.position, through);
    return batches;
  }

  /** Reads again from the last acknowledged batch (after a failed delivery). */
  rewind(): void {
    this.position = this.acked;
  }

  /** Batches this consumer has not acknowledged yet. */
  get lag(): number {
    return this.spool.lastSeq - this.acked;
  }

  /** Records that everything up to `seq` reached the sink (with the exporter's state at that point). */
  async ack(seq: number, state?: unknown): Promise<void> {
    if (seq <= this.acked && state === undefined) return;
    await this.ackJson(seq, JSON.stringify(state ?? null));
  }

  /** Like {@link ack}, with the state already serialised (taken when the batches were read). */
  async ackJson(seq: number, stateJson: string): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(`{"seq":${seq},"state":${stateJson}}`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, this.file);
    this.acked = Math.max(this.acked, seq);
    await this.spool.collect();
  }

  cancel(): void {
    this.signal.cancelled = true;
    this.spool.interrupt();
  }
}

async function writevAll(fh: fsp.FileHandle, bufs: Buffer[]): Promise<void> {
  let total = 0;
  for (const b of bufs) total += b.length;
  let { bytesWritten } = await fh.writev(bufs);
  while (bytesWritten < total) {
    // a short write (rare): write the rest
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of bufs) {
      if (skip >= b.length) { skip -= b.length; continue; }
      rest.push(skip ? b.subarray(skip) : b);
      skip = 0;
    }
    total -= bytesWritten;
    bufs = rest;
    ({ bytesWritten } = await fh.writev(bufs));
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch { /* some filesystems refuse fsync on directories */ }
}
