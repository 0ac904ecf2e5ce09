/**
 * Differential test against the real OSSEC 4.2.0 engine: a fixed seed of the generator
 * (tests/generator) through Warden and through ossec-logtest with its clock set per line
 * (tests/compat/oracle); every line must agree on decoder, rule id, level, alert and the fields
 * phase 2 prints, and the
 * engine must report no internal error. The oracle is built by the test setup when missing.
 */
import * as path from 'node:path';
import { loadRuleset, type LoadedRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { Engine, LogEvent } from '../../otel-processor/src/engine/engine';
import { OSSEC_LOGTEST } from '../../otel-processor/src/engine/correlate/state';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { decoderExamples, generate, iniTemplates, type Generated } from '../generator';
import { describeShared, OSSEC_ROOT } from './shared';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const oracle = require('./oracle') as {
  oraclePrefix(): string;
  runOracle(lines: string[], times: number[]): Row[];
  wardenRows(mods: unknown, loaded: LoadedRuleset, lines: string[], times: number[], out?: { engine?: Engine; errors?: number; lastError?: Error }): Row[];
  agrees(a: Row, b: Row): boolean;
  show(r: Row, other?: Row): string;
};
interface Row { rule: string; level: string; decoder: string; alert: string; description: string; fields?: string }

const SEED = 20260310;
const LINES = 50_000;

describeShared('Warden against the real OSSEC 4.2.0 engine on generated traffic', () => {
  let loaded: LoadedRuleset;
  let gen: Generated;
  let expected: Row[];
  beforeAll(() => {
    enableLinearRegexpFallback();
    oracle.oraclePrefix();
    loaded = loadRuleset(OSSEC_ROOT);
    const templates = [...iniTemplates(path.join(OSSEC_ROOT, 'tests')), ...decoderExamples(path.join(OSSEC_ROOT, 'etc', 'decoder.xml'))];
    gen = generate({ seed: SEED, lines: LINES, templates });
    expected = oracle.runOracle(gen.lines, gen.time);
  }, 1_200_000);

  test(`seed ${SEED}, ${LINES} lines: every line agrees on decoder, rule, level, alert and decoded fields`, () => {
    const out: { engine?: Engine; errors?: number; lastError?: Error } = {};
    const got = oracle.wardenRows({ Engine, LogEvent, model: OSSEC_LOGTEST }, loaded, gen.lines, gen.time, out);
    const diffs: string[] = [];
    for (let i = 0; i < gen.lines.length; i++) {
      if (!oracle.agrees(expected[i], got[i])) diffs.push(`line ${i + 1} [${gen.format[i]}]: OSSEC ${oracle.show(expected[i], got[i])}; Warden ${oracle.show(got[i], expected[i])} :: ${gen.lines[i].slice(0, 200)}`);
    }
    if (diffs.length) console.log(`${diffs.length} of ${LINES} lines disagree; first:\n${diffs.slice(0, 40).join('\n')}`);
    expect(diffs).toEqual([]);
    expect(out.lastError).toBeUndefined();
    expect(out.errors).toBe(0);
  });

  test('the generated traffic reaches the correlation rules it is meant to exercise', () => {
    const fired = new Set(expected.map((r) => r.rule));
    // frequency (if_matched_sid), if_matched_group, first-time-seen, multi-stage attacks
    for (const id of ['5712', '5720', '5551', '40111', '40112', '18152', '5305', '5403', '40501']) expect(fired).toContain(id);
  });
});
