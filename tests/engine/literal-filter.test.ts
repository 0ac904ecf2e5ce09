/**
 * The literal filter (rules/literal-filter.ts): which literals a line holds, exactly, in one
 * scan; and the literals taken from a pattern's text are necessary: no line the pattern matches
 * lacks all of them (checked over every rule pattern of the stock rulesets on generated lines).
 */
import { FEW_MAX, FewLiterals, LiteralSet, MAX_AUTOMATON_CELLS, exactPrefixesOf, literalPatternOf, prefixEnd, SEARCHES_BEFORE_SCAN, SharedAutomata, anchoredLiteralsOf, anchoredPrefixesOf, PrefixSet, requiredLiteralsOf, startsWithOne } from '../../otel-processor/src/engine/rules/literal-filter';
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
    const ids = groups.map((g) => set.groupOf(g));
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
    const ids: number[] = [];
    const addGroup = () => {
      const g = Array.from({ length: 1 + Math.floor(r() * 3) }, () => fold(pick(3 + Math.floor(r() * 4))));
      groups.push(g);
      ids.push(set.groupOf(g));
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

/** Every group's answer on `line` against a plain search of the folded line; the mismatches. */
function mismatches(set: LiteralSet, groups: readonly string[][], ids: readonly number[], line: string, asked: Iterable<number>): unknown[] {
  const owner = {};
  const out: unknown[] = [];
  for (const i of asked) {
    const expected = groups[i].some((l) => fold(line).includes(l));
    if (set.anyIn(ids[i], line, owner) !== expected) out.push([line, groups[i], expected]);
  }
  return out;
}

test('one scan of many literals (automaton) answers as a plain search of the folded line: shared beginnings and ends, overlaps, every position, line end, scanning at once or after searches', () => {
  // few characters: literals overlap and share prefixes and suffixes (fallbacks in the automaton)
  const SMALL = ['a', 'b', 'A', 'B', ' ', 'é', 'É', '\ud801\udc00', '?', '('];
  const r = rng(23);
  const pick = (n: number) => Array.from({ length: n }, () => SMALL[Math.floor(r() * SMALL.length)]).join('');
  const wrong: unknown[] = [];
  let scans = 0;
  let searches = 0;
  for (let round = 0; round < 60; round++) {
    const set = new LiteralSet();
    const groups = Array.from({ length: 8 + Math.floor(r() * 30) }, () =>
      Array.from({ length: 1 + Math.floor(r() * 3) }, () => fold(pick(3 + Math.floor(r() * 6)))));
    const ids = groups.map((g) => set.groupOf(g));
    const all = groups.map((_, i) => i);
    for (let k = 0; k < 40; k++) {
      // a literal of the set put at every position of a line (capitals put back at random), or none
      const lit = groups[Math.floor(r() * groups.length)][0];
      const cased = [...lit].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');
      const filler = pick(12);
      for (let at = 0; at <= filler.length; at += 1 + Math.floor(r() * 3)) {
        const line = r() < 0.2 ? pick(Math.floor(r() * 20)) : filler.slice(0, at) + cased + filler.slice(at, at + Math.floor(r() * 3));
        // all groups asked (the line is scanned past SEARCHES_BEFORE_SCAN searches, later lines at once), or a few
        const asked = r() < 0.6 ? all : all.filter(() => r() < 0.1);
        wrong.push(...mismatches(set, groups, ids, line, asked));
      }
    }
    scans += set.scans;
    searches += set.searches;
  }
  expect(wrong).toEqual([]);
  expect(scans).toBeGreaterThan(1000);
  expect(searches).toBeGreaterThan(1000);
});

test('a few literals searched by one RegExp (FewLiterals) answer as a plain search of the folded line: overlaps, literals inside others, shared starts, every position', () => {
  // few characters: literals overlap, contain one another and start alike
  const SMALL = ['a', 'b', 'A', 'B', ' ', '?', '(', 'é', '\u0130', '\u212a', 'k', 'K'];
  const ASCII = ['a', 'b', ' ', '?', '(', 'k'];
  const r = rng(29);
  const pick = (from: string[], n: number) => Array.from({ length: n }, () => from[Math.floor(r() * from.length)]).join('');
  const wrong: unknown[] = [];
  let found = 0;
  for (let round = 0; round < 300; round++) {
    const texts = [...new Set(Array.from({ length: 1 + Math.floor(r() * 12) }, () => pick(ASCII, 3 + Math.floor(r() * 5))))];
    const few = FewLiterals.of(texts)!;
    for (let k = 0; k < 40; k++) {
      // some literals of the set put in a line (capitals put back at random), or none
      let line = pick(SMALL, Math.floor(r() * 8));
      for (let n = Math.floor(r() * 4); n > 0; n--) {
        const lit = texts[Math.floor(r() * texts.length)];
        line += [...lit].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('') + pick(SMALL, Math.floor(r() * 3));
      }
      const got = few.found(line);
      texts.forEach((t, i) => {
        const expected = fold(line).includes(t);
        if (expected) found++;
        if (((got >>> i) & 1) !== (expected ? 1 : 0)) wrong.push([line, t, expected]);
      });
    }
  }
  expect(wrong).toEqual([]);
  expect(found).toBeGreaterThan(5000);
});

test('FewLiterals takes plain ASCII literals (no capitals) of 3 characters or more, distinct, FEW_MAX at most', () => {
  expect(FewLiterals.of(['abc', 'a.b', '[x]', '$^|', '\\d+'])).not.toBeNull();
  expect(FewLiterals.of(['abc', 'ab'])).toBeNull();
  expect(FewLiterals.of(['abc', 'Abc'])).toBeNull();
  expect(FewLiterals.of(['abc', 'ébc'])).toBeNull();
  expect(FewLiterals.of(['abc', 'tab\tend'])).toBeNull();
  expect(FewLiterals.of(['abc', 'abc'])).toBeNull();
  expect(FewLiterals.of([])).toBeNull();
  const many = Array.from({ length: FEW_MAX + 1 }, (_, i) => `lit${i}`);
  expect(FewLiterals.of(many.slice(0, FEW_MAX))).not.toBeNull();
  expect(FewLiterals.of(many)).toBeNull();
  // RegExp syntax in literals is searched as text
  const few = FewLiterals.of(['a.b', '[x]', '$^|', '\\d+', '*+{2}'])!;
  expect(['aXb', 'A.B', '[X]', 'x', '$^|', '\\D+', '\\d', '*+{2}', '*+2'].map((l) => few.found(l))).toEqual([0, 1, 2, 0, 4, 8, 0, 16, 0]);
});

test('the texts a pattern matches when that is all it does: anchored literal alternatives only', () => {
  const texts = (source: string, caseless = true) => exactPrefixesOf(compilePcre2(source, { caseless }))?.map((p) => [p.text, p.fold]) ?? null;
  expect(texts('^\\[warn\\] |^\\[notice\\] |^\\[error\\] ')).toEqual([['[warn] ', 0b11110], ['[notice] ', 0b1111110], ['[error] ', 0b111110]]);
  expect(texts('^abc', false)).toEqual([['abc', 0]]);
  expect(texts('^a{3}b')).toEqual([['aaab', 0b1111]]);
  expect(texts('^Installed|^Updated', false)).toEqual([['Installed', 0], ['Updated', 0]]);
  for (const more of ['^abc$', '^ab+', '^a|b', 'abc', '^(?i)abc', '^(abc)', '^a.c', '^a[bc]', '^a\\d', '^' + 'x'.repeat(32), '^ab(?=c)', '^ab\\b']) expect([more, texts(more)]).toEqual([more, null]);
  expect(texts('^' + 'x'.repeat(31))).toEqual([['x'.repeat(31), 0b1111111111111111111111111111111]]);
});

test('a pattern of such texts answers as they do, from any start: random anchored literal alternations and lines', () => {
  const r = rng(31);
  const CH = ['a', 'b', 'A', ' ', '[', ']', '1', 'é'];
  const pick = (n: number) => Array.from({ length: n }, () => CH[Math.floor(r() * CH.length)]).join('');
  const esc = (t: string) => t.replace(/[[\]\\]/g, (c) => `\\${c}`);
  let exact = 0;
  const wrong: unknown[] = [];
  for (let k = 0; k < 300; k++) {
    const alts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(1 + Math.floor(r() * 4)));
    const caseless = r() < 0.5;
    const p = compilePcre2(alts.map((a) => `^${esc(a)}`).join('|'), { caseless });
    const prefixes = exactPrefixesOf(p);
    if (prefixes === null) continue;
    exact++;
    for (let j = 0; j < 40; j++) {
      const line = r() < 0.5 ? pick(Math.floor(r() * 3)) + alts[Math.floor(r() * alts.length)].toUpperCase() + pick(2) : pick(Math.floor(r() * 8));
      const from = Math.floor(r() * (line.length + 1));
      if (p.matchEnd(line, from) !== prefixEnd(line, from, prefixes)) wrong.push([p.source, caseless, line, from]);
    }
  }
  expect(wrong).toEqual([]);
  expect(exact).toBeGreaterThan(250);
});

test('literals with RegExp syntax characters, searched one by one and by a scan', () => {
  const groups = [['?????'], ['((null)'], ['a.b'], ['[x]'], ['\\d+'], ['$^|'], ['*+{2}'], ['@@@'], ['tab\tend'], ['nul\u0000']];
  const lines = ['x ?????? y', '????', 'changed by ((null)', '(null)', 'aXb', 'A.B', 'a.', '[X]', 'x', '\\D+', '\\d', '$^|', '$^', '*+{2}', '*+2', '@@', '@@@', 'TAB\tEND', 'tab end', 'NUL\u0000', 'nul'];
  const wrong: unknown[] = [];
  for (const asked of [[0], groups.map((_, i) => i)]) {
    const set = new LiteralSet();
    const ids = groups.map((g) => set.groupOf(g));
    for (const line of lines) wrong.push(...mismatches(set, groups, ids, line, asked));
    expect(asked.length === 1 ? set.scans === 0 : set.scans === lines.length).toBe(true);
  }
  expect(wrong).toEqual([]);
});

test('a literal holding an exact capital is never in a folded line, searched or scanned', () => {
  const set = new LiteralSet();
  const groups = [['ABC'], ...Array.from({ length: SEARCHES_BEFORE_SCAN + 1 }, (_, i) => [`lit${i}`])];
  const ids = groups.map((g) => set.groupOf(g));
  expect(set.anyIn(ids[0], 'ABC abc', {})).toBe(false);
  const owner = {};
  for (let i = 1; i < groups.length; i++) set.anyIn(ids[i], 'ABC abc lit0', owner);
  expect(set.scans).toBe(1);
  expect(set.anyIn(ids[0], 'ABC abc lit0', owner)).toBe(false);
  expect(set.anyIn(ids[1], 'ABC abc lit0', owner)).toBe(true);
});

test('an empty literal is in every line, searched or scanned', () => {
  const groups = [[''], ['x', 'never'], ...Array.from({ length: SEARCHES_BEFORE_SCAN + 1 }, (_, i) => [`lit${i}`])];
  for (const order of [[0, 1], [1, 2, 3, 4, 5, 6, 0]]) {
    const set = new LiteralSet();
    const ids = groups.map((g) => set.groupOf(g));
    for (const line of ['', 'abc', 'lit3']) expect(mismatches(set, groups, ids, line, order)).toEqual([]);
    expect(set.scans).toBe(order.length > 2 ? 3 : 0);
  }
});

test('an automaton of more than 65536 cells (32-bit table) answers as a plain search, literals found at the line end too', () => {
  // 100 characters (row width 128), 40 literals of 40: ~1600 states x 128 cells, under MAX_AUTOMATON_CELLS
  const CHARS = Array.from({ length: 100 }, (_, i) => String.fromCharCode(i < 26 ? 97 + i : 0x100 + i));
  const r = rng(11);
  const pick = (n: number) => Array.from({ length: n }, () => CHARS[Math.floor(r() * CHARS.length)]).join('');
  const groups = Array.from({ length: 40 }, () => [pick(40), pick(40)]);
  const set = new LiteralSet();
  const ids = groups.map((g) => set.groupOf(g));
  const all = groups.map((_, i) => i);
  const wrong: unknown[] = [];
  for (let k = 0; k < 40; k++) {
    const lit = groups[k][k % 2].replace(/[a-z]/g, (c) => (r() < 0.5 ? c.toUpperCase() : c));
    wrong.push(...mismatches(set, groups, ids, pick(30) + lit + pick(k % 3 === 0 ? 0 : 30), all));
    wrong.push(...mismatches(set, groups, ids, pick(30) + lit.slice(1) + pick(5), all));
  }
  expect(wrong).toEqual([]);
  expect(set.scans).toBe(80);
});

test('literals too many for an automaton are searched one by one, with the same answers', () => {
  // 100 characters, long random literals: well past MAX_AUTOMATON_CELLS states x row width
  const CHARS = Array.from({ length: 100 }, (_, i) => String.fromCharCode(i < 26 ? 97 + i : 0x100 + i));
  const r = rng(5);
  const pick = (n: number) => Array.from({ length: n }, () => CHARS[Math.floor(r() * CHARS.length)]).join('');
  const groups = Array.from({ length: Math.ceil(MAX_AUTOMATON_CELLS / 128 / 100) + 20 }, () => [pick(100)]);
  const set = new LiteralSet();
  const ids = groups.map((g) => set.groupOf(g));
  const all = groups.map((_, i) => i);
  const wrong: unknown[] = [];
  for (let k = 0; k < 5; k++) {
    const line = pick(50) + groups[k * 7][0].replace(/[a-z]/g, (c) => c.toUpperCase()) + pick(50);
    wrong.push(...mismatches(set, groups, ids, line, all));
  }
  expect(wrong).toEqual([]);
  expect(set.scans).toBe(0);
  expect(set.searches).toBe(5 * groups.length);
});

test('sets with the same literals and groups share one automaton, kept while one of them uses it', () => {
  const shared = new SharedAutomata();
  const a = new LiteralSet(shared);
  const b = new LiteralSet(shared);
  const groups = Array.from({ length: SEARCHES_BEFORE_SCAN + 2 }, (_, i) => [`word${i}`, `other${i}x`]);
  const line = 'a WORD3 and OTHER5X';
  const check = (set: LiteralSet, gs: string[][], ids: number[]) => expect(mismatches(set, gs, ids, line, gs.map((_, i) => i))).toEqual([]);
  const idsA = groups.map((g) => a.groupOf(g));
  const idsB = groups.map((g) => b.groupOf(g));
  check(a, groups, idsA);
  check(b, groups, idsB);
  expect([a.scans, b.scans, shared.size]).toEqual([1, 1, 1]);
  // a grows: its new automaton is its own; once b grows alike, the first is let go
  const more = [...groups, ['third']];
  idsA.push(a.groupOf(['third']));
  check(a, more, idsA);
  expect(shared.size).toBe(2);
  idsB.push(b.groupOf(['third']));
  check(b, more, idsB);
  expect(shared.size).toBe(1);
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
  // anchored patterns' own literals (for lines scanned anyway), only theirs
  const anchored = (src: string, caseless = false) => anchoredLiteralsOf([compilePcre2(src, { caseless })])?.slice().sort() ?? null;
  expect(anchored('^Installed|^Updated', true)).toEqual(['installed', 'updated']);
  expect(anchored('^hpiod: unable to ParDevice')).toEqual(['hpiod: unable to ']);
  expect(anchored('^PHP Warning: ')).toEqual(['arning: ']);
  expect(anchored('^nouveau ')).toEqual(['nouveau ']);
  expect(anchored('^error: x$', true)).toEqual(['error: x']);
  expect(anchored('^reverse mapping.*failed - POSSIBLE')).toEqual(['reverse mapping']);
  expect(anchored('Failed password')).toBeNull();
  expect(anchored('^Failed|password')).toBeNull();
  expect(lits('^Failed|password', false)).toEqual(['ailed', 'password']); // not all anchored: searched as others
  expect(anchored('^ab')).toBeNull();
  // exact capitals in a plain literal anywhere: its longest run without one
  expect(lits('for USER root$', false)).toEqual([' root']);
});

test('a pattern that is just its literals: plain alternatives, unanchored, every letter caseless; the first pattern with literals only', () => {
  const settled = (src: string, caseless = true) => {
    const p = compilePcre2(src, { caseless });
    return literalPatternOf([p]) === p;
  };
  for (const yes of ['FAIL LOGIN: ', 'check pass; user unknown|error retrieving information', '\\[WARNING\\] Authentication failed', 'gdm:auth\\): conversation failed', 'a{3}bc', 'ab1|123']) {
    expect([yes, settled(yes)]).toEqual([yes, true]);
  }
  // anchored, at the end, classes, optional parts, exact letters, too short, groups (not looked into), anything more than literals
  for (const no of ['^FAIL LOGIN', 'LOGIN$', 'Incorrect password\\.$|Login failed', 'user \\S+ not', 'ab?cd', 'abc|de', 'a.c', 'abc(?=d)', '\\babc', 'x{2,3}yz', '(?:abc|def)']) {
    expect([no, settled(no)]).toEqual([no, false]);
  }
  expect(settled('fail login', false)).toBe(false); // exact lower-case letters: the folded search also finds FAIL LOGIN
  expect(settled('123 456', false)).toBe(true); // no letters: exact either way
  // the pattern requiredLiteralsOf takes its literals from, and no other
  const a = compilePcre2('user \\S+ not', { caseless: true });
  const b = compilePcre2('plain text', { caseless: true });
  expect(literalPatternOf([a, b])).toBeNull();
  expect(literalPatternOf([compileOsMatch('x'), b])).toBe(b);
});

test('such a pattern matches exactly the lines holding one of its literals: random literal alternations and lines (mixed case, non-ASCII)', () => {
  const r = rng(41);
  const CH = ['a', 'b', 'A', 'B', ' ', ':', '1', '(', 'é'];
  const pick = (n: number) => Array.from({ length: n }, () => CH[Math.floor(r() * CH.length)]).join('');
  const esc = (t: string) => t.replace(/[()\\]/g, (c) => `\\${c}`);
  const wrong: unknown[] = [];
  let settled = 0;
  for (let k = 0; k < 300; k++) {
    const alts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(3 + Math.floor(r() * 3)));
    const p = compilePcre2(alts.map(esc).join('|'), { caseless: r() < 0.8 });
    if (literalPatternOf([p]) !== p) continue;
    settled++;
    const lits = requiredLiteralsOf([p])!;
    for (let j = 0; j < 40; j++) {
      const alt = alts[Math.floor(r() * alts.length)];
      const line = r() < 0.5 ? pick(Math.floor(r() * 4)) + (r() < 0.5 ? alt.toUpperCase() : alt.toLowerCase()) + pick(2) : pick(Math.floor(r() * 10));
      if (p.test(line) !== lits.some((l) => fold(line).includes(l))) wrong.push([p.source, p.caseless, line]);
    }
  }
  expect(wrong).toEqual([]);
  expect(settled).toBeGreaterThan(150);
});

test('prefixes from pattern text: the literal characters opening every alternative of a pattern anchored at the start; none when not anchored, unknown, or the m flag may be set', () => {
  const pre = (src: string, caseless = false) => anchoredPrefixesOf([compilePcre2(src, { caseless })])?.map((p) => [p.text, p.fold]).sort() ?? null;
  expect(pre('^Installed|^Updated|^Erased')).toEqual([['Erased', 0], ['Installed', 0], ['Updated', 0]]);
  expect(pre('^Installed|^Updated', true)).toEqual([['installed', 0b111111111], ['updated', 0b1111111]]);
  expect(pre('^\\[error\\] ')).toEqual([['[error] ', 0]]);
  expect(pre('^hpiod: unable to ParDevice')).toEqual([['hpiod: unable to ParDevice', 0]]);
  expect(pre('^Ab: x$', true)).toEqual([['ab: x', 0b10011]]);
  expect(pre('^ab*c')).toEqual([['a', 0]]);
  expect(pre('^a{3}b+c')).toEqual([['aaab', 0]]);
  expect(pre('^\\d+ x')).toBeNull();
  expect(pre('^(ab|cD)e', true)).toEqual([['ab', 0b11], ['cd', 0b11]]);
  expect(pre('^(?:ab|cd)e')).toBeNull(); // any `(?`: not taken
  expect(pre('^Failed|password')).toBeNull();
  expect(pre('Failed password')).toBeNull();
  expect(pre('denied$')).toBeNull();
  // (?m): ^ also after a newline; any inline option or verb: not taken
  expect(pre('(?m)^abc')).toBeNull();
  expect(pre('x\\n(?m:^abc)|^abc')).toBeNull();
  expect(anchoredPrefixesOf([compileOsMatch('^Failed')])).toBeNull();
});

test('PrefixSet.opens answers as startsWithOne: random prefixes (folded or not, ASCII or not) on random lines, the empty line too', () => {
  const r = rng(23);
  const CH = ['a', 'A', 'z', 'Z', '[', '{', '@', '`', ' ', '\u00e9', '\u00c9', '\u212a', 'k', 'K', '\u0000', '\u007f', '\u0080', '1'];
  const pick = (n: number) => Array.from({ length: n }, () => CH[Math.floor(r() * CH.length)]).join('');
  let opened = 0;
  let closed = 0;
  for (let round = 0; round < 400; round++) {
    const list = Array.from({ length: 1 + Math.floor(r() * 4) }, () => {
      let text = pick(1 + Math.floor(r() * 3));
      let fold = 0;
      // fold only lower-case ASCII letters, as exactPrefixesOf does for caseless letters
      text = [...text].map((c, i) => { if (/[a-z]/i.test(c) && r() < 0.5) { fold |= 1 << i; return c.toLowerCase(); } return c; }).join('');
      return { text, fold };
    });
    const set = new PrefixSet(list);
    for (let k = 0; k < 40; k++) {
      const line = r() < 0.3 ? list[Math.floor(r() * list.length)].text.toUpperCase() + pick(2) : pick(Math.floor(r() * 5));
      const want = startsWithOne(line, list);
      if (want) opened++;
      else closed++;
      expect([list, line, set.opens(line)]).toEqual([list, line, want]);
    }
  }
  expect(opened).toBeGreaterThan(300);
  expect(closed).toBeGreaterThan(3000);
});

test('a line a pattern matches starts with one of its prefixes: random anchored patterns and lines (mixed case, non-ASCII, newlines)', () => {
  const r = rng(11);
  const CH = ['a', 'A', 'b', 'B', 'k', 'K', '\u212a', 'é', 'É', ' ', ':', '[', '\n', '1'];
  const pick = (n: number) => Array.from({ length: n }, () => CH[Math.floor(r() * CH.length)]).join('');
  const escape = (t: string) => t.replace(/[[\]\\^$.|?*+(){}]/g, '\\$&').replace(/\n/g, '\\n');
  let matched = 0;
  for (let round = 0; round < 300; round++) {
    const alts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => '^' + escape(pick(1 + Math.floor(r() * 4))) + (r() < 0.5 ? '\\S*' : ''));
    const caseless = r() < 0.5;
    const p = compilePcre2(alts.join('|'), { caseless });
    const prefixes = anchoredPrefixesOf([p]);
    if (prefixes === null) continue;
    for (let k = 0; k < 60; k++) {
      const line = pick(Math.floor(r() * 8));
      if (!p.test(line)) {
        continue;
      }
      matched++;
      expect([alts, caseless, line, startsWithOne(line, prefixes)]).toEqual([alts, caseless, line, true]);
    }
  }
  expect(matched).toBeGreaterThan(100);
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
        const lits = requiredLiteralsOf([p]) ?? anchoredLiteralsOf([p]);
        const prefixes = anchoredPrefixesOf([p]);
        if (lits === null && prefixes === null) continue;
        checked++;
        for (const line of lines) {
          if (!p.test(line)) continue;
          matched++;
          if (lits !== null && !lits.some((l) => fold(line).includes(l))) missed.push(`${rule.id} ${p.source} :: ${line}`);
          if (prefixes !== null && !startsWithOne(line, prefixes)) missed.push(`prefix ${rule.id} ${p.source} :: ${line}`);
        }
      }
    }
    expect(missed).toEqual([]);
    expect(checked).toBeGreaterThan(minChecked);
    expect(matched).toBeGreaterThanOrEqual(minMatched);
  });
});
