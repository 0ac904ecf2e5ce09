/**
 * `warden test-rules`: runs OSSEC-format rule unit tests (`.ini`): a `pass` line must
 * produce exactly the expected rule, level and decoder; a `fail` line must not.
 * Each case runs on fresh correlation state, as OSSEC's runner starts a new process per line.
 *
 * `--runner wazuh` runs them as Wazuh's `ruleset/testing/runtests.py` does: the tree plus
 * the `testing/ruleset/test_*` rules and decoders (as if copied to etc/), rule 60000 decoded
 * as JSON (the event-channel tests), `*geoip.ini` skipped unless `--geoip`, repeated `log N`
 * keys one session whose last line is checked, and `wazuh-logtest -U`'s exit-code verdict.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseIniTests, parseWazuhIniTests, wazuhCaseOk, type IniTestCase, type WazuhIniCase } from '../engine/ruleset/ini-tests';
import type { XmlElement } from '../engine/ruleset/xml';
import { loadRuleset } from '../loader/ruleset-loader';
import { enableLinearRegexpFallback } from '../engine/patterns/regexp-guard';
import { applyLineProcessingSettings, whileLoading } from '../loader/v8-settings';
import { Engine } from '../engine/engine';
import type { LoadedRuleset } from '../loader/ruleset-loader';
import { DIALECT_OPTION, lineEvent, openRuleset, parseDialect, RULESET_OPTION } from './session';
import { parseCommand, stringOption, UsageError, type CommandSpec } from './args';

export const TEST_RULES: CommandSpec = {
  usage: 'warden test-rules [options] FILES_OR_DIRS...',
  summary: 'Runs OSSEC-format rule unit tests (.ini files; directories are searched for them):\na `pass` line must produce exactly the expected rule, level and decoder, a `fail` line must not.\nExits 1 when a case fails.',
  options: {
    ruleset: RULESET_OPTION,
    runner: {
      type: 'string', value: 'ossec|wazuh',
      description: 'run the files as OSSEC\'s runner (default) or as Wazuh\'s runtests.py: the tree\nplus its testing/ruleset/test_* files, rule 60000 decoded as JSON, repeated\n`log N` keys one session (last line checked), wazuh-logtest -U\'s verdict',
    },
    geoip: { type: 'boolean', description: 'with --runner wazuh: also run *geoip.ini files (skipped by default, as runtests.py)' },
    dialect: DIALECT_OPTION,
    verbose: { type: 'boolean', short: 'v', description: 'also list the cases that pass' },
  },
};

export interface CaseResult {
  testCase: IniTestCase;
  ok: boolean;
  got: { rule: string; level: string; decoder: string };
}

export function collectIniFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    if (fs.statSync(p).isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) if (f.endsWith('.ini')) files.push(path.join(p, f));
    } else files.push(p);
  }
  return files;
}

export function runCase(loaded: LoadedRuleset, c: IniTestCase): CaseResult {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const ev = lineEvent(c.log);
  const v = engine.process(ev);
  const got = {
    rule: v.rule ? String(v.rule.id) : '(none)',
    level: v.rule ? String(v.rule.level) : '(none)',
    decoder: ev.decoderName ?? '(none)',
  };
  const matches =
    (c.rule === null || got.rule === String(Number(c.rule))) &&
    (c.level === null || got.level === String(c.level)) &&
    (c.decoder === null || (ev.decoderName !== null && ev.decoderName === c.decoder));
  return { testCase: c, ok: c.kind === 'pass' ? matches : !matches, got };
}

export function runIniFiles(loaded: LoadedRuleset, files: string[]): CaseResult[] {
  const results: CaseResult[] = [];
  for (const f of files) {
    const cases = parseIniTests(fs.readFileSync(f, 'utf8'), f);
    for (const c of cases) results.push(runCase(loaded, c));
  }
  return results;
}

// ---- Wazuh's runner -------------------------------------------------------------------

export interface WazuhCaseResult {
  testCase: WazuhIniCase;
  ok: boolean;
  got: { rule: string; alert: string; decoder: string };
}

const TEST_RULE_FILE = /^test_(.*_)?rules\.xml$/;
const TEST_DECODER_FILE = /^test_(.*_)?decoders\.xml$/;

/** runtests.py's edit for the event-channel tests: rule 60000 matches what the JSON decoder decodes. */
export function decodeRule60000AsJson(relativePath: string, elements: XmlElement[]): void {
  if (path.basename(relativePath) !== '0575-win-base_rules.xml') return;
  const visit = (els: XmlElement[]): void => {
    for (const el of els) {
      if (el.name === 'rule' && el.attributes.id === '60000') {
        el.children = el.children.filter((c) => c.name !== 'decoded_as' && c.name !== 'category');
        el.children.push({ name: 'decoded_as', attributes: {}, text: 'json', children: [], line: el.line, column: el.column, file: el.file });
      } else visit(el.children);
    }
  };
  visit(elements);
}

/** The tree at `dir` with its `testing/ruleset/test_*` files, as runtests.py provisions it. */
export function loadWazuhTestRuleset(dir: string): LoadedRuleset {
  enableLinearRegexpFallback();
  const testing = [path.join(dir, 'testing', 'ruleset'), path.join(dir, 'ruleset', 'testing', 'ruleset')].find((d) => fs.existsSync(d));
  const files = testing ? fs.readdirSync(testing).sort() : [];
  // the V8 settings openRuleset uses (this tree is opened with extra files, not through it)
  applyLineProcessingSettings();
  return whileLoading(() => loadRuleset(dir, {
    dialect: 'wazuh',
    etcRuleFiles: files.filter((f) => TEST_RULE_FILE.test(f)).map((f) => path.join(testing!, f)),
    etcDecoderFiles: files.filter((f) => TEST_DECODER_FILE.test(f)).map((f) => path.join(testing!, f)),
    editRuleFile: decodeRule60000AsJson,
  }));
}

/** The .ini files runtests.py would run: `*geoip.ini` only with geoip. */
export function collectWazuhIniFiles(paths: string[], geoip: boolean): string[] {
  return collectIniFiles(paths).filter((f) => geoip || !f.endsWith('geoip.ini'));
}

/** One wazuh-logtest session: every line in order on one engine, the last one's answer. */
export function runWazuhCase(loaded: LoadedRuleset, c: WazuhIniCase): WazuhCaseResult {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  let got = { rule: '', alert: '', decoder: '' };
  for (const line of c.lines) {
    const ev = lineEvent(line);
    const v = engine.process(ev);
    got = { rule: v.rule ? String(v.rule.id) : '', alert: v.rule ? String(v.rule.level) : '', decoder: ev.decoderName ?? '' };
  }
  return { testCase: c, ok: wazuhCaseOk(c, got), got };
}

export function runWazuhIniFiles(loaded: LoadedRuleset, files: string[]): WazuhCaseResult[] {
  const results: WazuhCaseResult[] = [];
  for (const f of files) {
    for (const c of parseWazuhIniTests(fs.readFileSync(f, 'utf8'), f)) results.push(runWazuhCase(loaded, c));
  }
  return results;
}

function wazuhTestRules(args: ReturnType<typeof parseCommand>): number {
  const dir = stringOption(args, 'ruleset');
  if (dir === undefined) throw new UsageError('--runner wazuh needs --ruleset DIR (a Wazuh ruleset/ folder or install root)');
  const loaded = loadWazuhTestRuleset(dir);
  if (args.options.has('verbose')) for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  const results = runWazuhIniFiles(loaded, collectWazuhIniFiles(args.positionals, args.options.has('geoip')));
  return report(results, args.options.has('verbose'), ({ testCase: c, got }) =>
    c.lines.map((l) => `     log:      ${l}\n`).join('') +
    `     expected: ${c.kind === 'pass' ? '' : 'anything but '}rule ${c.rule} level ${c.alert} decoder ${c.decoder}\n` +
    `     got:      rule ${got.rule || '(none)'} level ${got.alert || '(none)'} decoder ${got.decoder || '(none)'}\n`);
}

export async function testRulesCommand(argv: string[]): Promise<number> {
  const args = parseCommand(TEST_RULES, argv);
  if (args.positionals.length === 0) throw new UsageError(`no test files given\nusage: ${TEST_RULES.usage} (--help for the options)`);
  const runner = stringOption(args, 'runner') ?? 'ossec';
  if (runner === 'wazuh') return wazuhTestRules(args);
  if (runner !== 'ossec') throw new UsageError(`--runner must be ossec or wazuh, got ${runner}`);
  const loaded = openRuleset(stringOption(args, 'ruleset'), parseDialect(stringOption(args, 'dialect')));
  const results = runIniFiles(loaded, collectIniFiles(args.positionals));
  return report(results, args.options.has('verbose'), ({ testCase: c, got }) =>
    `     log:      ${c.log}\n` +
    `     expected: ${c.kind === 'pass' ? '' : 'anything but '}rule ${c.rule ?? '*'} level ${c.level ?? '*'} decoder ${c.decoder ?? '*'}\n` +
    `     got:      rule ${got.rule} level ${got.level} decoder ${got.decoder}\n`);
}

/** Prints each failure (and each pass with --verbose) and the counts; exit status 1 when any failed. */
function report<R extends { ok: boolean; testCase: { file: string; line: number; section: string; name: string } }>(results: R[], verbose: boolean, failure: (r: R) => string): number {
  let passed = 0;
  for (const r of results) {
    const c = r.testCase;
    if (r.ok) {
      passed++;
      if (verbose) process.stdout.write(`ok   ${c.file}:${c.line} [${c.section}] ${c.name}\n`);
    } else process.stdout.write(`FAIL ${c.file}:${c.line} [${c.section}] ${c.name}\n${failure(r)}`);
  }
  process.stdout.write(`${passed} passed, ${results.length - passed} failed\n`);
  return passed === results.length ? 0 : 1;
}
