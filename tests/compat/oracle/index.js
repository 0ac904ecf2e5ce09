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
 * ossec-logtest's three-phase trace (its stderr), one row per input line: as
 * ../shared/ossec-4.2.0/oracle/trace_to_tsv.py reads it (lines shorter than 2 characters get
 * no block), plus the fields phase 2 prints (`fields`: sorted `name=value` lines).
 */
function parseTrace(lines, text) {
  const blocks = [];
  let cur = null;
  for (const t of text.split('\n')) {
    if (t.startsWith('**Phase 1: Completed pre-decoding.')) {
      cur = { rule: '-', level: '-', decoder: '-', alert: '0', description: '-', phase: 1, fields: new Map() };
      blocks.push(cur);
    } else if (cur === null) continue;
    else if (t.startsWith('**Phase 2:')) cur.phase = 2;
    else if (t.startsWith('**Phase 3:')) cur.phase = 3;
    else if (t.startsWith('**Alert to be generated.')) cur.alert = '1';
    else if (cur.phase === 2) {
      const m = /^ {7}([A-Za-z0-9_.-]+): '(.*)'$/.exec(t);
      if (!m) continue;
      if (m[1] === 'decoder') cur.decoder = m[2] === '(null)' ? '-' : m[2];
      else cur.fields.set(m[1], m[2]);
    } else if (cur.phase === 3) {
      for (const [key, name] of [['rule', 'Rule id'], ['level', 'Level'], ['description', 'Description']]) {
        const prefix = `       ${name}: '`;
        if (t.startsWith(prefix)) cur[key] = t.slice(prefix.length, -1).replace(/\t/g, ' ');
      }
    }
  }
  const rows = [];
  let used = 0;
  for (const line of lines) {
    if (line.length < 2 || used >= blocks.length) {
      rows.push({ rule: '-', level: '-', decoder: '-', alert: '0', description: '-', fields: '' });
      continue;
    }
    const b = blocks[used++];
    rows.push({ rule: b.rule, level: b.level, decoder: b.decoder, alert: b.alert, description: b.description, fields: fieldsText(b.fields) });
  }
  if (used !== blocks.length) throw new Error(`oracle: ${blocks.length} trace blocks for ${used} lines`);
  return rows;
}

function fieldsText(map) {
  return [...map.entries()].map(([k, v]) => `${k}=${v}`).sort().join('\n');
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
    const rows = parseTrace(lines, fs.readFileSync(trace).toString('latin1'));
    if (rows.length !== lines.length) throw new Error(`oracle answered ${rows.length} rows for ${lines.length} lines`);
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** What is compared: decoder, rule id, level, alert, and the decoded fields phase 2 prints. */
function agrees(a, b) {
  return a.rule === b.rule && a.level === b.level && a.decoder === b.decoder && a.alert === b.alert && (a.fields === undefined || b.fields === undefined || a.fields === b.fields);
}

function show(r, other) {
  const fields = other && other.fields !== undefined && r.fields !== other.fields ? ` fields {${(r.fields ?? '').replace(/\n/g, ', ')}}` : '';
  return `rule ${r.rule} level ${r.level} decoder ${r.decoder} alert ${r.alert}${fields}`;
}

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
  if (engineOut) { engineOut.engine = engine; engineOut.errors = engineOut.errors ?? 0; }
  const decoders = loaded.ruleset.decoders.decoders;
  const byName = new Map(decoders.map((d) => [d.name, d]));
  const host = os.hostname();
  const rows = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const ev = new mods.LogEvent(lines[i], 'stdin', host, Math.floor(timesMs[i] / 1000) * 1000);
    // The three phases one by one (as engine.process), to read the fields phase 2 decoded before
    // phase 3's accumulator fills in fields from earlier lines (logtest prints them then too).
    let v = NO_VERDICT;
    let fields = '';
    try {
      if (engine.predecode(ev)) {
        engine.decode(ev);
        const dec = ev.decoderIndex >= 0 ? decoders[ev.decoderIndex] : null;
        // Plugin decoders set fields without logtest printing them: not compared.
        fields = dec === null ? '' : usesPlugin(dec, byName) ? undefined : wardenFields(ev);
        v = engine.match(ev);
      }
    } catch (e) {
      if (!engineOut) throw e;
      engineOut.errors++;
      engineOut.lastError = e;
    }
    const r = v.rule;
    rows[i] = { rule: r ? String(r.id) : '-', level: r ? String(r.level) : '-', decoder: ev.decoderName ?? '-', alert: v.alert ? '1' : '0', description: r ? r.description : '-', fields };
  }
  return rows;
}

const NO_VERDICT = { rule: null, alert: false };

function usesPlugin(dec, byName) {
  for (let d = dec; d; d = d.parent ? byName.get(d.parent) : null) if (d.plugin) return true;
  return false;
}

/** Phase 2's fields as ossec-logtest names them (see cli/logtest.ts formatTrace). */
const STATIC_FIELDS = [['srcip', 'srcip'], ['dstip', 'dstip'], ['srcport', 'srcport'], ['dstport', 'dstport'], ['protocol', 'proto'], ['action', 'action'], ['srcuser', 'srcuser'], ['dstuser', 'dstuser'], ['id', 'id'], ['status', 'status'], ['url', 'url'], ['data', 'extra_data'], ['system_name', 'system_name']];
function wardenFields(ev) {
  const map = new Map();
  for (const [prop, name] of STATIC_FIELDS) if (ev[prop] !== null && ev[prop] !== undefined) map.set(name, ev[prop]);
  if (ev.fields) for (const [k, v] of ev.fields) map.set(k, v);
  return fieldsText(map);
}

module.exports.wardenRows = wardenRows;
