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

/**
 * The engine of this build, or of another build's otel-processor/dist (`--dist DIR`, to compare
 * two builds), with `fromDist(rel)` requiring a module of that same build.
 */
export function engineOf(who, distDir) {
  const fromDist = (rel) => (distDir ? require(path.resolve(distDir, rel)) : requireDist(who, rel));
  const engine = distDir
    ? { ...fromDist('engine/patterns/regexp-guard.js'), ...fromDist('loader/ruleset-loader.js'), ...fromDist('engine/engine.js') }
    : loadEngine(who);
  return { ...engine, fromDist };
}

/**
 * What the per-phase benches (decode, match, pattern-calls) start from: the generator, the engine
 * of this build or of `--dist DIR`, the stock OSSEC 4.2.0 ruleset loaded with it (V8's linear
 * fallback on), and the format groups `--only` keeps, as [name, formats] pairs.
 */
export function stockBench(who, args) {
  const { generate } = require(path.join(root, 'tests', 'generator', 'index.js'));
  const engine = engineOf(who, option(args, 'dist', ''));
  engine.enableLinearRegexpFallback();
  const loaded = engine.loadRuleset(path.join(shared, 'ossec-4.2.0'));
  const only = option(args, 'only', '');
  const suites = FORMAT_GROUPS.map((g) => [g.name, g.formats]).filter(([name]) => !only || only.split(',').includes(name));
  return { ...engine, generate, loaded, suites };
}

/**
 * The format groups of issue 11's table, which every engine bench runs: name, label and the
 * generator formats (tests/generator; undefined: its whole mix).
 */
export const FORMAT_GROUPS = [
  { name: 'all', label: 'all (mix of every generated format)', formats: undefined },
  { name: 'apache-access', label: 'Apache access', formats: ['apache-access'] },
  { name: 'apache-error', label: 'Apache error (2.2 and 2.4)', formats: ['apache-error'] },
  { name: 'auth', label: 'auth (su, sudo, useradd, pam, ftp)', formats: ['su', 'sudo', 'useradd', 'pam', 'vsftpd', 'proftpd', 'pure-ftpd'] },
  { name: 'messages', label: '/var/log/messages (kernel, named, postfix, cron)', formats: ['kernel', 'named', 'postfix', 'cron'] },
  { name: 'pix', label: 'Cisco PIX/ASA', formats: ['pix'] },
  { name: 'squid', label: 'squid', formats: ['squid'] },
  { name: 'sshd', label: 'sshd', formats: ['sshd'] },
  { name: 'windows', label: 'Windows agent event lines (WinEvtLog: ...)', formats: ['windows'] },
];

/** The group's generator formats by name. */
export const FORMATS_BY_GROUP = Object.fromEntries(FORMAT_GROUPS.map((g) => [g.name, g.formats]));

/** The middle value (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
