/** What every exporter (sink fed from the spool) offers the service. */
export interface Exporter {
  readonly name: string;
  /** Batches not yet acknowledged by this exporter, and the last error if it is failing. */
  readonly status: { lag: number; error: string | null };
  start(): Promise<void>;
  /** Drains for up to `drainMs`, then stops; what is left stays in the spool for the next start. */
  stop(drainMs: number): Promise<void>;
}
