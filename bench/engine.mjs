#!/usr/bin/env node
// Engine throughput: all three phases over a corpus, in one process, output discarded.
// Usage: npm run bench:engine [-- --ruleset DIR] [--corpus FILE] [--runs N] [--json]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { linesOf, loadEngine, median, option, root, shared } from './dist.mjs';

const { enableLinearRegexpFallback, loadRuleset, Engine, LogEvent } = loadEngine('bench');

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const rulesetDir = path.resolve(root, opt('ruleset', path.join(shared, 'ossec-4.2.0')));
const corpus = path.resolve(root, opt('corpus', path.join(shared, 'corpus', 'mixed.log')));
const runs = Number(opt('runs', '5'));
const json = args.includes('--json');
if (!fs.existsSync(corpus)) {
  console.error(`bench: corpus not found: ${corpus} (needs ../shared)`);
  process.exit(2);
}

enableLinearRegexpFallback();
const loaded = loadRuleset(rulesetDir);
// The corpus stays one buffer; each run cuts its lines as it goes (as a reader would), which
// keeps 200,000 strings from sitting in memory for the whole benchmark.
const buf = fs.readFileSync(corpus);
let lineCount = 0;
for (const _ of linesOf(buf)) lineCount++;

const rates = [];
const cpuRates = [];
let alerts = 0;
for (let r = 0; r < runs; r++) {
  // Start each run from a collected heap, so runs do not stack their garbage (run with --expose-gc).
  globalThis.gc?.();
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  alerts = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const line of linesOf(buf)) {
    const ev = new LogEvent(line, 'stdin', 'bench', Date.now());
    if (engine.process(ev).alert) alerts++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  rates.push(lineCount / secs);
  // CPU time moves much less than wall time when other work shares the machine.
  cpuRates.push(lineCount / ((cpu.user + cpu.system) / 1e6));
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const result = {
  ruleset: path.relative(root, rulesetDir) || rulesetDir,
  corpus: path.relative(root, corpus) || corpus,
  lines: lineCount,
  runs,
  alerts,
  lines_per_sec: Math.round(median(rates)),
  lines_per_cpu_sec: Math.round(median(cpuRates)),
  runs_lines_per_sec: rates.map(Math.round),
  load_average: os.loadavg()[0],
  peak_rss_mb: Math.round(peakRssMb * 10) / 10,
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`ruleset ${result.ruleset}, corpus ${result.corpus} (${result.lines} lines), ${runs} runs`);
  console.log(`lines/s (median): ${result.lines_per_sec}   runs: ${result.runs_lines_per_sec.join(', ')}`);
  console.log(`lines per CPU-second (median): ${result.lines_per_cpu_sec}   load average: ${result.load_average.toFixed(2)} on ${os.cpus().length} cores`);
  console.log(`alerts per run: ${alerts}   peak RSS: ${result.peak_rss_mb} MB`);
}
