#!/usr/bin/env node
// Phase 3 alone (Engine.match: the rule walk, correlation and its bookkeeping) with the stock
// OSSEC 4.2.0 ruleset on generated lines of each format, as bench:vs-ossec groups them: CPU
// nanoseconds per line. Each pass decodes a fresh copy of the lines first (untimed: match marks
// events) and times a new Engine's match over them, as bench:vs-ossec starts a new Engine per
// pass; per run, the fastest of `passes` passes (this VM's speed drifts; the minimum moves least),
// then the median over runs. Compare two builds by alternating processes (`--dist`), not by
// runs minutes apart.
//
// Usage: npm run bench:match [-- --lines N] [--seed S] [--runs R] [--passes P] [--only FORMAT,...]
//        [--dist DIR]   (another build's otel-processor/dist, e.g. a baseline)
import { median, option, stockBench } from './dist.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const lines = Number(opt('lines', 10_000));
const seed = Number(opt('seed', 11));
const runs = Number(opt('runs', 5));
const passes = Number(opt('passes', 6));

const { generate, Engine, LogEvent, loaded, suites } = stockBench('bench:match', args);

console.log('format          ns/line   runs (fastest pass of each)   alerts/pass');
for (const [name, formats] of suites) {
  // lines as a reader hands them over: flat latin1 strings, not slices of one corpus string
  const corpus = generate({ seed, lines, formats }).lines.map((l) => Buffer.from(l, 'latin1').latin1Slice());
  const decoder = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const T0 = Date.UTC(2026, 0, 1);
  /** The lines decoded afresh (phases 1 and 2), one second apart on the event clock. */
  const decoded = () => {
    const out = [];
    for (let i = 0; i < corpus.length; i++) {
      const ev = new LogEvent(corpus[i], 'stdin', 'bench', T0 + i * 1000);
      if (decoder.predecode(ev)) {
        decoder.decode(ev);
        out.push(ev);
      }
    }
    return out;
  };
  let alerts = 0;
  /** CPU ns a line of one new Engine's match over freshly decoded events. */
  const pass = () => {
    const events = decoded();
    const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
    alerts = 0;
    const c0 = process.cpuUsage();
    for (let i = 0; i < events.length; i++) if (engine.match(events[i]).alert) alerts++;
    const cpu = process.cpuUsage(c0);
    return ((cpu.user + cpu.system) * 1000) / events.length;
  };
  for (let i = 0; i < 6; i++) pass();
  const ns = [];
  for (let r = 0; r < runs; r++) {
    let best = Infinity;
    for (let p = 0; p < passes; p++) best = Math.min(best, pass());
    ns.push(best);
  }
  console.log(`${name.padEnd(14)} ${median(ns).toFixed(0).padStart(7)}   ${ns.map((x) => x.toFixed(0)).join(' ').padEnd(28)} ${alerts}`);
}
