/**
 * Guard against catastrophic backtracking in translated PCRE2 patterns.
 *
 * V8 (Node 20) can abandon its backtracking engine after a number of backtracks and
 * re-run the RegExp on its experimental linear-time engine. Measured (Node 20.20, V8 11.3):
 * the flags take effect when set at run time through `v8.setFlagsFromString`, also for
 * RegExps constructed before the call as long as they had not been executed yet (V8
 * compiles a RegExp lazily on first execution). Only RegExps the linear engine can handle benefit: no backreferences, no
 * lookahead/lookbehind, no `i` flag, no counted repetition above ~{9}. The pcre2 translator
 * therefore expands case-insensitivity to `[xX]` and reports `Pcre2Pattern.linear`.
 */
import * as v8 from 'v8';

/** Backtracks allowed before V8 switches a RegExp execution to the linear engine. */
// Measured: an unanchored lazy scan such as `[^\s]+?,` on a 40 KB comma-free line costs one
// backtrack per character per start position; with 50 000 it never falls back (2.2 s, quadratic),
// with 1 000 it falls back at once (0.2 s). Ordinary log lines stay far below 1 000.
export const DEFAULT_BACKTRACK_LIMIT = 1_000;

let enabled = false;

/**
 * Turn on V8's fallback to the linear-time RegExp engine on excessive backtracking.
 * Call once at start-up, before patterns are compiled. Idempotent.
 */
export function enableLinearRegexpFallback(backtracks: number = DEFAULT_BACKTRACK_LIMIT): void {
  if (enabled) return;
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  v8.setFlagsFromString(`--regexp-backtracks-before-fallback=${Math.max(1, Math.floor(backtracks))}`);
  // Lets a pattern be re-run explicitly on the linear engine (the `l` flag) when the
  // backtracking engine runs out of stack on a huge line.
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  enabled = true;
}

/** Whether enableLinearRegexpFallback() ran in this process. */
export function linearRegexpFallbackEnabled(): boolean {
  return enabled;
}
