#!/usr/bin/env node
// Phases 1 and 2 alone (pre-decoding and decoding with the stock OSSEC 4.2.0 decoders) on
// generated lines of each format, as bench:vs-ossec groups them: CPU nanoseconds per line
// (median of runs, each `passes` sweeps over the lines after a warm-up), and with --alloc the
// bytes allocated per line (V8's sampling heap profiler, collected objects included).
//
// Usage: npm run bench:decode [-- --lines N] [--seed S] [--runs R] [--passes P] [--only FORMAT,...]
//        [--alloc] [--dist DIR]   (another build's otel-processor/dist, e.g. a baseline)
import inspector from 'node:inspector';
import { median, option, stockBench } from './dist.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const lines = Number(opt('lines', 10_000));
const seed = Number(opt('seed', 11));
const runs = Number(opt('runs', 7));
const passes = Number(opt('passes', 5));
const alloc = args.includes('--alloc');

const { generate, Engine, LogEvent, loaded, suites } = stockBench('bench:decode', args);

let session = null;
const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
if (alloc) {
  session = new inspector.Session();
  session.connect();
  await post('HeapProfiler.enable');
}

console.log(`format          ns/line   runs${alloc ? '   bytes/line' : ''}`);
for (const [name, formats] of suites) {
  // lines as a reader hands them over: flat latin1 strings, not slices of one corpus string
  const corpus = generate({ seed, lines, formats }).lines.map((l) => Buffer.from(l, 'latin1').latin1Slice());
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  let claimed = 0;
  const sweep = () => {
    for (let i = 0; i < corpus.length; i++) {
      const ev = new LogEvent(corpus[i], 'stdin', 'bench', 0);
      if (engine.predecode(ev) && engine.decode(ev) !== null) claimed++;
    }
  };
  for (let i = 0; i < 30; i++) sweep();
  const ns = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    for (let p = 0; p < passes; p++) sweep();
    const cpu = process.cpuUsage(c0);
    ns.push(((cpu.user + cpu.system) * 1000) / (passes * corpus.length));
  }
  let bytes = '';
  if (alloc) {
    await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    for (let p = 0; p < passes; p++) sweep();
    const { profile } = await post('HeapProfiler.stopSampling');
    let total = 0;
    (function walk(n) {
      total += n.selfSize;
      for (const c of n.children) walk(c);
    })(profile.head);
    bytes = (total / (passes * corpus.length)).toFixed(0).padStart(13);
  }
  if (claimed < 0) console.log(claimed);
  console.log(`${name.padEnd(14)} ${median(ns).toFixed(0).padStart(7)}   ${ns.map((x) => x.toFixed(0)).join(' ')}${bytes}`);
}
