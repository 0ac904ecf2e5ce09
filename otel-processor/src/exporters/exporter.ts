import type { ExporterHealth, ExporterStatus } from './health';

/** What every exporter (sink fed from the spool) offers the service. */
export interface Exporter {
  readonly name: string;
  /** Lag, state (`ok` / `retrying` with the last error and since when) and failures. */
  readonly status: ExporterStatus;
  readonly health: ExporterHealth;
  start(): Promise<void>;
  /** Drains for up to `drainMs`, then stops; what is left stays in the spool for the next start. */
  stop(drainMs: number): Promise<void>;
}
