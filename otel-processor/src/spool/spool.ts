/**
 * The spool: an append-only local log of batches, fsynced before an append is acknowledged,
 * from which each exporter reads at its own pace, acknowledging what its sink accepted.
 * Segments every consumer has acknowledged are deleted. On open, the segments are replayed
 * (a torn frame at the tail of the last segment is cut off) and consumers resume after the
 * position they acknowledged last.
 *
 * Frame: [u32 payload length][u32 crc32 of payload][f64 seq][payload: the batch, see batch.ts].
 * Appends arriving while an fsync runs are written and fsynced together (group commit).
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SpoolBatch } from './batch';

const HEADER = 16;
const SEG_RE = /^(\d{16})\.seg$/;

export interface SpoolOptions {
  dir: string;
  /** Above this many bytes on disk, {@link Spool.full} is true and new requests are refused. */
  maxBytes: number;
  /** Segment size at which a new segment is started. */
  segmentBytes: number;
  /** Recent batches kept parsed in memory, so consumers rarely read them back from disk. */
  memoryBytes: number;
}

interface Segment {
  firstSeq: number;
  file: string;
  size: number;
  fh: fsp.FileHandle | null;
}

interface Entry {
  seq: number;
  seg: Segment;
  off: number;
  len: number;
}

export class SpoolError extends Error {}

export class Spool {
  private segments: Segment[] = [];
  /** Entries for every batch on disk, index i holds seq base + i. */
  private entries: Entry[] = [];
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
  private failure: Error | null = null;
  private gcRunning = false;

  private constructor(readonly opts: SpoolOptions) {}

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

  /** Set when a write or fsync failed: the spool refuses further appends (the service answers 503). */
  get error(): Error | null {
    return this.failure;
  }

  private async replay(): Promise<void> {
    const dir = this.opts.dir;
    await fsp.mkdir(dir, { recursive: true });
    const names = (await fsp.readdir(dir)).filter((n) => SEG_RE.test(n)).sort();
    let expected = -1;
    for (let i = 0; i < names.length; i++) {
      const file = path.join(dir, names[i]);
      const firstSeq = Number(SEG_RE.exec(names[i])![1]);
      const buf = await fsp.readFile(file);
      const seg: Segment = { firstSeq, file, size: 0, fh: null };
      let off = 0;
      let seq = firstSeq;
      while (off + HEADER <= buf.length) {
        const len = buf.readUInt32LE(off);
        const crc = buf.readUInt32LE(off + 4);
        const fseq = buf.readDoubleLE(off + 8);
        if (off + HEADER + len > buf.length) break;
        const payload = buf.subarray(off + HEADER, off + HEADER + len);
        if (zlib.crc32(payload) !== crc || fseq !== seq) break;
        if (expected === -1) { this.base = seq; expected = seq; }
        if (seq !== expected) throw new SpoolError(`spool ${file}: batch ${seq} found where ${expected} was expected`);
        this.entries.push({ seq, seg, off: off + HEADER, len });
        expected = seq + 1;
        seq++;
        off += HEADER + len;
      }
      if (off < buf.length) {
        // torn or corrupt tail: keep what is whole (only the newest segment can have one)
        process.emitWarning(`warden spool: ${path.basename(file)} has ${buf.length - off} trailing bytes that are not a whole batch; cut off`);
        await fsp.truncate(file, off);
      }
      seg.size = off;
      if (expected === -1 && i === names.length - 1) { this.base = firstSeq; expected = firstSeq; }
      this.segments.push(seg);
    }
    this.nextSeq = expected === -1 ? 1 : expected;
    if (this.entries.length === 0) this.base = this.nextSeq;
    // cursors may be ahead of an emptied spool directory: never reuse their numbers
    for (const n of await fsp.readdir(dir)) {
      const m = /^cursor-(.+)\.json$/.exec(n);
      if (!m) continue;
      try {
        const c = JSON.parse(await fsp.readFile(path.join(dir, n), 'utf8')) as { seq?: number };
        if (typeof c.seq === 'number' && c.seq >= this.nextSeq) { this.nextSeq = c.seq + 1; this.base = this.nextSeq; this.entries = []; }
      } catch { /* unreadable cursor: the consumer starts at the beginning */ }
    }
    this.durableSeq = this.nextSeq - 1;
    const last = this.segments[this.segments.length - 1];
    if (last && last.size < this.opts.segmentBytes && last.firstSeq <= this.nextSeq) {
      this.active = last;
      this.activeFh = await fsp.open(last.file, 'a');
    } else {
      await this.newSegment();
    }
  }

  private async newSegment(): Promise<void> {
    const file = path.join(this.opts.dir, `${String(this.nextSeq).padStart(16, '0')}.seg`);
    const fh = await fsp.open(file, 'a');
    await fh.sync();
    await syncDir(this.opts.dir);
    const seg: Segment = { firstSeq: this.nextSeq, file, size: 0, fh: null };
    if (this.activeFh) await this.activeFh.close();
    this.segments.push(seg);
    this.active = seg;
    this.activeFh = fh;
  }

  /** Appends a batch payload (see batch.ts); resolves with its sequence number once it is on disk (fsynced). */
  append(payload: Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new SpoolError('spool is closed'));
    if (this.failure) return Promise.reject(new SpoolError(`spool cannot write: ${this.failure.message}`));
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
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        if (this.active.size >= this.opts.segmentBytes) await this.newSegment();
        const seg = this.active;
        const bufs: Buffer[] = [];
        for (const p of group) bufs.push(p.head, p.payload);
        await writevAll(this.activeFh, bufs);
        await this.activeFh.datasync();
        let off = seg.size;
        for (const p of group) {
          if (this.entries.length === 0) this.base = p.seq;
          this.entries.push({ seq: p.seq, seg, off: off + HEADER, len: p.payload.length });
          off += HEADER + p.payload.length;
          this.remember(p.seq, p.payload);
        }
        seg.size = off;
        this.durableSeq = group[group.length - 1].seq;
        for (const p of group) p.resolve(p.seq);
        this.wake();
      } catch (e) {
        this.failure = e as Error;
        for (const p of group) p.reject(new SpoolError(`spool write failed: ${(e as Error).message}`));
        for (const p of this.pending) p.reject(new SpoolError(`spool write failed: ${(e as Error).message}`));
        this.pending = [];
      }
    }
    this.flushing = false;
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

  /** @internal Reads batches seq in [from, to]. */
  async read(from: number, to: number, maxBytes: number): Promise<SpoolBatch[]> {
    const out: SpoolBatch[] = [];
    let bytes = 0;
    for (let seq = Math.max(from, this.base); seq <= to && seq <= this.durableSeq; seq++) {
      const c = this.cache.get(seq);
      let batch: SpoolBatch;
      if (c) {
        batch = c.batch ??= SpoolBatch.decode(seq, c.payload);
        bytes += c.bytes;
      } else {
        const e = this.entries[seq - this.base];
        if (!e) break;
        e.seg.fh ??= await fsp.open(e.seg.file, 'r');
        const buf = Buffer.allocUnsafe(e.len);
        await e.seg.fh.read(buf, 0, e.len, e.off);
        batch = SpoolBatch.decode(seq, buf);
        bytes += e.len;
      }
      out.push(batch);
      if (bytes >= maxBytes) break;
    }
    return out;
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
      if (this.active.size > 0 && upTo >= this.nextSeq - 1 && this.pending.length === 0 && !this.flushing && (this.active.size > 1 << 20 || this.full)) {
        this.flushing = true;
        try { await this.newSegment(); } finally { this.flushing = false; }
        if (this.pending.length) { this.flushing = true; setImmediate(() => void this.flush()); }
      }
      while (this.segments.length > 1) {
        const seg = this.segments[0];
        const next = this.segments[1];
        if (next.firstSeq - 1 > upTo) break;
        this.segments.shift();
        const drop = next.firstSeq - this.base;
        if (drop > 0) { this.entries.splice(0, drop); this.base = next.firstSeq; }
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
    const out = await this.spool.read(want, this.spool.lastSeq, maxBytes);
    if (out.length) this.position = out[out.length - 1].seq;
    return out;
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
