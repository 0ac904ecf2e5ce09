/**
 * The roots' prematch heads folded into one bit mask per position and character (decode.ts
 * RootTable, 32 roots a table, the rest chained): the roots tried, and their order, are those the
 * head test of each root leaves (decode-index.test.ts compares whole rulesets with the plain walk).
 */
import { engineFor, ev } from './helpers';

describe('root tables', () => {
  // 40 plain roots opening alike (the same first two characters): tables of 32 and 10, in load order
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
