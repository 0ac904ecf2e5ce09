/**
 * The V8 settings every entry point runs with (warden serve, logtest, analyze, test-rules and the
 * bench workers), set at run time through `v8.setFlagsFromString` when a ruleset is opened: no
 * command-line flags, so `node otel-processor/bin/warden.js` and `npm start` run the same.
 */
import * as v8 from 'node:v8';

/** V8 11's default (`node --v8-options`), and about 15x it while the ruleset loads (measured). */
export const DEFAULT_INTERRUPT_BUDGET = 67_584;
export const LOAD_INTERRUPT_BUDGET = 1_000_000;

/**
 * Turbofan's cap on the bytecode it inlines into one optimised function (V8 11's default 920).
 * The first lines a process sees run while Turbofan compiles the per-line functions on a
 * background thread: on the first 10,000 sshd lines about 0.15 of 0.27 CPU-s (process CPU,
 * background threads included) against 0.1 on the main thread. Half the cap makes those
 * compiles cheaper: first 10,000-30,000 lines 8-18% faster, the warm rate unchanged within
 * the noise (bench:vs-ossec workers, README "Start-up and the first lines").
 */
export const MAX_INLINED_BYTECODE_CUMULATIVE = 460;

let lineSettingsApplied = false;

/** The per-line settings (see above), once per process. */
export function applyLineProcessingSettings(): void {
  if (lineSettingsApplied) return;
  v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${MAX_INLINED_BYTECODE_CUMULATIVE}`);
  lineSettingsApplied = true;
}

/**
 * Runs `load` with a larger interrupt budget. Loading runs each compiler function over a few
 * thousand elements, once: with V8's default budget Turbofan compiles them on a background
 * thread for nothing (0.1 of 0.35 CPU-s on the stock ruleset). A larger budget delays that
 * tier-up; functions first run afterwards (the per-line path) get the default again. Switching
 * Turbofan off instead makes Wazuh's 5,500 patterns load 3.5x slower.
 */
export function whileLoading<T>(load: () => T): T {
  v8.setFlagsFromString(`--interrupt-budget=${LOAD_INTERRUPT_BUDGET}`);
  try {
    return load();
  } finally {
    v8.setFlagsFromString(`--interrupt-budget=${DEFAULT_INTERRUPT_BUDGET}`);
  }
}
