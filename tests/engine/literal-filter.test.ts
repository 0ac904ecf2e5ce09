/**
 * LiteralSet (rules/literal-filter.ts) answers, for any line, exactly which literals it holds:
 * compared with a plain search over random literals and lines, caseless ones on the ASCII-folded line.
 */
import { LiteralSet, requiredLiteralsOf } from '../../otel-processor/src/engine/rules/literal-filter';
import { compilePcre2, compileOsMatch } from '../../otel-processor/src/engine/patterns';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'A', 'B', ' ', ':', 'é', 'É', '\u0100', 'z', 'Z', '1'];
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

test('which literals a line holds: the same as a plain search, over random literals and lines', () => {
  const r = rng(7);
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
  for (let round = 0; round < 200; round++) {
    const set = new LiteralSet();
    const groups = Array.from({ length: 1 + Math.floor(r() * 6) }, () =>
      Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
        const ci = r() < 0.6;
        const text = pick(1 + Math.floor(r() * 4));
        return { text: ci ? fold(text) : text, ci, mixed: false };
      }));
    const ids = groups.map((g) => set.idsOf(g));
    for (let k = 0; k < 20; k++) {
      const line = pick(Math.floor(r() * 30));
      const owner = {};
      groups.forEach((g, i) => {
        const expected = g.some((l) => (l.ci ? fold(line) : line).includes(l.text));
        expect([line, g, set.anyIn(ids[i], line, owner)]).toEqual([line, g, expected]);
      });
    }
  }
});

test('a rule gets the literals of its first pattern that knows them; OS_Match and empty literals give none', () => {
  const p = compilePcre2('Failed password for|Accepted publickey', { caseless: true });
  const lits = requiredLiteralsOf([compileOsMatch('x'), p]);
  expect(lits?.map((l) => l.text).sort()).toEqual(['accepted publickey', 'failed password for']);
  expect(requiredLiteralsOf([compileOsMatch('Failed password')])).toBeNull();
  expect(requiredLiteralsOf([compilePcre2('\\d+', { caseless: true })])).toBeNull();
});
