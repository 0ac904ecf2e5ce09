// Throughput of phase 1 (pre-decoding) on the 200,000-line mixed corpus.
//
//   node bench/predecode.mjs [corpus] [--dialect ossec|wazuh] [--no-strip] [--runs 5] [--passes 5]
//
// --no-strip passes stripControlChars: false (OSSEC deletes control characters, which costs a
// scan of the whole line; a reader that already guarantees clean lines can skip it).
//
// Runs the built engine (npm run build first, as every benchmark does; see dist.mjs). Lines
// are read and the LogEvent objects are created before timing: a run times `passes` sweeps of the predecoder over all
// events (predecode is idempotent for a given fullLog/location). Reported: the median of
// `runs` runs, in lines per second, after one warm-up run. A second figure includes the
// creation of the LogEvent, i.e. what the engine pays per line for event + phase 1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requireDist, root } from './dist.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const VALUED = new Set(['--dialect', '--runs', '--passes']);
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && VALUED.has(args[i - 1])));
const noStrip = args.includes('--no-strip');
const corpus = positional[0] ?? path.resolve(root, '../shared/corpus/mixed.log');
const dialect = opt('--dialect', 'ossec');
const RUNS = Number(opt('--runs', 5));
const PASSES = Number(opt('--passes', 5));

const { LogEvent } = requireDist('bench/predecode', 'engine/event.js');
const { createPredecoder } = requireDist('bench/predecode', 'engine/predecode/index.js');

// ---- corpus
const text = readFileSync(corpus, 'utf8');
const lines = text.split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const n = lines.length;
const pd = createPredecoder(noStrip ? { dialect, stripControlChars: false } : { dialect });

// A small pool of events, refilled per line: stores the three inputs the caller sets, then phase 1.
// (Sweeping 200k long-lived events instead would mostly measure old-generation GC of the slices.)
const POOL = 256;
const pool = Array.from({ length: POOL }, () => new LogEvent('', 'stdin', 'vm', 0));
function runPhase1Only() {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < PASSES; p++) {
    for (let i = 0; i < n; i++) {
      const ev = pool[i & (POOL - 1)];
      ev.fullLog = lines[i];
      ev.hostname = 'vm';
      pd(ev);
      sink += ev.log.length;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === -1) console.log(sink);
  return s;
}
function runWithEvent() {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < PASSES; p++) {
    for (let i = 0; i < n; i++) {
      const ev = new LogEvent(lines[i], 'stdin', 'vm', 0);
      pd(ev);
      sink += ev.log.length;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === -1) console.log(sink);
  return s;
}
function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }
function measure(fn) {
  fn(); // warm-up
  const rates = [];
  for (let r = 0; r < RUNS; r++) rates.push((n * PASSES) / fn());
  return rates;
}

const fmt = (x) => `${(x / 1e6).toFixed(2)} M lines/s`;
const a = measure(runPhase1Only);
const b = measure(runWithEvent);
let withProg = 0;
for (const l of lines) { const ev = new LogEvent(l, 'stdin', 'vm', 0); pd(ev); if (ev.programName !== null) withProg++; }
console.log(`corpus ${corpus}: ${n} lines, ${(text.length / 1e6).toFixed(1)} MB; dialect ${dialect}${noStrip ? ' (no control-char strip)' : ''}; node ${process.version}`);
console.log(`lines with a program name: ${withProg}`);
console.log(`phase 1 only        : median ${fmt(median(a))}  (runs: ${a.map(fmt).join(', ')})`);
console.log(`new LogEvent + phase 1: median ${fmt(median(b))}  (runs: ${b.map(fmt).join(', ')})`);
