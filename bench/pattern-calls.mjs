#!/usr/bin/env node
// The pattern work of the engine on real lines, measured apart from the rest: the stock OSSEC 4.2.0
// ruleset runs over generated lines of each format (tests/generator, as bench:vs-ossec) while every
// outermost pattern call (test / exec / matchEnd with its subject and start) is recorded; the calls
// are then replayed on the same compiled patterns, timed by CPU time. Prints, per format: pattern
// calls per line, by dialect, and the replay's CPU nanoseconds per call and per line (median of runs).
//
// Usage: npm run bench:pattern-calls [-- --lines N] [--seed S] [--runs R] [--only FORMAT,...] [--top K]
//        [--dist DIR]   (another build's otel-processor/dist, e.g. to compare with a baseline)
//        [--formats F,...]   (generator formats to run as one suite instead of the bench:vs-ossec groups)
import { median, option, stockBench } from './dist.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const lines = Number(opt('lines', 20_000));
const seed = Number(opt('seed', 11));
const runs = Number(opt('runs', 5));
const top = Number(opt('top', 0));

const { generate, Engine, LogEvent, loaded, suites, fromDist } = stockBench('bench:pattern-calls', args);
const P = fromDist('engine/patterns/index.js');

const formatsOpt = opt('formats', '');
if (formatsOpt) suites.splice(0, suites.length, [formatsOpt, formatsOpt.split(',')]);

const classes = [
  ['pcre2', P.Pcre2Pattern],
  ['osregex', P.OsRegexPattern],
  ['osmatch', P.OsMatchPattern],
  ['word', P.WordMatchPattern],
  ['string', P.StringPattern],
];
const methods = ['test', 'exec', 'matchEnd', 'execInto'];
const originals = [];
for (const [, cls] of classes) for (const m of methods) if (Object.prototype.hasOwnProperty.call(cls.prototype, m)) originals.push([cls, m, cls.prototype[m]]);

/** Records the outermost pattern calls made while `fn` runs. */
function record(fn) {
  const calls = [];
  let depth = 0;
  for (const [cls, m, orig] of originals) {
    cls.prototype[m] = function (subject, start, out) {
      if (depth === 0) calls.push({ pattern: this, method: m, subject, start: start ?? 0 });
      depth++;
      try {
        return orig.call(this, subject, start, out);
      } finally {
        depth--;
      }
    };
  }
  try {
    fn();
  } finally {
    for (const [cls, m, orig] of originals) cls.prototype[m] = orig;
  }
  return calls;
}

const captures = { values: [], count: 0 };
function replay(calls) {
  let hits = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    const p = c.pattern;
    const m = c.method;
    const r = m === 'test' ? p.test(c.subject, c.start) : m === 'exec' ? p.exec(c.subject, c.start)
      : m === 'execInto' ? p.execInto(c.subject, c.start, captures) : p.matchEnd(c.subject, c.start);
    if (r === true || (r !== false && r !== null && r !== -1)) hits++;
  }
  return hits;
}

const dialectOf = (p) => classes.find(([, cls]) => p instanceof cls)?.[0] ?? 'other';

console.log('format          calls/line  pcre2  osregex osmatch  word   ns/call  us/line  hits/call');
for (const [name, formats] of suites) {
  const corpus = generate({ seed, lines, formats }).lines;
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const calls = record(() => {
    for (const line of corpus) engine.process(new LogEvent(line, 'stdin', 'bench', Date.now()));
  });
  const by = {};
  for (const c of calls) by[dialectOf(c.pattern)] = (by[dialectOf(c.pattern)] ?? 0) + 1;
  for (let i = 0; i < 3; i++) replay(calls); // warm-up
  const costs = [];
  let hits = 0;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    hits = replay(calls);
    const cpu = process.cpuUsage(c0);
    costs.push(((cpu.user + cpu.system) * 1000) / calls.length);
  }
  const nsPerCall = median(costs);
  const perLine = (k) => ((by[k] ?? 0) / corpus.length).toFixed(2).padStart(7);
  console.log(
    `${name.padEnd(15)} ${(calls.length / corpus.length).toFixed(2).padStart(9)} ${perLine('pcre2')} ${perLine('osregex')} ${perLine('osmatch')} ${perLine('word')}` +
      ` ${nsPerCall.toFixed(1).padStart(8)} ${((nsPerCall * calls.length) / corpus.length / 1000).toFixed(2).padStart(8)} ${(hits / calls.length).toFixed(3).padStart(9)}`,
  );
  if (top > 0) {
    // Costliest patterns of this format: replay each pattern's calls alone.
    const perPattern = new Map();
    for (const c of calls) {
      let a = perPattern.get(c.pattern);
      if (!a) perPattern.set(c.pattern, (a = []));
      a.push(c);
    }
    const rows = [];
    for (const [p, cs] of perPattern) {
      replay(cs);
      const c0 = process.cpuUsage();
      for (let r = 0; r < 3; r++) replay(cs);
      const cpu = process.cpuUsage(c0);
      rows.push({ p, n: cs.length, us: (cpu.user + cpu.system) / 3 });
    }
    rows.sort((a, b) => b.us - a.us);
    for (const { p, n, us } of rows.slice(0, top)) {
      console.log(`   ${((us * 1000) / corpus.length).toFixed(0).padStart(6)} ns/line ${(n / corpus.length).toFixed(2).padStart(5)} calls/line  ${dialectOf(p)} ${JSON.stringify(p.source).slice(0, 90)}`);
    }
  }
}
