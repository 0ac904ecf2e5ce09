#!/usr/bin/env node
// Correlation memory as agents grow: generated traffic (tests/generator: per-agent bursts, a
// tenth of the agents busy) spread over N agents through the engine alone, stock OSSEC ruleset.
// Prints engine lines per CPU-second, peak RSS, events remembered, evictions, agents with state.
// Usage: npm run bench:agents -- --agents N --lines M [--budget-mb B] [--seed S] [--ruleset DIR]
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadEngine, option, root, shared } from './dist.mjs';

const require = createRequire(import.meta.url);
const { enableLinearRegexpFallback, loadRuleset, Engine, LogEvent } = loadEngine('bench:agents');
const { stream, iniTemplates, decoderExamples } = require(path.join(root, 'tests', 'generator'));

const args = process.argv.slice(2);
const agents = Number(option(args, 'agents', '1000'));
const lines = Number(option(args, 'lines', '1000000'));
const budgetMb = option(args, 'budget-mb', null);
const seed = Number(option(args, 'seed', '16'));
const rulesetDir = path.resolve(root, option(args, 'ruleset', path.join(shared, 'ossec-4.2.0')));
if (!(agents >= 1) || !(lines >= 1)) {
  console.error('usage: npm run bench:agents -- --agents N --lines M [--budget-mb B] [--seed S]');
  process.exit(2);
}

enableLinearRegexpFallback();
const loaded = loadRuleset(rulesetDir);
const ossec = path.join(shared, 'ossec-4.2.0');
const templates = [...iniTemplates(path.join(ossec, 'tests')), ...decoderExamples(path.join(ossec, 'etc', 'decoder.xml'))];
const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel, ...(budgetMb !== null ? { memoryBudgetBytes: Number(budgetMb) * 1024 * 1024 } : {}) });

// Lines are generated in chunks outside the timed part; only engine.process is timed.
const CHUNK = 10_000;
const gen = stream({ seed, lines, agents, templates });
let cpuUs = 0;
let done = 0;
let alerts = 0;
const chunk = [];
for (;;) {
  chunk.length = 0;
  for (let r = gen.next(); !r.done; r = chunk.length < CHUNK ? gen.next() : { done: true }) chunk.push(r.value);
  if (chunk.length === 0) break;
  const events = chunk.map((g) => {
    const ev = new LogEvent(g.line, 'stdin', g.agent, g.time);
    ev.agentId = g.agent;
    return ev;
  });
  const c0 = process.cpuUsage();
  for (const ev of events) if (engine.process(ev).alert) alerts++;
  const c1 = process.cpuUsage(c0);
  cpuUs += c1.user + c1.system;
  done += events.length;
  if (chunk.length < CHUNK) break;
}
const st = engine.state;
const rssMb = process.resourceUsage().maxRSS / 1024;
if (globalThis.gc) globalThis.gc();
const heapMb = process.memoryUsage().heapUsed / 1048576;
const result = {
  agents, lines: done, alerts,
  linesPerCpuSecond: Math.round(done / (cpuUs / 1e6)),
  peakRssMb: Math.round(rssMb),
  heapAfterMb: Math.round(heapMb),
  eventsRemembered: st.eventsRemembered,
  correlationMb: Math.round(st.bytesRemembered / 1048576),
  budgetMb: Math.round(st.budgetBytes / 1048576),
  evictions: st.evictions,
  agentsWithState: st.agentsWithState,
  agentsReleased: st.scopesReleased,
  engineErrors: engine.errors,
};
console.log(JSON.stringify(result));
