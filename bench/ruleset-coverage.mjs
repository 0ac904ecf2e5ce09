#!/usr/bin/env node
// Ruleset coverage against stock OSSEC 4.2.0: on ../shared/corpus/mixed.log, of the lines where
// OSSEC wrote an alert of level >= 5 (mixed.expected.tsv), how many does Warden's ruleset alert
// on at level >= 5? Prints the figure, a per-format breakdown (mixed.format.txt) and the top
// reasons for misses (OSSEC rule -> what Warden answered).
// Usage: npm run build && node bench/ruleset-coverage.mjs [--ruleset DIR] [--corpus DIR] [--min-level N]
//        [--examples N] [--json] [--fail-under PCT]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEngine, option, root } from './dist.mjs';

const { enableLinearRegexpFallback, loadRuleset, Engine, LogEvent } = loadEngine('ruleset-coverage');

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const rulesetDir = path.resolve(root, opt('ruleset', 'rules'));
const corpusDir = path.resolve(root, opt('corpus', path.join('..', 'shared', 'corpus')));
const minLevel = Number(opt('min-level', '5'));
const nExamples = Number(opt('examples', '2'));
const failUnder = opt('fail-under', null);
const json = args.includes('--json');

const read = (f) => {
  const p = path.join(corpusDir, f);
  if (!fs.existsSync(p)) {
    console.error(`ruleset-coverage: missing ${p} (needs ../shared)`);
    process.exit(2);
  }
  const lines = fs.readFileSync(p, 'latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
};
const logLines = read('mixed.log');
const formats = read('mixed.format.txt');
const expectedRows = read('mixed.expected.tsv').slice(1).map((l) => l.split('\t'));
if (expectedRows.length !== logLines.length || formats.length !== logLines.length) {
  console.error('ruleset-coverage: corpus files disagree on the number of lines');
  process.exit(2);
}

enableLinearRegexpFallback();
const loaded = loadRuleset(rulesetDir);
// One engine for the whole file, clocks as OSSEC's run had them: the whole corpus is processed
// within one timeframe (see ../shared/README.md), so every event gets the same time.
const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
const now = Date.now();

const perFormat = new Map();
const misses = new Map();
let targets = 0;
let hits = 0;
let wardenAlerts = 0;
let wardenAlertsHigh = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < logLines.length; i++) {
  const ev = new LogEvent(logLines[i], 'stdin', 'warden-coverage', now);
  const v = engine.process(ev);
  const wLevel = v.alert && v.rule ? v.rule.level : -1;
  if (v.alert) wardenAlerts++;
  if (wLevel >= minLevel) wardenAlertsHigh++;
  const [, oRule, oLevel, , oAlert, oDesc] = expectedRows[i];
  if (!(oAlert === '1' && Number(oLevel) >= minLevel)) continue;
  targets++;
  const fmt = formats[i];
  let f = perFormat.get(fmt);
  if (!f) perFormat.set(fmt, (f = { targets: 0, hits: 0 }));
  f.targets++;
  if (wLevel >= minLevel) {
    hits++;
    f.hits++;
    continue;
  }
  const got = v.rule ? `warden ${v.rule.id} level ${v.rule.level}${v.alert ? '' : ` (${v.suppressed ?? 'no alert'})`}` : `no warden rule (decoder ${ev.decoderName ?? '-'})`;
  const key = `ossec ${oRule}/${oLevel} "${oDesc}" -> ${got}`;
  let m = misses.get(key);
  if (!m) misses.set(key, (m = { count: 0, examples: [] }));
  m.count++;
  if (m.examples.length < nExamples) m.examples.push(logLines[i]);
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const pct = (a, b) => (b === 0 ? 100 : (100 * a) / b);
const result = {
  ruleset: path.relative(root, rulesetDir) || rulesetDir,
  corpus: path.join(path.relative(root, corpusDir) || corpusDir, 'mixed.log'),
  lines: logLines.length,
  min_level: minLevel,
  ossec_alert_lines: targets,
  warden_covered: hits,
  coverage_pct: Math.round(pct(hits, targets) * 100) / 100,
  warden_alerts_total: wardenAlerts,
  warden_alerts_at_min_level: wardenAlertsHigh,
  per_format: Object.fromEntries([...perFormat].sort().map(([k, f]) => [k, { ...f, pct: Math.round(pct(f.hits, f.targets) * 100) / 100 }])),
  top_misses: [...misses].sort((a, b) => b[1].count - a[1].count).slice(0, 15).map(([reason, m]) => ({ reason, ...m })),
  seconds: Math.round(secs * 100) / 100,
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`ruleset ${result.ruleset} on ${result.corpus} (${result.lines} lines, ${result.seconds}s)`);
  console.log(`lines where OSSEC 4.2.0 alerted at level >= ${minLevel}: ${targets}`);
  console.log(`of those, Warden alerted at level >= ${minLevel}: ${hits}  => coverage ${result.coverage_pct}%`);
  console.log(`Warden alerts in total: ${wardenAlerts} (${wardenAlertsHigh} at level >= ${minLevel})`);
  console.log('\nper format:');
  for (const [k, f] of Object.entries(result.per_format)) {
    console.log(`  ${k.padEnd(10)} ${String(f.hits).padStart(6)} / ${String(f.targets).padEnd(6)} ${f.pct.toFixed(2)}%`);
  }
  console.log(result.top_misses.length ? '\ntop reasons for misses:' : '\nno misses');
  for (const m of result.top_misses) {
    console.log(`  ${String(m.count).padStart(6)}  ${m.reason}`);
    for (const e of m.examples) console.log(`          e.g. ${e.length > 160 ? `${e.slice(0, 160)}...` : e}`);
  }
}
if (failUnder !== null && result.coverage_pct < Number(failUnder)) process.exit(1);
