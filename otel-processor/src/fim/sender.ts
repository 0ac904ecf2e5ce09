/**
 * Delivers FIM records to Warden over OTLP/HTTP (JSON or protobuf) from a durable outbox:
 * records are appended and fsynced to STATE_DIR/outbox.jsonl before the baseline moves on, and
 * leave it only once Warden answered 200. Failures are retried with backoff (honouring
 * Retry-After); a 400-class answer other than 408/429 drops the batch with an error message,
 * since sending it again cannot succeed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeRequest } from '../receiver/otlp/proto';
import { toOtlpRequest, type OutRecord, type ResourceIdentity } from './events';

export interface SenderOptions {
  endpoint: string;
  encoding: 'json' | 'protobuf';
  headers: Record<string, string>;
  timeoutMs: number;
  who: ResourceIdentity;
  version: string;
  batchSize?: number;
  log?: (msg: string) => void;
}

export class Sender {
  private queue: OutRecord[] = [];
  private readonly file: string;
  /** STATE_DIR/outbox.ack: how many records at the head of outbox.jsonl Warden already has. */
  private readonly ackFile: string;
  private acked = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private backoffMs = 0;
  /** Records Warden accepted since start. */
  sent = 0;
  /** Records dropped because Warden refused them as invalid. */
  dropped = 0;
  lastError: string | null = null;

  constructor(stateDir: string, private readonly opts: SenderOptions) {
    fs.mkdirSync(stateDir, { recursive: true });
    this.file = path.join(stateDir, 'outbox.jsonl');
    this.ackFile = path.join(stateDir, 'outbox.ack');
    this.loadOutbox();
  }

  private loadOutbox(): void {
    let text = '';
    try { text = fs.readFileSync(this.file, 'utf8'); } catch { return; }
    let skip = 0;
    try { skip = Number(fs.readFileSync(this.ackFile, 'utf8').trim()) || 0; } catch { /* none acknowledged */ }
    this.acked = skip;
    for (const line of text.split('\n')) {
      if (!line) continue;
      if (skip > 0) { skip--; continue; }
      try {
        this.queue.push(JSON.parse(line) as OutRecord);
      } catch {
        this.opts.log?.(`outbox: skipped a damaged line in ${this.file}`);
      }
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Appends records durably (fsync) and wakes the delivery loop. */
  enqueue(records: OutRecord[]): void {
    if (records.length === 0) return;
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.queue.push(...records);
    this.kick();
  }

  /**
   * Records `n` more records as delivered. The outbox file is rewritten only when it empties or
   * the delivered head grows large; otherwise a small counter file moves (so a burst of many
   * events costs linear, not quadratic, writing).
   */
  private acknowledge(n: number): void {
    this.acked += n;
    const writeAck = (v: number) => {
      fs.writeFileSync(`${this.ackFile}.tmp`, String(v));
      fs.renameSync(`${this.ackFile}.tmp`, this.ackFile);
    };
    if (this.queue.length === 0 || this.acked >= 5000) {
      // counter first: a crash between the two writes resends delivered records (their alert id
      // comes from log.record.uid, so Elasticsearch keeps one) rather than skipping undelivered ones
      writeAck(0);
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, this.queue.map((r) => `${JSON.stringify(r)}\n`).join(''));
      fs.renameSync(tmp, this.file);
      this.acked = 0;
    } else writeAck(this.acked);
  }

  /** Starts (or wakes) the delivery loop. */
  kick(): void {
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
    if (!this.running && !this.stopped) this.running = this.loop().finally(() => { this.running = null; });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); resolve(); };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.queue.length > 0) {
      if (this.backoffMs > 0) await this.sleep(this.backoffMs);
      if (this.stopped) break;
      const batch = this.queue.slice(0, this.opts.batchSize ?? 500);
      const r = await this.post(batch);
      if (r === 'ok' || r === 'drop') {
        this.queue.splice(0, batch.length);
        this.acknowledge(batch.length);
        if (r === 'ok') this.sent += batch.length; else this.dropped += batch.length;
        this.backoffMs = 0;
      } else {
        this.backoffMs = Math.min(30_000, Math.max(r.retryAfterMs, this.backoffMs ? this.backoffMs * 2 : 500));
      }
    }
  }

  private async post(batch: OutRecord[]): Promise<'ok' | 'drop' | { retryAfterMs: number }> {
    const req = toOtlpRequest(batch, this.opts.who, this.opts.version);
    const json = this.opts.encoding === 'json';
    const body = json ? JSON.stringify(req) : encodeRequest(req);
    const url = `${this.opts.endpoint}/v1/logs`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf', 'user-agent': `warden-fim/${this.opts.version}`, ...this.opts.headers },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const text = await res.text();
      if (res.status === 200) {
        this.lastError = null;
        if (json && text.includes('rejectedLogRecords')) this.opts.log?.(`Warden rejected some records: ${text}`);
        return 'ok';
      }
      this.lastError = `${url}: HTTP ${res.status} ${text.slice(0, 200)}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        this.opts.log?.(`dropping ${batch.length} records: ${this.lastError}`);
        return 'drop';
      }
      const ra = Number(res.headers.get('retry-after'));
      return { retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : 0 };
    } catch (e) {
      this.lastError = `${url}: ${(e as Error).message}`;
      return { retryAfterMs: 0 };
    }
  }

  /** Waits until the outbox is empty (or `timeoutMs` passed); true when empty. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    this.kick();
    while (this.queue.length > 0 && Date.now() < deadline) {
      this.kick();
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.queue.length === 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
    await this.running;
  }
}
