/**
 * The 200,000-line mixed corpus with the stock OSSEC 4.2.0 ruleset and the processing
 * clock: Warden's decoder, rule id, level and alert flag must agree with the real engine
 * on every line. The disagreements are listed so any regression is visible.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { Engine } from '../../otel-processor/src/engine/engine';
import { OSSEC_LOGTEST } from '../../otel-processor/src/engine/correlate/state';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { formatTsv } from '../../otel-processor/src/cli/logtest';
import { lineEvent } from '../../otel-processor/src/cli/session';
import { describeShared, OSSEC_ROOT, SHARED } from './shared';

describeShared('mixed.log against OSSEC 4.2.0', () => {
  test('decoder, rule, level and alert agree on every line', () => {
    enableLinearRegexpFallback();
    const loaded = loadRuleset(OSSEC_ROOT);
    const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel, model: OSSEC_LOGTEST });
    const lines = fs.readFileSync(path.join(SHARED, 'corpus', 'mixed.log'), 'latin1').split('\n');
    const expected = fs.readFileSync(path.join(SHARED, 'corpus', 'mixed.expected.tsv'), 'latin1').split('\n').slice(1);
    let agree = 0;
    let total = 0;
    const diffs: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      if (!expected[i]) continue;
      const exp = expected[i].split('\t');
      const ev = lineEvent(lines[Number(exp[0]) - 1]);
      const got = formatTsv(Number(exp[0]), ev, engine.process(ev)).split('\t');
      total++;
      if (got[1] === exp[1] && got[2] === exp[2] && got[3] === exp[3] && got[4] === exp[4]) agree++;
      else if (diffs.length < 200) diffs.push(`line ${exp[0]}: expected ${exp.slice(1, 5).join(' ')} got ${got.slice(1, 5).join(' ')} :: ${lines[Number(exp[0]) - 1].slice(0, 160)}`);
    }
    const ratio = agree / total;
    if (diffs.length) console.log(`mixed.log: ${agree}/${total} agree (${(ratio * 100).toFixed(3)}%); first disagreements:\n${diffs.slice(0, 40).join('\n')}`);
    expect(total).toBe(200000);
    expect(agree).toBe(total);
    expect(engine.errors).toBe(0);
  });
});
