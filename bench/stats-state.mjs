/**
 * The exporters' per-agent state as agents grow (issue 16). Two scenarios, one spool batch per
 * hour (received in that hour), the state snapshot taken after each round as the exporters do:
 * - steady: N agents each counting in every hour of H hours;
 * - churn: N agents in all over H hours, each heard from for 4 hours (N/H new ones an hour).
 * Prints, per scenario: stats rows and agent entries held by the stats table, agents held by the
 * Elasticsearch exporter's agents table, heap after GC, snapshot bytes and CPU ms per snapshot
 * (process.cpuUsage, median of 5).
 *   npm run build && npm run bench:stats-state -- --agents 10000 --hours 48 [--open-hours 2|all] [--scenario steady,churn]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { option, root } from './dist.mjs';

const require = createRequire(import.meta.url);
const dist = path.join(root, 'otel-processor', 'dist');
if (!fs.existsSync(path.join(dist, 'spool', 'aggregate.js'))) { console.error('bench:stats-state: build first (npm run build)'); process.exit(2); }
const { Aggregator } = require(path.join(dist, 'spool', 'aggregate.js'));
const { AgentTable } = require(path.join(dist, 'exporters', 'elasticsearch', 'agent-table.js'));

const args = process.argv.slice(2);
const agents = Number(option(args, 'agents', '10000'));
const hours = Number(option(args, 'hours', '48'));
const openOpt = option(args, 'open-hours', '2');
const openHours = openOpt === 'all' ? null : Number(openOpt);
const scenarios = option(args, 'scenario', 'steady,churn').split(',');
if (!(agents > 0 && hours > 0 && (openHours === null || openHours > 0))) { console.error('bench:stats-state: --agents, --hours and --open-hours must be positive (or --open-hours all)'); process.exit(2); }

const HOUR = 3600_000;
const t0 = Date.UTC(2026, 0, 1);
const levels = () => Object.assign(new Array(17).fill(0), { 3: 1 });

/** The agents heard from in hour h of a scenario. */
const steady = () => Array.from({ length: agents }, (_, a) => a);
const perHour = Math.ceil(agents / hours);
const churn = (h) => {
  const out = [];
  for (let a = Math.max(0, (h - 3) * perHour); a < Math.min(agents, (h + 1) * perHour); a++) out.push(a);
  return out;
};

function run(name, heardFrom) {
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const agg = new Aggregator('i1', null, 48, openHours, false, false);
  const table = new AgentTable('s1', openHours ?? 48);
  let seen = 0;
  for (let h = 0; h < hours; h++) {
    const hour = t0 + h * HOUR;
    const at = hour + 30 * 60_000;
    const stats = [];
    const deltas = [];
    for (const a of heardFrom(h)) {
      seen = Math.max(seen, a + 1);
      stats.push({ hour, agent: `a${a}`, name: `host${a}`, events: 10, alerts: 1, levels: levels(), firewall: 0 });
      deltas.push({ id: `a${a}`, name: `host${a}`, ips: [`10.${a >> 16}.${(a >> 8) & 255}.${a & 255}`], version: 'otelcol/0.160', at, events: 10, alerts: 1 });
    }
    const b = { seq: h + 1, at, agents: deltas, stats };
    agg.fold(b);
    agg.takeDirty();
    // the exporter reads back the agents it does not hold (here: none stored yet)
    for (const id of table.missing([b])) table.seed(id, null);
    table.fold(b);
    table.takeDirty();
    agg.snapshot(at);
    table.snapshot();
  }
  globalThis.gc?.();
  const heapMb = Math.round((process.memoryUsage().heapUsed - heap0) / 1048576);
  const cpu = [];
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    bytes = JSON.stringify({ agg: agg.snapshot(t0 + hours * HOUR), agents: table.snapshot() }).length;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  cpu.sort((x, y) => x - y);
  return { scenario: name, agents, agentsSeen: seen, hours, openHours: openHours ?? 'all', statsRowsHeld: agg.sizes.stats, statsAgentsHeld: agg.sizes.agentHours, esAgentsHeld: table.size, heapMbAfterGc: heapMb, snapshotBytes: bytes, snapshotCpuMs: Math.round(cpu[2]) };
}

if (scenarios.includes('steady')) console.log(JSON.stringify(run('steady', steady)));
if (scenarios.includes('churn')) console.log(JSON.stringify(run('churn', churn)));
