/**
 * An exporter's health as /readyz, /metrics and the log show it: `ok`, or `retrying` with the
 * last error and since when. One log line when it starts failing and one when it recovers,
 * each with the lag (batches not yet delivered); every failed attempt is counted.
 */
import type { Counter } from '@opentelemetry/api';

export interface ExporterStatus {
  state: 'ok' | 'retrying';
  /** Batches not yet acknowledged by this exporter. */
  lag: number;
  /** The last error while retrying (null when ok). */
  error: string | null;
  /** When it started failing (ISO time), null when ok. */
  since: string | null;
  /** Failed attempts since start. */
  failures: number;
}

export class ExporterHealth {
  private failingSince: number | null = null;
  private lastError: string | null = null;
  private failures = 0;
  private log: (msg: string) => void = (m) => process.emitWarning(m);
  private counter: Counter | null = null;

  constructor(readonly exporter: string, private readonly lag: () => number) {}

  /** Where the transitions are logged and failures counted (the service's log and metrics). */
  attach(log: (msg: string) => void, failures: Counter | null): void {
    this.log = log;
    this.counter = failures;
  }

  /** An attempt failed (it is retried). */
  failed(error: string): void {
    this.failures++;
    this.counter?.add(1, { exporter: this.exporter });
    this.lastError = error;
    if (this.failingSince === null) {
      this.failingSince = Date.now();
      this.log(`warden: exporter ${this.exporter} is failing (${error}); retrying, ${this.lag()} batch(es) waiting in the spool`);
    }
  }

  /** An attempt succeeded. */
  ok(): void {
    if (this.failingSince !== null) {
      const secs = ((Date.now() - this.failingSince) / 1000).toFixed(1);
      this.log(`warden: exporter ${this.exporter} recovered after ${secs}s; ${this.lag()} batch(es) still to deliver`);
    }
    this.failingSince = null;
    this.lastError = null;
  }

  get status(): ExporterStatus {
    const failing = this.failingSince !== null;
    return { state: failing ? 'retrying' : 'ok', lag: this.lag(), error: this.lastError, since: failing ? new Date(this.failingSince!).toISOString() : null, failures: this.failures };
  }
}
