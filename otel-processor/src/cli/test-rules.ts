/**
 * `warden test-rules`: runs OSSEC-format rule unit tests (`.ini`): a `pass` line must
 * produce exactly the expected rule, level and decoder; a `fail` line must not.
 * Each case runs on fresh correlation state, as OSSEC's runner starts a new process per line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseIniTests, type IniTestCase } from '../engine/ruleset/ini-tests';
import { Engine } from '../engine/engine';
import type { LoadedRuleset } from '../loader/ruleset-loader';
import { lineEvent, openRuleset, RULESET_OPTION } from './session';
import { parseCommand, stringOption, UsageError, type CommandSpec } from './args';

export const TEST_RULES: CommandSpec = {
  usage: 'warden test-rules [options] FILES_OR_DIRS...',
  summary: 'Runs OSSEC-format rule unit tests (.ini files; directories are searched for them):\na `pass` line must produce exactly the expected rule, level and decoder, a `fail` line must not.\nExits 1 when a case fails.',
  options: {
    ruleset: RULESET_OPTION,
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

export async function testRulesCommand(argv: string[]): Promise<number> {
  const args = parseCommand(TEST_RULES, argv);
  if (args.positionals.length === 0) throw new UsageError(`no test files given\nusage: ${TEST_RULES.usage} (--help for the options)`);
  const loaded = openRuleset(stringOption(args, 'ruleset'));
  const results = runIniFiles(loaded, collectIniFiles(args.positionals));
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    const c = r.testCase;
    if (r.ok) {
      passed++;
      if (args.options.has('verbose')) process.stdout.write(`ok   ${c.file}:${c.line} [${c.section}] ${c.name}\n`);
      continue;
    }
    failed++;
    const exp = `rule ${c.rule ?? '*'} level ${c.level ?? '*'} decoder ${c.decoder ?? '*'}`;
    const got = `rule ${r.got.rule} level ${r.got.level} decoder ${r.got.decoder}`;
    process.stdout.write(
      `FAIL ${c.file}:${c.line} [${c.section}] ${c.name}\n` +
      `     log:      ${c.log}\n` +
      `     expected: ${c.kind === 'pass' ? '' : 'anything but '}${exp}\n` +
      `     got:      ${got}\n`,
    );
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
