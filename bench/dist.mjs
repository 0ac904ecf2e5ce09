// What the benchmarks share: the built engine (otel-processor/dist) and --name value options.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const shared = path.resolve(root, '..', 'shared');

/** A built module of otel-processor/dist (`rel` like `engine/engine.js`), or exits with a hint to build first. */
export function requireDist(who, rel) {
  const file = path.join(root, 'otel-processor', 'dist', rel);
  if (!fs.existsSync(file)) {
    console.error(`${who}: build first (npm run build)`);
    process.exit(2);
  }
  return require(file);
}

/** Loads the built engine modules, or exits with a hint to build first. */
export function loadEngine(who) {
  const { enableLinearRegexpFallback } = requireDist(who, 'engine/patterns/regexp-guard.js');
  const { loadRuleset } = requireDist(who, 'loader/ruleset-loader.js');
  // how every entry point (warden serve, logtest, analyze) opens a ruleset, V8 settings included
  const { openRuleset } = requireDist(who, 'loader/open-ruleset.js');
  const { Engine, LogEvent } = requireDist(who, 'engine/engine.js');
  return { enableLinearRegexpFallback, loadRuleset, openRuleset, Engine, LogEvent };
}

/** `--name value` from the command line, else the default. */
export function option(args, name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** Lines cut afresh from a buffer on each pass, as a reader would produce them (no array of strings held). */
export function* linesOf(buf) {
  let from = 0;
  for (;;) {
    const nl = buf.indexOf(10, from);
    if (nl < 0) {
      if (from < buf.length) yield buf.latin1Slice(from, buf.length);
      return;
    }
    yield buf.latin1Slice(from, nl);
    from = nl + 1;
  }
}
