/**
 * The real OSSEC 4.2.0 engine as an oracle for generated traffic: builds it (../shared's
 * oracle/build: idempotent, cached, needs root), runs ossec-logtest with its clock set per line
 * (clock-shim.c), and turns its trace into rows with the columns of `warden logtest --format tsv`.
 * Plain CommonJS so the jest suites and scripts/fuzz-ossec.mjs share it.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');

const SHARED = path.resolve(__dirname, '..', '..', '..', '..', 'shared');
const ORACLE_DIR = path.join(SHARED, 'ossec-4.2.0', 'oracle');
/** ossec-logtest reads at most OS_MAXSTR - 8 bytes per fgets (OS_MAXSTR 6144, headers/defs.h). */
const MAX_LINE = 6000;

let prefixCache = null;
/** Builds (first time only) and returns the install prefix of the real engine. */
function oraclePrefix() {
  if (prefixCache) return prefixCache;
  const out = execFileSync(path.join(ORACLE_DIR, 'build'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  prefixCache = out.trim().split('\n').pop();
  return prefixCache;
}

let shimCache = null;
/** Compiles the clock shim once per source version. */
function clockShim() {
  if (shimCache) return shimCache;
  const src = path.join(__dirname, 'clock-shim.c');
  const hash = crypto.createHash('sha1').update(fs.readFileSync(src)).digest('hex').slice(0, 12);
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'warden-oracle');
  const out = path.join(dir, `clock-shim-${hash}.so`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${out}.${process.pid}`;
    execFileSync('gcc', ['-O2', '-shared', '-fPIC', '-o', tmp, src, '-ldl']);
    fs.renameSync(tmp, out);
  }
  shimCache = out;
  return out;
}

/**
 * The real engine's answer for each line: { rule, level, decoder, alert, description } ('-' = none).
 * `timesMs[i]` is line i's time (whole seconds are used, as OSSEC's clock has).
 */
function runOracle(lines, timesMs) {
  const prefix = oraclePrefix();
  const shim = clockShim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-oracle-'));
  try {
    for (const l of lines) {
      if (l.includes('\n') || l.length > MAX_LINE) throw new Error(`oracle input lines must be single lines under ${MAX_LINE} bytes`);
    }
    const input = path.join(work, 'in.log');
    const times = path.join(work, 'times.txt');
    const trace = path.join(work, 'trace.txt');
    fs.writeFileSync(input, lines.length ? `${lines.join('\n')}\n` : '', 'latin1');
    fs.writeFileSync(times, timesMs.map((t) => String(Math.floor(t / 1000))).join('\n'));
    const fdIn = fs.openSync(input, 'r');
    const fdTrace = fs.openSync(trace, 'w');
    try {
      execFileSync(path.join(prefix, 'bin', 'ossec-logtest'), [], {
        stdio: [fdIn, 'ignore', fdTrace],
        env: { ...process.env, LD_PRELOAD: shim, WARDEN_ORACLE_TIMES: times },
        timeout: 1_800_000,
      });
    } catch (e) {
      // logtest exits non-zero at end of input in some builds; its trace is what counts.
      if (e.code === 'ETIMEDOUT' || e.signal) throw e;
    } finally {
      fs.closeSync(fdIn);
      fs.closeSync(fdTrace);
    }
    const tsv = execFileSync('python3', [path.join(ORACLE_DIR, 'trace_to_tsv.py'), input, trace], { encoding: 'latin1', maxBuffer: 1 << 30 });
    const rows = [];
    for (const row of tsv.split('\n').slice(1)) {
      if (!row) continue;
      const c = row.split('\t');
      rows.push({ rule: c[1], level: c[2], decoder: c[3], alert: c[4], description: c[5] });
    }
    if (rows.length !== lines.length) throw new Error(`oracle answered ${rows.length} rows for ${lines.length} lines`);
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The columns compared: decoder, rule id, level and alert. */
function agrees(a, b) {
  return a.rule === b.rule && a.level === b.level && a.decoder === b.decoder && a.alert === b.alert;
}

function show(r) { return `rule ${r.rule} level ${r.level} decoder ${r.decoder} alert ${r.alert}`; }

/**
 * A short line sequence (ending with line `at`) on which Warden still disagrees with the oracle
 * on that last line the same way: first the shortest suffix of the lines before it (binary
 * search), then delta debugging over what is left, within `budget` runs of both engines.
 * `warden(lines, times)` returns Warden's rows for a fresh engine.
 */
function shrink(lines, times, at, warden, oracle = runOracle, budget = 120) {
  const target = lines[at];
  const tTime = times[at];
  let runs = 0;
  const fails = (keep) => {
    runs++;
    const ls = keep.map((i) => lines[i]).concat([target]);
    const ts = keep.map((i) => times[i]).concat([tTime]);
    const o = oracle(ls, ts);
    const w = warden(ls, ts);
    return !agrees(o[o.length - 1], w[w.length - 1]);
  };
  const range = (from, to) => { const r = []; for (let i = from; i < to; i++) r.push(i); return r; };
  // Shortest failing suffix: lo fails (known), hi passes or is `at`.
  let lo = 0;
  let hi = at;
  if (fails([])) hi = lo = at;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fails(range(mid, at))) lo = mid;
    else hi = mid;
  }
  let keep = range(lo, at);
  let n = 2;
  while (keep.length > 0 && runs < budget) {
    const size = Math.ceil(keep.length / n);
    let reduced = false;
    for (let s = 0; s < keep.length && runs < budget; s += size) {
      const without = keep.slice(0, s).concat(keep.slice(s + size));
      if (fails(without)) {
        keep = without;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      n = Math.min(keep.length, n * 2);
    }
  }
  return { lines: keep.map((i) => lines[i]).concat([target]), times: keep.map((i) => times[i]).concat([tTime]), complete: runs < budget };
}

module.exports = { oraclePrefix, clockShim, runOracle, agrees, show, shrink, SHARED, MAX_LINE };

/**
 * Warden's rows for `lines` on a fresh engine, each line at its time on the processing clock,
 * location `stdin` and this machine's hostname as logtest has them. `mods` holds Engine and
 * LogEvent (from the sources under jest, from dist in scripts) and `model`, the correlation
 * bookkeeping to use (OSSEC_LOGTEST: the oracle is ossec-logtest); `loaded` a loaded ruleset.
 */
function wardenRows(mods, loaded, lines, timesMs, engineOut) {
  const engine = new mods.Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel, model: mods.model });
  if (engineOut) engineOut.engine = engine;
  const host = os.hostname();
  const rows = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const ev = new mods.LogEvent(lines[i], 'stdin', host, Math.floor(timesMs[i] / 1000) * 1000);
    const v = engine.process(ev);
    const r = v.rule;
    rows[i] = { rule: r ? String(r.id) : '-', level: r ? String(r.level) : '-', decoder: ev.decoderName ?? '-', alert: v.alert ? '1' : '0', description: r ? r.description : '-' };
  }
  return rows;
}

module.exports.wardenRows = wardenRows;
