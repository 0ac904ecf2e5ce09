// What the benchmarks share: the built engine (otel-processor/dist) and --name value options.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const shared = path.resolve(root, '..', 'shared');

/** Loads the built engine modules, or exits with a hint to build first. */
export function loadEngine(who) {
  const dist = path.join(root, 'otel-processor', 'dist');
  if (!fs.existsSync(path.join(dist, 'engine', 'engine.js'))) {
    console.error(`${who}: build first (npm run build)`);
    process.exit(2);
  }
  const { enableLinearRegexpFallback } = require(path.join(dist, 'engine/patterns/regexp-guard.js'));
  const { loadRuleset } = require(path.join(dist, 'loader/ruleset-loader.js'));
  const { Engine, LogEvent } = require(path.join(dist, 'engine/engine.js'));
  return { enableLinearRegexpFallback, loadRuleset, Engine, LogEvent };
}

/** `--name value` from the command line, else the default. */
export function option(args, name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}
