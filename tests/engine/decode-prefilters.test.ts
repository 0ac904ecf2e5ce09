/**
 * Long second-level lists of plain roots split further by the log's next characters
 * (DecoderSet.plainDeeper): the roots tried, and their order, are those the head test of each root
 * leaves (decode-index.test.ts compares whole rulesets with the plain walk).
 */
import { engineFor, ev } from './helpers';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { DEEP_LEVEL_FROM, type CompiledDecoder, type RootIndex } from '../../otel-processor/src/engine/compile/decoders';
import { describeShared, OSSEC_ROOT } from '../support/shared-data';

function deeperRoots(index: RootIndex, log: string): CompiledDecoder[] {
  let node = index;
  while (node.roots === null) {
    const c = log.charCodeAt(node.at);
    node = node.byChar![c < 128 ? c : 128];
  }
  return node.roots;
}

describe('deeper index of long root lists', () => {
  // 42 plain roots opening alike (the same first two characters): one list split by the next ones
  const roots = Array.from({ length: 40 }, (_, i) => `<decoder name="r${i}"><prematch>^tt${i}:</prematch></decoder>`).join('\n');
  const engine = engineFor(`${roots}
<decoder name="any-t"><prematch>^t</prematch></decoder>
<decoder name="short"><prematch>^tt1x</prematch></decoder>`, '');

  test.each([
    ['tt0: x', 'r0'], ['tt31: x', 'r31'], ['tt32: x', 'r32'], ['tt39: x', 'r39'],
    // heads of different lengths: a log shorter than a head fails it, not a shorter one
    ['tt4', 'any-t'], ['t', 'any-t'], ['tt40: x', 'any-t'], ['tt1x', 'any-t'], ['u1', null], ['', null], ['\u00e9tt1:', null],
  ])('%j decodes as %s', (line, name) => {
    const e = ev(line);
    engine.predecode(e);
    expect(engine.decode(e)?.name ?? null).toBe(name);
  });
});

describeShared('the deeper index')('deeper index of the stock decoders', () => {
  test('a squid line tries the roots its first characters leave, in load order', () => {
    const set = loadRuleset(OSSEC_ROOT).ruleset.decoders;
    const log = '9998 10.20.147.87 TCP_MISS/500 77890 GET http://example.com/shop/cart - DIRECT/10.0.0.10 -';
    const second = set.plainBySecond[log.charCodeAt(0)]![log.charCodeAt(1)];
    expect(second.length).toBeGreaterThan(DEEP_LEVEL_FROM);
    const deeper = deeperRoots(set.plainDeeper.get(second)!, log);
    expect(deeper.map((d) => d.name)).toContain('squid-accesslog');
    expect(second.map((d) => d.name)).toContain('windows-date-format');
    expect(deeper.map((d) => d.name)).not.toContain('windows-date-format'); // ^\d\d/\d\d/
    expect(deeper.length * 2).toBeLessThan(second.length);
    const at = deeper.map((d) => second.indexOf(d));
    expect(at).toEqual([...at].sort((x, y) => x - y));
  });
});
