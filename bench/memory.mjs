#!/usr/bin/env node
// What the bench:vs-ossec worker's peak RSS is made of, and what the engine allocates per line.
//
// Usage: npm run bench:memory [-- --only FORMAT] [--lines N] [--seed S] [--runs R] [--alloc]
//        (FORMAT as in bench:vs-ossec: all, sshd, auth, ...; node flags go before the script:
//        node --max-semi-space-size=32 bench/memory.mjs --only all)
//
// Runs the vs-ossec worker's work (the stock OSSEC ruleset, 50,000 warm-up lines of another seed,
// then R timed passes, each a new Engine, each alert written as alerts.log bytes to /dev/null)
// and samples memory every 4,096 lines. Prints, at the highest RSS seen: the node binary's
// resident pages, the V8 spaces (young generation, old generation used and committed, code,
// large objects), external memory (Buffers: the corpus), and the rest (malloc). Then, after a
// full collection: the heap with the last engine held and dropped (what its correlation memory
// holds) and the events it holds. With --alloc: bytes allocated per line by function over the
// timed passes (V8's sampling heap profiler, collected objects included).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { FORMATS_BY_GROUP, loadEngine, option, requireDist, root, shared } from './dist.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const only = option(args, 'only', 'all');
const seed = Number(option(args, 'seed', '11'));
const runs = Number(option(args, 'runs', '5'));
const FORMATS = FORMATS_BY_GROUP;
if (!Object.hasOwn(FORMATS, only)) {
  console.error(`bench:memory: --only must be one of ${Object.keys(FORMATS).join(', ')}`);
  process.exit(2);
}
const lines = Number(option(args, 'lines', only === 'all' ? '30000' : '10000'));
const WARMUP_LINES = 50_000;
const MB = (x) => Math.round((x / 1048576) * 10) / 10;

/** Resident MB of the node binary's own pages (file-backed, shared) and of everything else, from /proc/self/smaps. */
function residentByMapping() {
  let binary = 0;
  let total = 0;
  let mapping = '';
  for (const l of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
    if (m) { mapping = m[1]; continue; }
    const r = /^Rss:\s+(\d+) kB/.exec(l);
    if (!r) continue;
    total += Number(r[1]);
    if (mapping === process.execPath || path.basename(mapping) === path.basename(process.execPath)) binary += Number(r[1]);
  }
  return { binary: binary / 1024, total: total / 1024 };
}

function sample() {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s]));
  const young = spaces.new_space.space_size + spaces.new_large_object_space.space_size;
  return {
    rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, young,
    oldUsed: spaces.old_space.space_used_size, oldCommitted: spaces.old_space.space_size,
    code: spaces.code_space.space_size + spaces.code_large_object_space.space_size,
    large: spaces.large_object_space.space_size, heapTotal: m.heapTotal,
  };
}

if (args[0] === '--worker') await worker(args[1], args[2], args[3] === 'alloc');
else main();

/** Parent: the corpora as files (as bench:vs-ossec writes them), then one child to measure memory and, with --alloc, one to sample allocations. */
function main() {
  loadEngine('bench:memory'); // exits with a hint when the engine is not built
  const { generate } = require(path.join(root, 'tests', 'generator', 'index.js'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-memory-'));
  try {
    const timedFile = path.join(work, 'timed.log');
    const warmFile = path.join(work, 'warm.log');
    fs.writeFileSync(timedFile, generate({ seed, lines, formats: FORMATS[only] }).lines.join('\n') + '\n', 'latin1');
    fs.writeFileSync(warmFile, generate({ seed: seed + 1000, lines: Math.min(WARMUP_LINES, lines), formats: FORMATS[only] }).lines.join('\n') + '\n', 'latin1');
    const child = (mode) => {
      // the same node flags as this process (e.g. --max-semi-space-size), and --expose-gc for the live-heap figures
      const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--worker', timedFile, warmFile, mode, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) throw new Error(`bench:memory worker failed (${r.status})`);
      return r.stdout;
    };
    process.stdout.write(child('memory'));
    if (args.includes('--alloc')) process.stdout.write(child('alloc'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Child: the vs-ossec worker's work over the two files, measured. */
async function worker(timedFile, warmFile, alloc) {
  const { openRuleset, Engine, LogEvent } = loadEngine('bench:memory');
  const { AlertsLogWriter } = requireDist('bench:memory', 'alert/alerts-log.js');
  const timed = fs.readFileSync(timedFile);
  const warm = fs.readFileSync(warmFile);
  const atStart = residentByMapping();
  // opened as warden serve and the vs-ossec workers open it (the same V8 settings)
  const loaded = openRuleset(path.join(shared, 'ossec-4.2.0'));
  globalThis.gc?.();
  const afterLoad = sample();
  const devNull = fs.openSync('/dev/null', 'w');
  let peak = sample();
  let engine = null;
  /** One pass as the vs-ossec worker runs it; returns the lines. */
  function pass(buf) {
    engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
    const out = new AlertsLogWriter();
    let n = 0;
    for (let from = 0, end = buf.length; from < end;) {
      let nl = buf.indexOf(10, from);
      if (nl < 0) nl = end;
      const line = buf.latin1Slice(from, nl);
      from = nl + 1;
      const ev = new LogEvent(line, 'stdin', 'bench', Date.now());
      const verdict = engine.process(ev);
      if (verdict.alert) {
        out.add(ev, verdict);
        if (out.pending >= 1 << 16) out.flush((b) => fs.writeSync(devNull, b));
      }
      if ((++n & 4095) === 0) {
        const s = sample();
        if (s.rss > peak.rss) peak = s;
      }
    }
    out.flush((b) => fs.writeSync(devNull, b));
    return n;
  }
  for (let done = 0; done < WARMUP_LINES;) done += pass(warm);
  let session = null;
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  if (alloc) {
    session = new Session();
    session.connect();
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  let timedLines = 0;
  for (let r = 0; r < runs; r++) timedLines += pass(timed);
  const allocation = session ? (await post('HeapProfiler.stopSampling')).profile : null;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const mapped = residentByMapping();
  const held = engine.state.eventsRemembered;
  globalThis.gc?.();
  const withEngine = process.memoryUsage().heapUsed;
  engine = null;
  globalThis.gc?.();
  const withoutEngine = process.memoryUsage().heapUsed;

  if (alloc) { printAllocation(allocation, timedLines); return; }
  const p = peak;
  const rest = p.rss - mapped.binary * 1048576 - p.heapTotal - p.external;
  console.log(`bench:memory ${only}: ${lines} lines (seed ${seed}), ${runs} timed passes after ${WARMUP_LINES} warm-up lines; node ${process.version} ${process.execArgv.filter((a) => a !== '--expose-gc').join(' ')}; load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(`peak RSS (maxRSS) ${MB(maxRss)} MB; highest sampled ${MB(p.rss)} MB, made of:`);
  console.log(`  node binary, resident pages     ${mapped.binary.toFixed(1)} MB (at start ${atStart.binary.toFixed(1)} of ${atStart.total.toFixed(1)})`);
  console.log(`  V8 young generation            ${MB(p.young)} MB (two semi-spaces; --max-semi-space-size)`);
  console.log(`  V8 old generation              ${MB(p.oldCommitted)} MB committed, ${MB(p.oldUsed)} MB used (live and not yet collected)`);
  console.log(`  V8 code, large objects         ${MB(p.code)} MB, ${MB(p.large)} MB`);
  console.log(`  external (Buffers)             ${MB(p.external)} MB (the two corpora: ${MB(timed.length + warm.length)} MB)`);
  console.log(`  the rest (malloc, stacks)      ${MB(rest)} MB`);
  console.log(`after loading the ruleset: heap used ${MB(afterLoad.heapUsed)} MB`);
  if (globalThis.gc) {
    console.log(`after a full collection: heap used ${MB(withEngine)} MB with the last engine, ${MB(withoutEngine)} MB without: its correlation memory holds ${held} events in ${MB(withEngine - withoutEngine)} MB (${Math.round((withEngine - withoutEngine) / Math.max(1, held))} bytes an event)`);
  } else console.log('(run with node --expose-gc for the live heap with and without the engine)');
}

/** Bytes allocated per line by function (builtins by their caller). */
function printAllocation(allocation, timedLines) {
  const by = new Map();
  let total = 0;
  const walk = (n, caller) => {
    const own = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(otel-processor\/dist|bench)\//, '')}:${n.callFrame.lineNumber + 1}`;
    const name = n.callFrame.url ? own : `${own} <- ${caller}`; // builtins by their caller
    if (n.selfSize) { by.set(name, (by.get(name) ?? 0) + n.selfSize); total += n.selfSize; }
    for (const c of n.children) walk(c, own);
  };
  walk(allocation.head, '');
  console.log(`allocated: ${Math.round(total / timedLines)} bytes a line (sampled), by function:`);
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${(v / timedLines).toFixed(0).padStart(5)} B/line ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
