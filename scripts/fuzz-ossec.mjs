#!/usr/bin/env node
// Differential fuzzing against the real OSSEC 4.2.0 engine: generated traffic (tests/generator)
// through Warden (its TypeScript sources, compiled on load) and through ossec-logtest with its
// clock set per line (tests/compat/oracle), compared on decoder, rule id, level, alert and decoded
// fields. Prints the agreement per seed and, for each kind of
// disagreement, the shortest line sequence that reproduces it.
//   npm run fuzz:ossec -- [--seeds N] [--lines M] [--first-seed S] [--shrink K] [--formats a,b]
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Load the engine from its sources: .ts compiled by swc as it is required.
const swc = require('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, sourceMaps: false,
  });
  module._compile(code, filename);
};
const src = path.join(root, 'otel-processor', 'src');
const { Engine, LogEvent } = require(path.join(src, 'engine', 'engine.ts'));
const { OSSEC_LOGTEST } = require(path.join(src, 'engine', 'correlate', 'state.ts'));
const { loadRuleset } = require(path.join(src, 'loader', 'ruleset-loader.ts'));
const { enableLinearRegexpFallback } = require(path.join(src, 'engine', 'patterns', 'regexp-guard.ts'));
const { generate, iniTemplates, decoderExamples } = require(path.join(root, 'tests', 'generator'));
const oracle = require(path.join(root, 'tests', 'compat', 'oracle'));

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const seeds = Number(opt('seeds', '1'));
const lines = Number(opt('lines', '50000'));
const firstSeed = Number(opt('first-seed', String(Math.floor(Math.random() * 1e9))));
const shrinkMax = Number(opt('shrink', '10'));
const formats = opt('formats', null)?.split(',');
if (!(seeds > 0) || !(lines > 0)) {
  console.error('usage: npm run fuzz:ossec -- [--seeds N] [--lines M] [--first-seed S] [--shrink K] [--formats a,b]');
  process.exit(2);
}

enableLinearRegexpFallback();
oracle.oraclePrefix();
const ossecRoot = path.join(oracle.SHARED, 'ossec-4.2.0');
const loaded = loadRuleset(ossecRoot);
const templates = [...iniTemplates(path.join(ossecRoot, 'tests')), ...decoderExamples(path.join(ossecRoot, 'etc', 'decoder.xml'))];
const mods = { Engine, LogEvent, model: OSSEC_LOGTEST };
const warden = (ls, ts) => oracle.wardenRows(mods, loaded, ls, ts);

let agreeAll = 0;
let totalAll = 0;
let errorsAll = 0;
const kinds = new Map();
for (let s = 0; s < seeds; s++) {
  const seed = (firstSeed + s) >>> 0;
  const gen = generate({ seed, lines, formats, templates });
  const expected = oracle.runOracle(gen.lines, gen.time);
  const out = {};
  const got = oracle.wardenRows(mods, loaded, gen.lines, gen.time, out);
  let agree = 0;
  for (let i = 0; i < lines; i++) {
    if (oracle.agrees(expected[i], got[i])) { agree++; continue; }
    const fieldsDiffer = expected[i].fields !== got[i].fields ? ' (decoded fields differ)' : '';
    const kind = `OSSEC ${expected[i].rule}/${expected[i].level}/${expected[i].decoder}/${expected[i].alert} vs Warden ${got[i].rule}/${got[i].level}/${got[i].decoder}/${got[i].alert}${fieldsDiffer}`;
    const k = kinds.get(kind) ?? { count: 0, seed, at: i, gen, expected: expected[i], got: got[i] };
    k.count++;
    kinds.set(kind, k);
  }
  agreeAll += agree;
  totalAll += lines;
  errorsAll += out.errors;
  if (out.lastError) console.log(`  engine error: ${out.lastError.stack}`);
  console.log(`seed ${seed}: ${agree}/${lines} lines agree (${((agree / lines) * 100).toFixed(3)}%), engine errors ${out.errors}`);
}
console.log(`\nall: ${agreeAll}/${totalAll} lines agree (${((agreeAll / totalAll) * 100).toFixed(4)}%) over ${seeds} seed(s) of ${lines} lines from ${firstSeed}; engine errors ${errorsAll}`);
const sorted = [...kinds.entries()].sort((a, b) => b[1].count - a[1].count);
let shrunk = 0;
for (const [kind, k] of sorted) {
  console.log(`\n${k.count} x ${kind}  (first: seed ${k.seed}, line ${k.at + 1})`);
  if (k.expected.fields !== k.got.fields) console.log(`  OSSEC fields: ${k.expected.fields.replace(/\n/g, ', ')}\n  Warden fields: ${k.got.fields.replace(/\n/g, ', ')}`);
  if (shrunk++ >= shrinkMax) { console.log(`  ${k.gen.lines[k.at]}`); continue; }
  const r = oracle.shrink(k.gen.lines, k.gen.time, k.at, warden);
  console.log(`  ${r.complete ? "shortest" : "short (search budget spent)"} reproduction, ${r.lines.length} line(s) (seconds from the first):`);
  for (let i = 0; i < r.lines.length; i++) console.log(`  +${(r.times[i] - r.times[0]) / 1000}s\t${r.lines[i]}`);
}
process.exit(agreeAll === totalAll && errorsAll === 0 ? 0 : 1);
