#!/usr/bin/env node
// The alerts.log byte writer alone: CPU nanoseconds per alert over the alerts of generated lines.
//
// Usage: node bench/alerts-log.mjs [--only FORMAT] [--lines N] [--seed S] [--runs R] [--dist DIR]
//        (FORMAT as in bench:vs-ossec; --dist: another build's otel-processor/dist, to compare)
//
// The engine runs the lines once (stock OSSEC ruleset) and its alerts (event and verdict) are
// kept; then the writer (alert/alerts-log.js AlertsLogWriter) writes all of them R times, each
// run into a new writer, its 64 KiB chunks handed to a sink that drops them. Prints the median and
// lowest CPU ns per alert, and a SHA-256 of the bytes of one run (the same bytes from two builds
// means the same output).
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { FORMATS_BY_GROUP, option, root, shared } from './dist.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const only = option(args, 'only', 'sshd');
const seed = Number(option(args, 'seed', '11'));
const runs = Number(option(args, 'runs', '40'));
const dist = path.resolve(option(args, 'dist', path.join(root, 'otel-processor', 'dist')));
const FORMATS = FORMATS_BY_GROUP;
if (!Object.hasOwn(FORMATS, only)) {
  console.error(`bench/alerts-log: --only must be one of ${Object.keys(FORMATS).join(', ')}`);
  process.exit(2);
}
const lines = Number(option(args, 'lines', only === 'all' ? '30000' : '10000'));
const load = (rel) => {
  try {
    return require(path.join(dist, rel));
  } catch {
    console.error(`bench/alerts-log: no build at ${dist} (npm run build)`);
    process.exit(2);
  }
};
const { enableLinearRegexpFallback } = load('engine/patterns/regexp-guard.js');
const { loadRuleset } = load('loader/ruleset-loader.js');
const { Engine, LogEvent } = load('engine/engine.js');
const { AlertsLogWriter } = load('alert/alerts-log.js');
const { generate } = require(path.join(root, 'tests', 'generator', 'index.js'));

enableLinearRegexpFallback();
const loaded = loadRuleset(path.join(shared, 'ossec-4.2.0'));
const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
const alerts = [];
// times that move on by 37 ms a line: alerts fall in many seconds, several to a second
let time = Date.UTC(2026, 0, 5, 10);
for (const line of generate({ seed, lines, formats: FORMATS[only] }).lines) {
  const ev = new LogEvent(line, 'stdin', 'bench', (time += 37));
  const verdict = engine.process(ev);
  // the verdict copied: the engine reuses nothing of it, but keep it as it was at the alert
  if (verdict.alert) alerts.push([ev, { ...verdict, previousOutput: verdict.previousOutput && [...verdict.previousOutput] }]);
}
const hash = crypto.createHash('sha256');
const first = new AlertsLogWriter();
for (const [ev, v] of alerts) {
  first.add(ev, v);
  if (first.pending >= 1 << 16) first.flush((b) => hash.update(b));
}
first.flush((b) => hash.update(b));
const drop = () => {};
const ns = [];
for (let r = 0; r < runs; r++) {
  const w = new AlertsLogWriter();
  const c0 = process.cpuUsage();
  for (let i = 0; i < alerts.length; i++) {
    w.add(alerts[i][0], alerts[i][1]);
    if (w.pending >= 1 << 16) w.flush(drop);
  }
  w.flush(drop);
  const c = process.cpuUsage(c0);
  ns.push(((c.user + c.system) * 1000) / alerts.length);
}
ns.sort((a, b) => a - b);
console.log(JSON.stringify({
  format: only, lines, alerts: alerts.length, bytes: first.position, sha256: hash.digest('hex').slice(0, 16),
  ns_per_alert_median: Math.round(ns[Math.floor(runs / 2)] * 10) / 10, ns_per_alert_lowest: Math.round(ns[0] * 10) / 10, runs, dist: path.relative(root, dist) || '.',
}));
