#!/usr/bin/env node
// Durability soak: the fault-injection run of tests/durability/fault-injection.test.ts with more
// cycles. Warden (`warden serve`, built code) is killed with SIGKILL at seeded random moments,
// with a real Elasticsearch cut off or reachable per cycle; at the end every record answered
// 200 must be in alerts.json and in Elasticsearch. Prints the figure: cycles, records
// acknowledged, delivered, duplicates.
// Usage: npm run soak -- --cycles 200 [--seed N]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const cycles = Number(opt('cycles', '200'));
const seed = opt('seed', String(Math.floor(Math.random() * 1e6)));
if (!Number.isInteger(cycles) || cycles < 1) {
  console.error('soak: --cycles must be a positive integer');
  process.exit(2);
}
if (!fs.existsSync(path.join(root, 'otel-processor', 'dist', 'cli', 'main.js'))) {
  console.error('soak: build first (npm run build)');
  process.exit(2);
}
console.log(`soak: ${cycles} SIGKILL cycles, seed ${seed}`);
const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', 'tests/durability/fault-injection.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WARDEN_FAULT_CYCLES: String(cycles), WARDEN_FAULT_SEED: seed },
});
process.exit(r.status ?? 1);
