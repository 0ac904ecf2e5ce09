/**
 * Lines crafted to make patterns backtrack must not stall the engine: 100 KB lines against
 * patterns that are catastrophic in a plain backtracking engine. Each case asserts the answer;
 * the jest timeout is the only clock (no timing assertions).
 */
import { engineFor, ev } from './helpers';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns';

enableLinearRegexpFallback();

const DECODERS = `
<decoder name="evil">
  <program_name>^evil$</program_name>
</decoder>
<decoder name="evil-csv">
  <parent>evil</parent>
  <regex>\\S+,\\S+,(\\S+),\\S+,\\S+,(\\S+),</regex>
  <order>id, status</order>
</decoder>
`;
const RULES = `<group name="evil,">
  <rule id="100" level="3"><decoded_as>evil</decoded_as><description>base</description></rule>
  <rule id="101" level="7"><if_sid>100</if_sid><match>^nest:</match><pcre2>^nest:(\\w+\\s?)*$</pcre2><description>nested quantifier</description></rule>
  <rule id="102" level="6"><if_sid>100</if_sid><match>^alt:</match><pcre2>(a|aa)+b</pcre2><description>alternation</description></rule>
  <rule id="103" level="5"><if_sid>100</if_sid><match>^chain:</match><regex>(\\.+) (\\S+) - (\\S+) x="(\\.+)"</regex><description>osregex chain</description></rule>
</group>`;

const header = 'Jan  1 00:00:00 h evil: ';

describe('hostile input', () => {
  const engine = engineFor(DECODERS, RULES);

  test('nested quantifier on a 100 KB non-matching line', () => {
    const line = header + 'nest:' + 'word '.repeat(20_000) + '!';
    const v = engine.process(ev(line));
    expect(v.rule?.id).toBe(100);
  });

  test('alternation blow-up on 100 KB of a', () => {
    const v = engine.process(ev(header + 'alt:' + 'a'.repeat(100_000) + 'c'));
    expect(v.rule?.id).toBe(100);
  });

  test('OS_Regex chained any-char groups on a 100 KB line', () => {
    const v = engine.process(ev(header + 'chain:' + 'x '.repeat(50_000)));
    expect(v.rule?.id).toBe(100);
    const hit = engine.process(ev(header + 'chain:a b - c x="d"'));
    expect(hit.rule?.id).toBe(103);
  });

  test('comma-heavy 100 KB line against a CSV-shaped OS_Regex decoder', () => {
    const e = ev(header + ','.repeat(100_000));
    engine.process(e);
    expect(e.decoderName).toBe('evil');
    const ok = ev(header + 'a,b,c,d,e,f,g');
    engine.process(ok);
    expect([ok.id, ok.status]).toEqual(['c', 'f']);
  });

  test('a 5 MB line is processed, not dropped', () => {
    const v = engine.process(ev(header + 'nest:' + 'z'.repeat(5_000_000)));
    expect(v.rule?.id).toBe(101);
  });
});

describe('a regex run that throws', () => {
  test('is retried on the linear-time engine, and counted only when that fails too', async () => {
    const { compilePcre2, pcre2RunFailures } = await import('../../otel-processor/src/engine/patterns/pcre2');
    const p = compilePcre2('^nest:(\\w+\\s?)*$', { caseless: true });
    // stand in for the backtracking engine running out of stack on a huge line
    const overflow = () => { throw new RangeError('Maximum call stack size exceeded'); };
    (p as unknown as { re: object }).re = { lastIndex: 0, test: overflow, exec: overflow };
    const before = pcre2RunFailures();
    expect(p.test('nest:' + 'z'.repeat(100_000))).toBe(true);
    expect(p.exec('nest:abc def')?.captures).toEqual(['def']);
    expect(p.test('nest:abc !')).toBe(false);
    expect(pcre2RunFailures()).toBe(before);
  });
});
