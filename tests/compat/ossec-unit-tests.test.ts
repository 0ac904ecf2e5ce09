/**
 * OSSEC 4.2.0's own rule unit tests, run by `warden test-rules` with the stock ruleset:
 * Warden must agree with the real engine on every case (engine-results.tsv).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { collectIniFiles, runIniFiles, type CaseResult } from '../../otel-processor/src/cli/test-rules';
import { describeShared, OSSEC_ROOT } from './shared';

describeShared('OSSEC 4.2.0 rule unit tests', () => {
  let results: CaseResult[] = [];
  const engine = new Map<string, string>();
  beforeAll(() => {
    const loaded = loadRuleset(OSSEC_ROOT);
    results = runIniFiles(loaded, collectIniFiles([path.join(OSSEC_ROOT, 'tests')]));
    for (const row of fs.readFileSync(path.join(OSSEC_ROOT, 'tests', 'engine-results.tsv'), 'utf8').split('\n').slice(1)) {
      if (!row) continue;
      const c = row.split('\t');
      engine.set(`${c[0]}|${c[1]}|${c[2]}`, c[8]);
    }
  });

  test('every case of engine-results.tsv is run', () => {
    expect(results.length).toBe(engine.size);
  });

  test('Warden agrees with the OSSEC engine on every case', () => {
    const disagreements = results
      .filter((r) => {
        const key = `${path.basename(r.testCase.file)}|${r.testCase.section}|${r.testCase.name}`;
        return (engine.get(key) === 'OK') !== r.ok;
      })
      .map((r) => `${path.basename(r.testCase.file)} [${r.testCase.section}] ${r.testCase.name}: expected rule ${r.testCase.rule} level ${r.testCase.level} decoder ${r.testCase.decoder}, got rule ${r.got.rule} level ${r.got.level} decoder ${r.got.decoder} :: ${r.testCase.log}`);
    expect(disagreements).toEqual([]);
  });

  test('232 pass and the 4 inverted doas.ini cases fail, as with the real engine', () => {
    const failed = results.filter((r) => !r.ok);
    expect(results.length - failed.length).toBe(232);
    expect(failed.map((r) => path.basename(r.testCase.file))).toEqual(['doas.ini', 'doas.ini', 'doas.ini', 'doas.ini']);
  });
});
