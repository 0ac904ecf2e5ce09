#!/usr/bin/env node
/**
 * bench:fim — files hashed per second and the CPU share of `warden fim` while it scans a tree of
 * small files (default 100,000 files of 64–1,024 bytes in 100 folders, made in a temp dir) at
 * the default rate limit (max_files_per_second), plus one unbounded run for reference.
 * Each run starts from an empty baseline, so every file is read and hashed (MD5, SHA-1,
 * SHA-256), and the baseline is written at the end, as a first scan does.
 * CPU share = (user + system CPU time of this process) / wall time, as a share of one core.
 *
 * Usage: npm run bench:fim [-- --files N --runs N --rate N --no-unbounded]
 * Needs the built otel-processor (npm install builds it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireDist } from './dist.mjs';

const { fimConfigFrom, FIM_DEFAULTS } = requireDist('bench:fim', 'fim/config.js');
const { FimMonitor } = requireDist('bench:fim', 'fim/monitor.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0) { console.error(`--${name} needs a number`); process.exit(2); }
  return v;
};
const FILES = opt('files', 100_000);
const RUNS = opt('runs', 3);
const RATE = opt('rate', FIM_DEFAULTS.maxFilesPerSecond);
const UNBOUNDED = !args.includes('--no-unbounded');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-fim-'));
const tree = path.join(tmp, 'tree');
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));

function makeTree() {
  const t0 = Date.now();
  const perDir = Math.ceil(FILES / 100);
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  let n = 0;
  for (let d = 0; n < FILES; d++) {
    const dir = path.join(tree, `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perDir && n < FILES; i++, n++) {
      const size = 64 + (rnd() % 961);
      const line = `file ${n} ${'x'.repeat(40)} ${rnd()}\n`;
      fs.writeFileSync(path.join(dir, `f${i}.conf`), line.repeat(Math.ceil(size / line.length)).slice(0, size));
    }
  }
  return (Date.now() - t0) / 1000;
}

async function run(rate) {
  const state = fs.mkdtempSync(path.join(tmp, 'state-'));
  const cfg = fimConfigFrom({ endpoint: 'http://127.0.0.1:9', state_dir: state, max_files_per_second: rate, directories: [tree] }, '/');
  const mon = new FimMonitor(cfg, { log: () => undefined });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const s = await mon.scan();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await mon.sender.stop();
  fs.rmSync(state, { recursive: true, force: true });
  if (s.files !== FILES) throw new Error(`scanned ${s.files} files, expected ${FILES}`);
  return { filesPerSec: s.files / wall, cpuShare: (cpu.user + cpu.system) / 1e6 / wall, wall, bytes: s.hashedBytes };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

console.log(`bench:fim: making ${FILES} files under ${tree} ...`);
console.log(`  made in ${makeTree().toFixed(1)}s (${os.cpus().length} CPUs, Node ${process.version})`);
const show = (label, rs) => {
  console.log(`${label}: files hashed/s median ${median(rs.map((r) => r.filesPerSec)).toFixed(0)} (runs: ${rs.map((r) => r.filesPerSec.toFixed(0)).join(', ')}), ` +
    `CPU share median ${(median(rs.map((r) => r.cpuShare)) * 100).toFixed(1)}% of one core (runs: ${rs.map((r) => `${(r.cpuShare * 100).toFixed(1)}%`).join(', ')}), ` +
    `scan time median ${median(rs.map((r) => r.wall)).toFixed(1)}s, ${(rs[0].bytes / 1e6).toFixed(1)} MB hashed per scan`);
};
const limited = [];
for (let i = 0; i < RUNS; i++) limited.push(await run(RATE));
show(`default rate limit (max_files_per_second=${RATE})`, limited);
if (UNBOUNDED && RATE !== 0) show('unbounded (max_files_per_second=0)', [await run(0)]);
