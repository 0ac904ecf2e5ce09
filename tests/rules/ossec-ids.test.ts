/**
 * Where Warden's ruleset reuses an OSSEC rule id, the rule means what OSSEC 4.2.0's means:
 * same level, and for correlation rules the same frequency, timeframe and ignore window
 * (rules of our own choosing have ids of their own, 170000-170999; rules/README.md).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { describeShared, OSSEC_ROOT } from '../support/shared-data';
import { ruleset, engine, feed, line } from './helpers';
import { FREQ_CASES } from './jest-cases';

describeShared('the comparison with OSSEC 4.2.0 rule ids')('rule ids shared with OSSEC 4.2.0', () => {
  const ossec = () => loadRuleset(OSSEC_ROOT).ruleset.rulesById;

  test('every shared id has OSSEC\'s level, frequency, timeframe and ignore', () => {
    const theirs = ossec();
    const differ: string[] = [];
    let shared = 0;
    for (const [id, r] of ruleset().ruleset.rulesById) {
      const o = theirs.get(id);
      if (!o) continue;
      shared++;
      for (const k of ['level', 'frequency', 'timeframe', 'ignoreTime'] as const) {
        if (r[k] !== o[k]) differ.push(`${id} ${k}: ours ${String(r[k])}, OSSEC ${String(o[k])}`);
      }
    }
    expect(shared).toBeGreaterThan(150);
    expect(differ).toEqual([]);
  });

  test('our own frequency rules have ids OSSEC does not use', () => {
    const theirs = ossec();
    const ownFrequency = FREQ_CASES.filter((c) => !theirs.has(c.rule)).map((c) => c.rule);
    for (const id of ownFrequency) expect(id).toBeGreaterThanOrEqual(170000);
  });

  // The real engine (../shared/ossec-4.2.0/oracle) and Warden on the same lines: the brute-force
  // rules of the issue fire on the same line, the 8th.
  test.each([5712, 5720])('%i fires on the same line as in the real OSSEC 4.2.0 engine', (id) => {
    const c = FREQ_CASES.find((x) => x.rule === id)!;
    const lines = Array.from({ length: 10 }, (_, i) => c.line(i));
    const oracle = spawnSync(path.join(OSSEC_ROOT, 'oracle', 'ossec-tsv'), { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 300_000 });
    expect(oracle.status).toBe(0);
    const theirs = oracle.stdout.trim().split('\n').slice(1).map((row) => Number(row.split('\t')[1]));
    const ours = feed(engine(), lines.map((l, i) => line(l, i * 1000)));
    expect(theirs.indexOf(id)).toBe(7);
    expect(ours.indexOf(id)).toBe(7);
  });
});
