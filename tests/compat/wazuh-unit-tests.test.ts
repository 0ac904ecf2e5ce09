/**
 * Wazuh 4.14.7's own rule test suite (the half in ../shared/wazuh-4.14.7/tests), run as
 * `warden test-rules --runner wazuh` runs it, i.e. as Wazuh's ruleset/testing/runtests.py does:
 * the stock tree loads unchanged and every case passes (GeoIP files are skipped, as runtests.py
 * does without --geoip).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  collectWazuhIniFiles, loadWazuhTestRuleset, runWazuhIniFiles, type WazuhCaseResult,
} from '../../otel-processor/src/cli/test-rules';
import type { LoadedRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { parseWazuhIniTests } from '../../otel-processor/src/engine/ruleset/ini-tests';
import { SHARED, describeShared } from '../support/shared-data';

const WAZUH = path.join(SHARED, 'wazuh-4.14.7');

describeShared('the Wazuh 4.14.7 rule test suite')('Wazuh 4.14.7 rule test suite', () => {
  let loaded: LoadedRuleset;
  let results: WazuhCaseResult[] = [];
  beforeAll(() => {
    loaded = loadWazuhTestRuleset(path.join(WAZUH, 'ruleset'));
    results = runWazuhIniFiles(loaded, collectWazuhIniFiles([path.join(WAZUH, 'tests')], false));
  });

  test('the stock tree loads unchanged, in the Wazuh dialect, with Wazuh\'s warnings', () => {
    expect(loaded.dialect).toBe('wazuh');
    expect(loaded.ruleset.rulesById.size).toBeGreaterThan(4000);
    // test_rules.xml:476 `<if_sid>999275|1</if_sid>`: Wazuh warns 7618 and drops the rule.
    expect(loaded.warnings.some((w) => w.includes('(7618)') && w.includes("'999276'"))).toBe(true);
    expect(loaded.ruleset.rulesById.has(999276)).toBe(false);
    // test_static_filters_rules.xml repeats test_rules.xml's ids: 7612, the first one kept.
    expect(loaded.warnings.some((w) => w.includes('(7612)'))).toBe(true);
    expect(loaded.ruleset.rulesById.get(999240)?.file).toMatch(/test_rules\.xml$/);
    // Wazuh's default ossec.conf excludes 0215-policy_rules.xml.
    expect(loaded.ruleFiles.some((f) => f.endsWith('0215-policy_rules.xml'))).toBe(false);
  });

  test('every case of every non-GeoIP file runs', () => {
    const all = fs.readdirSync(path.join(WAZUH, 'tests')).filter((f) => f.endsWith('.ini'));
    const cases = (f: string) => parseWazuhIniTests(fs.readFileSync(path.join(WAZUH, 'tests', f), 'utf8'), f).length;
    const expected = all.filter((f) => !f.endsWith('geoip.ini')).reduce((n, f) => n + cases(f), 0);
    expect(results.length).toBe(expected);
    expect(results.length).toBeGreaterThan(1000);
    expect(results.some((r) => r.testCase.file.endsWith('geoip.ini'))).toBe(false);
  });

  test('every case passes', () => {
    const failures = results.filter((r) => !r.ok).map((r) => {
      const c = r.testCase;
      return `${path.basename(c.file)}:${c.line} [${c.section}] ${c.name}: expected ${c.kind === 'fail' ? 'anything but ' : ''}` +
        `${c.rule}/${c.alert}/${c.decoder}, got ${r.got.rule}/${r.got.alert}/${r.got.decoder}`;
    });
    expect(failures).toEqual([]);
  });
});
