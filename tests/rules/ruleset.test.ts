/**
 * Warden's own ruleset: every .ini case in tests/rules passes (as `warden test-rules` runs
 * them), and every rule id in rules/rules/*.xml has a test, in a .ini file or, for rules a
 * single line cannot reach (correlation, first-time-seen repeats, structured records, roots
 * that never alert by themselves), in the jest case tables.
 */
import { collectIniFiles, runIniFiles } from '../../otel-processor/src/cli/test-rules';
import { ruleset, ruleIdsInIni, ruleIdsInXml, TESTS_DIR } from './helpers';
import { JEST_TESTED_IDS } from './jest-cases';

describe('Warden ruleset', () => {
  test('loads', () => {
    expect(ruleset().ruleset.rulesById.size).toBeGreaterThan(200);
  });

  test('every .ini case in tests/rules passes', () => {
    const files = collectIniFiles([TESTS_DIR]);
    expect(files.length).toBeGreaterThanOrEqual(10);
    const results = runIniFiles(ruleset(), files);
    const failures = results.filter((r) => !r.ok).map((r) => {
      const c = r.testCase;
      const want = `rule ${c.rule ?? '*'} level ${c.level ?? '*'} decoder ${c.decoder ?? '*'}`;
      const got = `rule ${r.got.rule} level ${r.got.level} decoder ${r.got.decoder}`;
      return `${c.file}: [${c.section}] ${c.name}: ${c.log}\n    wanted ${c.kind === 'pass' ? '' : 'NOT '}${want}\n    got    ${got}`;
    });
    if (failures.length) throw new Error(`${failures.length} of ${results.length} rule test cases failed:\n${failures.join('\n')}`);
    expect(results.length).toBeGreaterThan(400);
  });

  test('every rule id in rules/rules/*.xml has a test', () => {
    const inXml = ruleIdsInXml();
    const tested = new Set<number>([...ruleIdsInIni(), ...JEST_TESTED_IDS]);
    const missing = [...inXml].filter(([id]) => !tested.has(id)).map(([id, f]) => `${id} (${f})`);
    if (missing.length) throw new Error(`rule ids without a test (add a case to tests/rules/*.ini or the jest tables):\n  ${missing.join('\n  ')}`);
    const unknown = [...tested].filter((id) => !inXml.has(id));
    expect(unknown).toEqual([]);
  });
});
