/**
 * The plain-literal paths of Pcre2Pattern (literals.ts: alternations of literals answered by
 * compares and indexOf; the OSSEC fast path's compares) must answer exactly as before: every
 * alternation of literals against the same pattern run on its RegExp (`literalMatcher: false`),
 * every OSSEC fast-path pattern against a plain strcmp-style model of OSPcre2_Execute's fast path
 * — yes/no, match end and (empty) captures, for every PCRE2 pattern of the stock OSSEC, Wazuh and
 * Warden rulesets, on generated log lines, their fields and adversarial subjects, from several starts.
 */
import { compilePcre2, type Pcre2Pattern } from '../../../otel-processor/src/engine/patterns';
import { LiteralAlternation } from '../../../otel-processor/src/engine/patterns/literals';
import { rulesetPatterns } from '../perf/ruleset-patterns';
import { describeShared } from '../../support/shared-data';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../../generator/index.js') as typeof import('../../generator');

const cs = { caseless: false };
const ci = { caseless: true };

/** The literals of a plain-literal pattern source (escapes resolved), split at `|`. */
function literalsOf(source: string): string[] {
  return source.split('|').map((alt) => alt.replace(/^\^/, '').replace(/\$$/, '').replace(/\\(.)/g, '$1'));
}

/** Adversarial subjects around a pattern's own literals: case changes, newlines, cut and doubled. */
function subjectsFor(source: string): string[] {
  const out: string[] = [''];
  const swap = (t: string): string => t.replace(/[A-Za-z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
  for (const lit of literalsOf(source)) {
    const variants = [lit, lit.toUpperCase(), lit.toLowerCase(), swap(lit), lit.replace(/k/gi, '\u212a').replace(/s/gi, '\u017f'), lit.replace(/[a-z]/i, '\u00e9')];
    for (const v of variants) {
      out.push(v, `${v}\n`, `${v}\n\n`, `x${v}`, `${v}x`, `x ${v} y`, `${v}${v}`, v.slice(0, -1), v.slice(1), `${v}\nx`, `\n${v}`, `${v.slice(0, -1)}\n`);
    }
  }
  return out;
}

/** Starts to try on `s`: the beginning, the middle, the end and every index where a literal begins. */
function startsFor(s: string, source: string): number[] {
  const set = new Set([0, 1, s.length >> 1, s.length]);
  for (const lit of literalsOf(source)) {
    const low = s.toLowerCase();
    for (let i = low.indexOf(lit.toLowerCase()); i >= 0 && set.size < 12; i = low.indexOf(lit.toLowerCase(), i + 1)) {
      set.add(i);
      if (i > 0) set.add(i - 1);
    }
  }
  return [...set].filter((i) => i <= s.length);
}

interface Answer {
  test: boolean;
  end: number;
  exec: unknown;
  into: number;
}

function answer(p: Pcre2Pattern, s: string, start: number): Answer {
  const out = { values: [] as string[], count: 0 };
  const into = p.execInto(s, start, out);
  return { test: p.test(s, start), end: p.matchEnd(s, start), exec: p.exec(s, start), into: into < 0 ? -1 : into * 100 + out.count };
}

/** OSPcre2_Execute's fast path as plain string operations (what Pcre2Pattern ran before literals.ts). */
function fastPathModel(source: string, caseless: boolean, s: string, start: number): number {
  const equal = source.startsWith('^') && source.endsWith('$') && source.length > 1;
  const prefix = !equal && source.startsWith('^');
  const lit = equal ? source.slice(1, -1) : prefix ? source.slice(1) : source.slice(0, -1);
  const fold = (t: string): string => (caseless ? t.replace(/[A-Z]/g, (c) => c.toLowerCase()) : t);
  const rest = s.slice(start);
  if (equal) return fold(rest) === fold(lit) ? s.length : -1;
  if (prefix) return fold(rest).startsWith(fold(lit)) ? start + lit.length : -1;
  return rest.length >= lit.length && fold(rest).endsWith(fold(lit)) ? s.length : -1;
}

describe('alternations of plain literals (literals.ts)', () => {
  test('which sources take the literal path', () => {
    const literal = (src: string, opts = ci): boolean => LiteralAlternation.compile(src, opts.caseless) !== null;
    expect(literal('^4|^5|^6')).toBe(true);
    expect(literal('-4-')).toBe(true);
    expect(literal('^\\(pam|^pam')).toBe(true);
    expect(literal('^www$|^rpc$')).toBe(true);
    expect(literal('\\(pam_unix\\)$')).toBe(false); // a long compare: the RegExp is faster
    expect(literal('_unix\\)$', cs)).toBe(false);
    expect(literal('ix\\)$')).toBe(true);
    expect(literal('ModSecurity: Warning')).toBe(false); // caseless search by `: `, common: the RegExp is faster
    expect(literal('INFORMATION\\(1\\)')).toBe(true); // caseless, searched by `(1)`
    expect(literal('AH01617|AH01807')).toBe(true);
    expect(literal('lsass\\.exe')).toBe(false);
    expect(literal('gdm:auth\\): conversation failed')).toBe(false); // `): ` is in every PAM line
    expect(literal('ModSecurity: Warning', cs)).toBe(true);
    expect(literal('^warn|^work')).toBe(false); // one first character for two: the RegExp is faster
    expect(literal('a|b|c|d')).toBe(false); // four searches: one RegExp scan is faster
    expect(literal('a.b')).toBe(false);
    expect(literal('a\\db')).toBe(false);
    expect(literal('^a|')).toBe(false);
    expect(literal('a^b')).toBe(false);
    expect(literal('a$b')).toBe(false);
    expect(literal('(?i)a')).toBe(false);
    expect(literal('a{2}')).toBe(false);
  });

  test('leftmost match, first alternative on a tie, ^ at start, $ before a final newline', () => {
    const end = (src: string, s: string, start = 0, opts = cs): number => compilePcre2(src, opts).matchEnd(s, start);
    expect(end('b|ab', 'xab')).toBe(3); // ab starts first
    expect(end('ab|b', 'xab')).toBe(3);
    expect(end('a|ab', 'ab')).toBe(1); // tie: the first alternative
    expect(end('ab|a', 'ab')).toBe(2);
    expect(end('^4|^5|^6', '503')).toBe(1);
    expect(end('^4|^5|^6', '200')).toBe(-1);
    expect(end('^4|^5|^6', 'x503', 1)).toBe(2);
    expect(end('^5-|^6-', '6-', 0, ci)).toBe(2);
    expect(end('^ab$|^x', 'ab\n')).toBe(2);
    expect(end('^ab$|^x', 'ab\n\n')).toBe(-1);
    expect(end('b$|^x', 'ab\n')).toBe(2);
    expect(end('b$|^x', 'ab\nc')).toBe(-1);
    expect(end('b$|a', 'ab')).toBe(1);
    expect(end('b$|^a', 'b', 1)).toBe(-1);
    expect(end('^k$|^x', '\u212a', 0, ci)).toBe(-1); // the Kelvin sign is not an ASCII k
    expect(end('^\\(pam|^pam', '(PAM_UNIX) x', 0, ci)).toBe(4);
    expect(end('ix\\)$|^x', 'pam_unIX)\n', 0, ci)).toBe(9);
    expect(end('INFORMATION\\(1\\)', 'x (1) information(1) y', 0, ci)).toBe(20);
    expect(end('INFORMATION\\(1\\)', 'InFoRmAtIoN(1)INFORMATION(1)', 1, ci)).toBe(28);
    expect(end('INFORMATION\\(1\\)', 'NFORMATION(1)', 0, ci)).toBe(-1);
    expect(end('AH01807|AH01617', 'ah01617 ah01807', 0, ci)).toBe(7);
  });
});

/** A long literal (past the compare loop) as the OSSEC fast path and in an alternation. */
describe('long literals are compared as before', () => {
  test.each([
    ['^error: maximum authentication attempts exceeded ', 'ERROR: Maximum authentication attempts exceeded for x', 0],
    ['^error: maximum authentication attempts exceeded ', 'error: maximum authentication attempts exceedeD ', 0],
    ['^error: maximum authentication attempts exceeded $', 'error: maximum authentication attempts exceeded ', 0],
    ['authentication attempts exceeded $', 'x: authentication Attempts exceeded ', 3],
    ['^Connection closed by |^Bad protocol', 'xConnection Closed By 1.2.3.4', 1],
  ])('%j on %j from %d', (src, s, start) => {
    const p = compilePcre2(src, ci);
    const ref = compilePcre2(src, { caseless: true, literalMatcher: false });
    const want = p.mode === 'regex' ? ref.matchEnd(s, start) : fastPathModel(src, true, s, start);
    expect(p.matchEnd(s, start)).toBe(want);
    expect(want).not.toBe(-1);
    expect(p.matchEnd(s.replace(/d/g, 'x'), start)).toBe(-1);
  });
});

describeShared('the plain-literal differential test')('plain-literal paths = RegExp / fast-path model on the rulesets', () => {
  const lines = generate({ seed: 9301, lines: 800 }).lines;
  const fields = [...new Set(lines.flatMap((l) => l.split(/[ =:,[\]()"]+/)))].slice(0, 1500);
  const corpus = [...lines, ...fields, ...lines.slice(0, 200).map((l) => `${l}\n`)];

  for (const ruleset of ['ossec', 'wazuh', 'warden'] as const) {
    test(`every plain-literal PCRE2 pattern of the ${ruleset} ruleset`, () => {
      const mismatches: string[] = [];
      let literalPatterns = 0;
      let fastPatterns = 0;
      let compared = 0;
      const seen = new Set<string>();
      for (const rp of rulesetPatterns(ruleset)) {
        if (rp.dialect !== 'pcre2' || seen.has(`${rp.caseless}${rp.source}`)) continue;
        seen.add(`${rp.caseless}${rp.source}`);
        let p: Pcre2Pattern;
        try {
          p = compilePcre2(rp.source, { caseless: rp.caseless });
        } catch {
          continue; // rejected by the loader as well (its tests cover that)
        }
        const viaLiterals = p.mode === 'regex' && LiteralAlternation.compile(rp.source, rp.caseless) !== null;
        if (!viaLiterals && p.mode === 'regex') continue;
        if (viaLiterals) literalPatterns++;
        else fastPatterns++;
        const ref = compilePcre2(rp.source, { caseless: rp.caseless, literalMatcher: false });
        for (const s of [...corpus, ...subjectsFor(rp.source)]) {
          for (const start of startsFor(s, rp.source)) {
            compared++;
            const got = answer(p, s, start);
            let want: Answer;
            if (viaLiterals) want = answer(ref, s, start);
            else {
              const end = fastPathModel(rp.source, rp.caseless, s, start);
              want = { test: end >= 0, end, exec: end < 0 ? null : { captures: [], end }, into: end < 0 ? -1 : end * 100 };
            }
            if (JSON.stringify(got) !== JSON.stringify(want) && mismatches.length < 10) {
              mismatches.push(`${rp.file} ${JSON.stringify(rp.source)} on ${JSON.stringify(s.slice(0, 100))} from ${start}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(literalPatterns).toBeGreaterThan(ruleset === 'warden' ? 0 : 20);
      expect(fastPatterns).toBeGreaterThan(ruleset === 'ossec' ? 20 : 0);
      expect(compared).toBeGreaterThan(10000);
    });
  }
});
