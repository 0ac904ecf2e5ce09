/**
 * Optional: alerts as OTLP log records (OTLP/HTTP JSON, `POST {endpoint}/v1/logs`), so a
 * collector pipeline can route them on. One record per alert: body = the log line (or the rule
 * description), severity from the rule level, attributes = the alert document flattened
 * (`rule.id`, `rule.level`, `agent.id`, `data.srcip`, ...) plus `warden.alert.id`.
 * Retries 429/5xx and network failures; a request refused for good (other 4xx) is logged and
 * skipped, since sending it again cannot succeed.
 */
import type { SpoolConsumer } from '../../spool/spool';
import type { AlertRecord } from '../../alert/alert';
import type { Exporter } from '../exporter';
import { ExporterHealth, type ExporterStatus } from '../health';

export interface OtlpExporterOptions {
  endpoint: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

type KV = { key: string; value: { stringValue?: string; intValue?: string; boolValue?: boolean } };

function flatten(prefix: string, v: unknown, out: KV[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) { out.push({ key: prefix, value: { stringValue: v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(',') } }); return; }
  if (typeof v === 'object') { for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out); return; }
  if (typeof v === 'number' && Number.isInteger(v)) out.push({ key: prefix, value: { intValue: String(v) } });
  else if (typeof v === 'boolean') out.push({ key: prefix, value: { boolValue: v } });
  else out.push({ key: prefix, value: { stringValue: String(v) } });
}

/** OSSEC level (0..16) → OTLP severity number. */
export function severityOf(level: number): { number: number; text: string } {
  if (level >= 12) return { number: 21, text: 'FATAL' };
  if (level >= 10) return { number: 17, text: 'ERROR' };
  if (level >= 7) return { number: 13, text: 'WARN' };
  if (level >= 3) return { number: 9, text: 'INFO' };
  return { number: 5, text: 'DEBUG' };
}

export function alertToLogRecord(a: AlertRecord): Record<string, unknown> {
  const attributes: KV[] = [{ key: 'warden.alert.id', value: { stringValue: a.id } }];
  const { full_log: fullLog, '@timestamp': ts, received_at: received, ...rest } = a.doc;
  flatten('', rest, attributes);
  const sev = severityOf(a.doc.rule.level);
  return {
    timeUnixNano: `${BigInt(Date.parse(ts)) * 1_000_000n}`,
    observedTimeUnixNano: `${BigInt(Date.parse(received)) * 1_000_000n}`,
    severityNumber: sev.number,
    severityText: sev.text,
    body: { stringValue: fullLog ?? a.doc.rule.description },
    attributes,
  };
}

export class OtlpExporter implements Exporter {
  readonly name = 'otlp';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly url: string;
  readonly health: ExporterHealth;

  constructor(private readonly consumer: SpoolConsumer, private readonly opts: OtlpExporterOptions) {
    this.health = new ExporterHealth(this.name, () => this.consumer.lag);
    this.url = `${opts.endpoint.replace(/\/+$/, '').replace(/\/v1\/logs$/, '')}/v1/logs`;
  }

  get status(): ExporterStatus {
    return this.health.status;
  }

  async start(): Promise<void> {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const batches = await this.consumer.next(4 << 20);
      if (batches.length === 0) continue;
      const records = batches.flatMap((b) => Array.from({ length: b.alertCount }, (_, i) => alertToLogRecord(b.alert(i))));
      let delay = 500;
      while (records.length > 0) {
        const body = JSON.stringify({
          resourceLogs: [{
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'warden' } }] },
            scopeLogs: [{ scope: { name: 'warden' }, logRecords: records }],
          }],
        });
        try {
          const r = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', ...this.opts.headers }, body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
          await r.arrayBuffer();
          if (r.ok) break;
          if (r.status !== 429 && r.status < 500) {
            process.emitWarning(`warden otlp exporter: POST ${this.url}: HTTP ${r.status}; ${records.length} alert record(s) refused, not retried`);
            break;
          }
          this.health.failed(`POST ${this.url}: HTTP ${r.status}`);
        } catch (e) {
          this.health.failed(`POST ${this.url}: ${(e as Error).message}`);
        }
        if (this.stopping) return;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
      await this.consumer.ack(batches[batches.length - 1].seq);
      this.health.ok();
    }
  }

  async stop(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (this.consumer.lag > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopping = true;
    this.consumer.cancel();
    await this.loop?.catch(() => undefined);
  }
}
