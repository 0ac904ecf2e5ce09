#!/usr/bin/env node
// Warden against the real OSSEC 4.2.0 engine, format by format: the same stock ruleset and the
// same generated lines (tests/generator, fixed seed), lines per CPU-second of each engine.
//
// Usage: npm run bench:vs-ossec [-- --lines N] [--seed S] [--runs R] [--processes P]
//        [--only FORMAT,...] [--json]
//        [--node-args "--max-semi-space-size=32 ..."]  (node/V8 flags for Warden's workers, to
//        measure a setting; the default is none: the workers open the ruleset as `warden serve`
//        does, with the V8 settings it sets at run time, loader/v8-settings.ts)
//
// OSSEC: its ossec-logtest (built by ../shared/ossec-4.2.0/oracle/build, -O2) reads the corpus on
// stdin with -a (alerts only, as analysisd writes them). Without -a logtest prints its phase trace
// with one unbuffered write(2) per message (testrule.c print_out to stderr), which tripled its CPU
// time and so understated OSSEC's engine. CPU time is the child's user+system time (getrusage of
// the waited child) minus that of a run over an empty input (its start-up: config and rule loading).
// Warden: a child process loads the same ruleset, processes other lines of the same formats
// (another seed) untimed until 50,000 lines have gone through (warm-up: V8 optimises the per-line
// code over the first tens of thousands of lines, as in a running service), then the corpus
// timed pass by timed pass (each alert also written as alerts.log text to /dev/null, as OSSEC's
// -a does; a new Engine per pass, lines cut afresh each pass, ruleset loading not counted); CPU
// time from process.cpuUsage, peak RSS from the child's maxRSS. `processes` such children (default
// 3: V8's optimisation decisions differ between processes), each running `runs` timed passes;
// Warden's figure is the median of all their passes, peak RSS the largest; the first pass of each
// (the first lines after the warm-up) is printed beside them.
// Interleaved: every Warden pass follows an OSSEC start-up run and an OSSEC run over the corpus,
// so that a drift of the machine's speed (this kind of VM's moves by up to 40% over minutes,
// host-side) touches both engines alike rather than one of them. Before each timed pass the
// worker runs its warm-up lines once more, untimed, so that the pass finds the caches as a
// service under load does rather than full of OSSEC's data.
// Warden, whole run: what OSSEC's figure is, one process over the corpus once: a fresh child
// opens the ruleset (as `warden serve` does; not counted, as OSSEC's start-up is subtracted) and
// runs the timed corpus once, cold, V8's tier-up (interpreter, background Turbofan compiles)
// included; median of max(runs, processes) such processes.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FORMAT_GROUPS, linesOf, loadEngine, median, option, requireDist, root, shared } from './dist.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const rulesetDir = path.join(shared, 'ossec-4.2.0');
const WARMUP_LINES = 50_000;
/** OSSEC runs over each corpus, at least (each beside a start-up run). */
const MIN_OSSEC_RUNS = 11;
/** Input bytes per receive-time reading (one OTLP request's worth of log lines). */
const CLOCK_BYTES = 1 << 16;


/**
 * Child: Warden over one corpus file, warmed up on another. Prints `{"ready":...}` after the
 * warm-up, then one timed pass per `pass` line on stdin (`{"rate":...,"alerts":...}`), and at the
 * end of stdin its peak RSS. The parent interleaves these passes with OSSEC's runs.
 */
function worker(corpus, warmupCorpus) {
  const pass = passOver(openWarden());
  const timedBuf = fs.readFileSync(corpus);
  const warmBuf = fs.readFileSync(warmupCorpus);
  const count = (buf) => {
    let n = 0;
    for (const _ of linesOf(buf)) n++;
    return n;
  };
  const timedLines = count(timedBuf);
  const warmLines = count(warmBuf);
  // Warm-up on other lines of the same formats (another seed) until WARMUP_LINES have gone
  // through: V8 optimises the per-line code over the first tens of thousands of lines, as in a
  // running service. No forced collection between passes (a service never has one; V8 runs the
  // following lines markedly slower after one).
  let firstPass = 0;
  for (let done = 0; done < WARMUP_LINES; done += warmLines) {
    const { rate } = pass(warmBuf, warmLines);
    if (done === 0) firstPass = rate;
  }
  const say = (o) => fs.writeSync(1, JSON.stringify(o) + '\n');
  say({ ready: true, lines: timedLines, first_pass_lines_per_cpu_sec: firstPass });
  // Commands arrive one line at a time on stdin (read synchronously: nothing else runs meanwhile).
  const cmd = Buffer.alloc(64);
  let pending = '';
  for (;;) {
    let nl = pending.indexOf('\n');
    if (nl < 0) {
      let got = 0;
      try {
        got = fs.readSync(0, cmd, 0, cmd.length, null);
      } catch (e) {
        if (e.code === 'EAGAIN') continue;
        throw e;
      }
      if (got === 0) break;
      pending += cmd.toString('latin1', 0, got);
      continue;
    }
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line === 'pass') {
      // Untimed first, the warm-up lines once more: the timed pass then starts as a service under
      // load runs, its caches holding its own data. Straight after the OSSEC runs the parent
      // interleaves, a 10,000-line pass measured 5-25% slower (the same, in one process, after
      // sweeping 32 MB of other memory for 0.3 s; not after sleeping as long).
      pass(warmBuf, warmLines);
      const { rate, alerts } = pass(timedBuf, timedLines);
      say({ rate, alerts });
    }
  }
  say({ peak_rss_mb: process.resourceUsage().maxRSS / 1024 });
}

/** The stock ruleset opened as `warden serve` opens it (the same V8 settings, no others). */
function openWarden() {
  const { openRuleset, Engine, LogEvent } = loadEngine('bench:vs-ossec');
  const { AlertsLogWriter } = requireDist('bench:vs-ossec', 'alert/alerts-log.js');
  return { loaded: openRuleset(rulesetDir), Engine, LogEvent, AlertsLogWriter };
}

/** A function running one pass with a new Engine over a buffer of `n` lines: lines per CPU-second and alerts. */
function passOver({ loaded, Engine, LogEvent, AlertsLogWriter }) {
  // alerts.log bytes go to /dev/null in 64 KiB writes, as OSSEC's stdout (a stdio buffer) does here
  const devNull = fs.openSync('/dev/null', 'w');
  const toDevNull = (bytes) => fs.writeSync(devNull, bytes);
  return (buf, n) => {
    const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
    let alerts = 0;
    const out = new AlertsLogWriter();
    const c0 = process.cpuUsage();
    // The receive time is read once per 64 KiB of input, as the service reads it once per OTLP
    // request (processor.ts: `now` per request) rather than once per line (~50 ns a line here).
    let now = Date.now();
    let clockAt = CLOCK_BYTES;
    // lines cut afresh as latin1 strings, as linesOf does (the loop inline: no iterator step per line)
    for (let from = 0, end = buf.length; from < end;) {
      let nl = buf.indexOf(10, from);
      if (nl < 0) nl = end;
      const line = buf.latin1Slice(from, nl);
      from = nl + 1;
      if (from >= clockAt) {
        now = Date.now();
        clockAt = from + CLOCK_BYTES;
      }
      const ev = new LogEvent(line, 'stdin', 'bench', now);
      const verdict = engine.process(ev);
      if (!verdict.alert) continue;
      alerts++;
      // The alert written out as OSSEC's alerts.log text, the work `ossec-logtest -a` does per
      // alert: from the event and verdict, as bytes into one buffer (no document, no string).
      out.add(ev, verdict);
      if (out.pending >= 1 << 16) out.flush(toDevNull);
    }
    out.flush(toDevNull);
    const cpu = process.cpuUsage(c0);
    return { rate: n / ((cpu.user + cpu.system) / 1e6), alerts };
  };
}

/** Child: Warden's whole run, one pass over the corpus right after opening the ruleset; prints one JSON object. */
function wholeRunWorker(corpus) {
  const pass = passOver(openWarden());
  const buf = fs.readFileSync(corpus);
  let lines = 0;
  for (const _ of linesOf(buf)) lines++;
  const { rate, alerts } = pass(buf, lines);
  console.log(JSON.stringify({ lines, alerts, whole_run_lines_per_cpu_sec: rate, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

/** CPU seconds (user+system) the OSSEC child spent on `input`. */
function ossecCpu(prefix, input) {
  // Python's os.wait4 gives the waited child's own rusage; node has no per-child rusage.
  const py = [
    'import os, sys',
    'fd = os.open(sys.argv[2], os.O_RDONLY)',
    'null = os.open(os.devnull, os.O_WRONLY)',
    'pid = os.fork()',
    'if pid == 0:',
    '    os.dup2(fd, 0); os.dup2(null, 1); os.dup2(null, 2)',
    "    os.execv(sys.argv[1], [sys.argv[1], '-a'])",
    '_, status, ru = os.wait4(pid, 0)',
    'print(ru.ru_utime + ru.ru_stime)',
  ].join('\n');
  const out = execFileSync('python3', ['-c', py, path.join(prefix, 'bin', 'ossec-logtest'), input], { encoding: 'utf8' });
  return Number(out.trim());
}

async function main() {
  const linesPerFormat = Number(opt('lines', '10000'));
  const seed = Number(opt('seed', '11'));
  const runs = Number(opt('runs', '3'));
  const processes = Math.max(1, Number(opt('processes', '3')));
  // Warden's timed passes per worker; OSSEC runs once per Warden pass (at least MIN_OSSEC_RUNS times)
  const rounds = Math.max(runs, Math.ceil(MIN_OSSEC_RUNS / processes));
  const json = args.includes('--json');
  const only = opt('only', '')?.split(',').filter(Boolean) ?? [];
  const nodeArgs = opt('node-args', '')?.split(' ').filter(Boolean) ?? [];
  loadEngine('bench:vs-ossec'); // exits with a hint when the engine is not built

  const oracle = path.join(shared, 'ossec-4.2.0', 'oracle', 'build');
  let prefix;
  try {
    prefix = execFileSync(oracle, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch {
    console.error('bench:vs-ossec: could not build the OSSEC oracle (see the message above; needs root)');
    process.exit(2);
  }

  const { generate } = require(path.join(root, 'tests', 'generator', 'index.js'));
  // The formats of the issue; "all" is the generator's whole mix (every format it writes).
  const suites = FORMAT_GROUPS.map((g) => ({ ...g, lines: g.name === 'all' ? linesPerFormat * 3 : undefined }))
    .filter((s) => only.length === 0 || only.includes(s.name));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-vs-ossec-'));
  const empty = path.join(work, 'empty.log');
  fs.writeFileSync(empty, '');
  const results = [];
  try {
    const startups = [];
    for (const s of suites) {
      const gen = generate({ seed, lines: s.lines ?? linesPerFormat, formats: s.formats });
      const file = path.join(work, `${s.name}.log`);
      fs.writeFileSync(file, gen.lines.join('\n') + '\n', 'latin1');
      const n = gen.lines.length;
      // Warm-up lines of the same formats from another seed: the timed lines are new to the engine.
      const warm = generate({ seed: seed + 1000, lines: Math.min(WARMUP_LINES, s.lines ?? linesPerFormat), formats: s.formats });
      const warmFile = path.join(work, `${s.name}.warmup.log`);
      fs.writeFileSync(warmFile, warm.lines.join('\n') + '\n', 'latin1');
      // `processes` warm workers: V8's optimisation decisions differ between processes, so every
      // timed pass of every process counts, none discarded.
      const workers = [];
      for (let p = 0; p < processes; p++) workers.push(new WardenWorker([...nodeArgs, fileURLToPath(import.meta.url), '--worker', file, warmFile], s.name));
      const ready = [];
      for (const w of workers) ready.push(await w.next());
      // Interleaved: each Warden pass sits between an OSSEC start-up run and an OSSEC run over the
      // corpus, so a change of the machine's speed (this VM's drifts by up to 40% over minutes,
      // host-side) touches both engines alike instead of one. OSSEC's runs are short (10,000 lines
      // take it about 0.05 CPU-s beside 0.04 of start-up, which itself moves): the lines' CPU is the
      // median of at least 11 runs over the corpus less the median of the start-up runs among them.
      const formatStartups = [];
      const fullRuns = [];
      const wardenRuns = [];
      const firstTimed = [];
      for (let r = 0; r < rounds; r++) {
        for (let p = 0; p < processes; p++) {
          formatStartups.push(ossecCpu(prefix, empty));
          fullRuns.push(ossecCpu(prefix, file));
          const { rate } = await workers[p].pass();
          wardenRuns.push(rate);
          if (r === 0) firstTimed.push(rate);
        }
      }
      const peaks = [];
      for (const w of workers) peaks.push((await w.end()).peak_rss_mb);
      startups.push(...formatStartups);
      const ossec = n / Math.max(1e-6, median(fullRuns) - median(formatStartups));
      const w = {
        lines_per_cpu_sec: median(wardenRuns),
        first_timed_lines_per_cpu_sec: median(firstTimed),
        first_pass_lines_per_cpu_sec: median(ready.map((x) => x.first_pass_lines_per_cpu_sec)),
        peak_rss_mb: Math.max(...peaks),
      };
      const wholeRuns = [];
      for (let r = 0; r < Math.max(runs, processes); r++) {
        const once = spawnSync(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), '--whole-run-worker', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
        if (once.status !== 0) throw new Error(`warden whole-run worker failed on ${s.name}: ${once.stderr}`);
        wholeRuns.push(JSON.parse(once.stdout.trim().split('\n').pop()).whole_run_lines_per_cpu_sec);
      }
      const whole = median(wholeRuns);
      results.push({
        format: s.name, label: s.label, lines: n,
        ossec_lines_per_cpu_sec: Math.round(ossec),
        warden_lines_per_cpu_sec: Math.round(w.lines_per_cpu_sec),
        warden_first_timed_lines_per_cpu_sec: Math.round(w.first_timed_lines_per_cpu_sec),
        warden_cold_lines_per_cpu_sec: Math.round(w.first_pass_lines_per_cpu_sec),
        ratio: Math.round((w.lines_per_cpu_sec / ossec) * 100) / 100,
        warden_whole_run_lines_per_cpu_sec: Math.round(whole),
        whole_run_ratio: Math.round((whole / ossec) * 100) / 100,
        warden_peak_rss_mb: Math.round(w.peak_rss_mb * 10) / 10,
      });
    }
    const result = {
      ruleset: path.relative(root, rulesetDir), seed, runs: rounds, processes, node_args: nodeArgs, ossec_startup_cpu_sec: median(startups),
      load_average: os.loadavg()[0], cores: os.cpus().length, formats: results,
    };
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`stock OSSEC 4.2.0 ruleset, generator seed ${seed}, lines per CPU-second; Warden: median of ${rounds} timed runs in each of ${processes} worker processes, interleaved with OSSEC's runs (peak RSS: the largest)`);
      console.log('| format | lines | OSSEC | Warden | ratio | Warden, first timed run | Warden, whole run (cold, one pass) | whole-run ratio | Warden peak RSS |');
      console.log('|---|---|---|---|---|---|---|---|---|');
      for (const r of results) {
        console.log(`| ${r.label} | ${r.lines} | ${r.ossec_lines_per_cpu_sec} | ${r.warden_lines_per_cpu_sec} | ${r.ratio.toFixed(2)} | ${r.warden_first_timed_lines_per_cpu_sec} | ${r.warden_whole_run_lines_per_cpu_sec} | ${r.whole_run_ratio.toFixed(2)} | ${r.warden_peak_rss_mb} MB |`);
      }
      console.log('Warden: after 50,000 warm-up lines (a running service); whole run: a fresh process over the corpus once, as OSSEC runs (ruleset loading not counted, V8 warming up counted)');
      console.log(`OSSEC start-up (subtracted, median of every format's runs): ${result.ossec_startup_cpu_sec.toFixed(3)} CPU-s; load average ${result.load_average.toFixed(2)} on ${result.cores} cores${nodeArgs.length ? `; Warden's worker ran with ${nodeArgs.join(' ')}` : ''}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A warm worker child (`--worker`), driven one timed pass at a time. */
class WardenWorker {
  constructor(argv, name) {
    this.name = name;
    this.child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = [];
    this.waiting = null;
    this.stderr = '';
    let buf = '';
    this.child.stdout.setEncoding('utf8').on('data', (d) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        this.lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      this.wake();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    this.exited = false;
    this.child.on('exit', (code) => {
      this.exited = true;
      this.code = code;
      this.wake();
    });
  }

  wake() {
    const w = this.waiting;
    if (w !== null && (this.lines.length > 0 || this.exited)) {
      this.waiting = null;
      w();
    }
  }

  /** The worker's next JSON line. */
  async next() {
    while (this.lines.length === 0) {
      if (this.exited) throw new Error(`warden worker failed on ${this.name} (exit ${this.code}): ${this.stderr}`);
      await new Promise((resolve) => (this.waiting = resolve));
    }
    return JSON.parse(this.lines.shift());
  }

  /** One timed pass over the corpus: { rate, alerts }. */
  pass() {
    this.child.stdin.write('pass\n');
    return this.next();
  }

  /** Ends the worker: { peak_rss_mb }. */
  async end() {
    this.child.stdin.end();
    return this.next();
  }
}

if (args[0] === '--worker') worker(args[1], args[2]);
else if (args[0] === '--whole-run-worker') wholeRunWorker(args[1]);
else await main();
