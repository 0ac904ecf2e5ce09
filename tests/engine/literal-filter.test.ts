/**
 * The literal filter (rules/literal-filter.ts): which literals a line holds, exactly, in one
 * scan; and the literals taken from a pattern's text are necessary: no line the pattern matches
 * lacks all of them (checked over every rule pattern of the stock rulesets on generated lines).
 */
import { LiteralSet, requiredLiteralsOf } from '../../otel-processor/src/engine/rules/literal-filter';
import { compilePcre2, compileOsMatch } from '../../otel-processor/src/engine/patterns';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { describeShared, OSSEC_ROOT, SHARED } from '../support/shared-data';
import { loadWazuhTestRuleset } from '../../otel-processor/src/cli/test-rules';
import * as path from 'node:path';
import { generate, mulberry32 as rng } from '../generator';


const ALPHABET = ['a', 'b', 'A', 'B', ' ', ':', 'é', 'É', '\u0100', 'z', 'Z', '1'];
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

test('which literals (3 characters or more) a line holds: the same as a plain search of the folded line, over random literals and lines', () => {
  const r = rng(7);
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
  for (let round = 0; round < 200; round++) {
    const set = new LiteralSet();
    const groups = Array.from({ length: 1 + Math.floor(r() * 6) }, () =>
      Array.from({ length: 1 + Math.floor(r() * 3) }, () => fold(pick(3 + Math.floor(r() * 3)))));
    const ids = groups.map((g) => set.idsOf(g));
    for (let k = 0; k < 20; k++) {
      const line = pick(Math.floor(r() * 30));
      const owner = {};
      groups.forEach((g, i) => {
        const expected = g.some((l) => fold(line).includes(l));
        expect([line, g, set.anyIn(ids[i], line, owner)]).toEqual([line, g, expected]);
      });
    }
  }
});

// Characters whose String.toLowerCase is not ASCII folding: non-ASCII capitals, İ (-> i + dot), the
// Kelvin sign (-> k), long s, final sigma, sharp s, a surrogate pair and a lone surrogate.
const WIDE = [...ALPHABET, 'k', 'K', 'i', 'I', 's', 'S', '\u0130', '\u212a', '\u017f', '\u03a3', '\u03c3', 'ß', '\u1e9e', '\ud801\udc00', '\ud801'];
/** Characters toLowerCase turns into ASCII: a line holding one may be tried needlessly. */
const TO_ASCII = /[\u0130\u212a]/;

test('never says a literal is missing when the folded line holds it: random literals (incl. non-ASCII, mixed case) and lines, added as lines go', () => {
  const r = rng(11);
  const pick = (n: number) => Array.from({ length: n }, () => WIDE[Math.floor(r() * WIDE.length)]).join('');
  const wrongSkips: unknown[] = [];
  const needless: unknown[] = [];
  let checks = 0;
  for (let round = 0; round < 300; round++) {
    const set = new LiteralSet();
    const groups: string[][] = [];
    const ids: Int32Array[] = [];
    const addGroup = () => {
      const g = Array.from({ length: 1 + Math.floor(r() * 3) }, () => fold(pick(3 + Math.floor(r() * 4))));
      groups.push(g);
      ids.push(set.idsOf(g));
    };
    addGroup();
    for (let k = 0; k < 30; k++) {
      // lines built around some literal (with capitals put back) so that hits are common
      const some = groups[Math.floor(r() * groups.length)][0];
      const cased = [...some].map((c) => (r() < 0.5 ? c.toUpperCase().slice(0, c.length) : c)).join('');
      const line = r() < 0.5 ? pick(Math.floor(r() * 12)) + cased + pick(Math.floor(r() * 12)) : pick(Math.floor(r() * 30));
      const owner = {};
      for (let q = 0; q < 12; q++) {
        if (groups.length < 12 && r() < 0.1) addGroup(); // a rule joining mid-line: its literals are searched too
        const i = Math.floor(r() * groups.length);
        const expected = groups[i].some((l) => fold(line).includes(l));
        const got = set.anyIn(ids[i], line, owner);
        checks++;
        if (expected && !got) wrongSkips.push([line, groups[i]]);
        if (!expected && got && !TO_ASCII.test(line)) needless.push([line, groups[i]]);
      }
    }
  }
  expect(wrongSkips).toEqual([]);
  expect(needless).toEqual([]);
  expect(checks).toBeGreaterThan(10_000);
});

test('literals from pattern text: alternations, caseless letters, exact capitals end a literal, none when unknown or anchored', () => {
  const lits = (src: string, caseless = true) => requiredLiteralsOf([compilePcre2(src, { caseless })])?.slice().sort() ?? null;
  expect(lits('Failed password for|Accepted publickey')).toEqual(['accepted publickey', 'failed password for']);
  // anchored at the start: cheap to test directly, no literals taken
  expect(lits('^Installed|^Updated')).toBeNull();
  expect(lits('^hpiod: unable to ParDevice')).toBeNull();
  expect(lits('denied$')).toEqual(['denied']);
  expect(lits('user \\S+ not found|user \\S+ in realm')).toEqual([' in realm', ' not found']);
  expect(lits('(?:zeta|eta)s? ok')).toEqual(['eta', 'zeta']);
  expect(lits('Bad ID x', false)).toEqual(['ad ']);
  expect(lits('\\d+')).toBeNull();
  expect(lits('a|\\d')).toBeNull();
  expect(requiredLiteralsOf([compileOsMatch('Failed password')])).toBeNull();
  expect(requiredLiteralsOf([compileOsMatch('x'), compilePcre2('abc', { caseless: true })])).toEqual(['abc']);
});

describeShared('the stock rulesets')('literals from the stock patterns', () => {
  test.each([
    // Wazuh's rules are mostly OS_Match/OS_Regex (no literals taken): few pcre2 patterns to check.
    ['OSSEC 4.2.0', () => loadRuleset(OSSEC_ROOT), 500, 1000],
    ['Wazuh 4.14.7', () => loadWazuhTestRuleset(path.join(SHARED, 'wazuh-4.14.7', 'ruleset')), 10, 0],
  ] as const)('every line a rule pattern matches holds one of its literals (%s rules, generated lines)', (_name, load, minChecked, minMatched) => {
    enableLinearRegexpFallback();
    const loaded = load();
    const lines = generate({ seed: 77, lines: 3000 }).lines;
    let checked = 0;
    let matched = 0;
    const missed: string[] = [];
    for (const rule of loaded.ruleset.rulesById.values()) {
      for (const p of rule.logPatterns) {
        const lits = requiredLiteralsOf([p]);
        if (lits === null) continue;
        checked++;
        for (const line of lines) {
          if (!p.test(line)) continue;
          matched++;
          if (!lits.some((l) => fold(line).includes(l))) missed.push(`${rule.id} ${p.source} :: ${line}`);
        }
      }
    }
    expect(missed).toEqual([]);
    expect(checked).toBeGreaterThan(minChecked);
    expect(matched).toBeGreaterThanOrEqual(minMatched);
  });
});
