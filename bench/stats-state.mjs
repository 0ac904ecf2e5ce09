/**
 * The Elasticsearch exporter's hourly stats table as agents grow (issue 16): N agents each
 * counting in every hour of H hours, one spool batch per hour, the state snapshot taken after
 * each round as the exporter does. Prints rows held, heap after GC, snapshot bytes and CPU ms
 * per snapshot (process.cpuUsage, median of 5).
 *   npm run build && npm run bench:stats-state -- --agents 10000 --hours 48 [--open-hours 2|all]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { option, root } from './dist.mjs';

const require = createRequire(import.meta.url);
const dist = path.join(root, 'otel-processor', 'dist', 'spool', 'aggregate.js');
if (!fs.existsSync(dist)) { console.error('bench:stats-state: build first (npm run build)'); process.exit(2); }
const { Aggregator } = require(dist);

const args = process.argv.slice(2);
const agents = Number(option(args, 'agents', '10000'));
const hours = Number(option(args, 'hours', '48'));
const openOpt = option(args, 'open-hours', '2');
const openHours = openOpt === 'all' ? null : Number(openOpt);
if (!(agents > 0 && hours > 0 && (openHours === null || openHours > 0))) { console.error('bench:stats-state: --agents, --hours and --open-hours must be positive (or --open-hours all)'); process.exit(2); }

const HOUR = 3600_000;
const now = Date.UTC(2026, 0, 3);
const agg = new Aggregator('i1', null, 48, openHours);
for (let h = hours - 1; h >= 0; h--) {
  const hour = now - (now % HOUR) - h * HOUR;
  const stats = [];
  for (let a = 0; a < agents; a++) stats.push({ hour, agent: `a${a}`, name: `host${a}`, events: 10, alerts: 1, levels: Object.assign(new Array(17).fill(0), { 3: 1 }), firewall: 0 });
  agg.fold({ seq: hours - h, agents: [], stats });
  agg.takeDirty();
  agg.snapshot(now);
}
globalThis.gc?.();
const heapMb = Math.round(process.memoryUsage().heapUsed / 1048576);
const cpu = [];
let bytes = 0;
for (let i = 0; i < 5; i++) {
  const c0 = process.cpuUsage();
  bytes = JSON.stringify({ agg: agg.snapshot(now) }).length;
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
cpu.sort((a, b) => a - b);
console.log(JSON.stringify({ agents, hours, openHours: openHours ?? 'all', rowsHeld: agg.sizes.stats, heapMbAfterGc: heapMb, snapshotBytes: bytes, snapshotCpuMs: Math.round(cpu[2]) }));
