/**
 * factorRunAlternation (pcre2.ts) translates `(?:P\S+L1|P\S*L2|...) ` as one scan of the run: the
 * factored pattern must answer exactly as the pattern translated as written (`factorRuns: false`):
 * yes/no, match end and captures, on generated log lines, lines built around the group's
 * literals and adversarial subjects (long runs, tabs, no space after the run), from several starts;
 * and only the shapes the proof covers are rewritten.
 */
import { compilePcre2 } from '../../../otel-processor/src/engine/patterns';
import { factorRunAlternation } from '../../../otel-processor/src/engine/patterns/pcre2';
import { rulesetPatterns } from '../perf/ruleset-patterns';
import { describeShared } from '../../support/shared-data';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../../generator/index.js') as typeof import('../../generator');

const APACHE24 = String.raw`^\[\w+ \w+ \d+ \d+:\d+:\d+\.\d+ \d+\] (?:\[\S+:warn\]|\[\S+:notice\]|\[\S*:error\]|\[\S+:info\]) `;

const CASES = [
  APACHE24,
  String.raw`(?:\[\S+:warn\]|\[\S+:notice\]|\[\S*:error\]|\[\S+:info\]) `,
  String.raw`x(?:ab\S+a|ab\S*b) y`,
  String.raw`(?:\S*a|\S+ab|\S*\]) (\S+)`,
  String.raw`(\w+) (?:<\S+>|<\S*/>) (\d+)`,
];

function subjects(rng: () => number): string[] {
  const pieces = ['[', ']', ':', 'warn', 'notice', 'error', 'info', 'core', ' ', '\t', 'a', 'b', 'ab', 'x', 'y', '<', '>', '/', '/>', '12', 'Thu Mar 12 00:00:01.123456 2026', '\n', ':error]', '[:error] '];
  const out: string[] = [];
  for (let i = 0; i < 3000; i++) {
    let s = rng() < 0.5 ? '[Thu Mar 12 00:00:01.123456 2026] ' : '';
    const n = 1 + Math.floor(rng() * 12);
    for (let k = 0; k < n; k++) s += pieces[Math.floor(rng() * pieces.length)];
    out.push(s);
  }
  for (const level of ['warn', 'notice', 'error', 'info', 'debug']) {
    for (const mod of ['', 'core', 'a:b', 'x]y', ':']) {
      for (const tail of [' ', '\t', '', ']', ' x', ':' + level + '] ']) out.push(`[Thu Mar 12 00:00:01.123456 2026] [${mod}:${level}]${tail}`);
    }
  }
  out.push('[' + 'a'.repeat(5000) + ':info] ', '[' + ':'.repeat(3000) + 'error] ', 'x' + 'ab'.repeat(2000) + 'b y');
  return out;
}

function answer(p: ReturnType<typeof compilePcre2>, s: string, start: number) {
  const out = { values: [] as string[], count: 0 };
  const end = p.execInto(s, start, out);
  return { end, test: p.matchEnd(s, start), caps: end >= 0 ? out.values.slice(0, out.count) : [] };
}

describe('factorRunAlternation', () => {
  it('rewrites the shapes it proves exact, and leaves others as they are', () => {
    expect(factorRunAlternation(APACHE24)).toBe(String.raw`^\[\w+ \w+ \d+ \d+:\d+:\d+\.\d+ \d+\] \[(?:\S+(?::warn\]|:notice\]|:error\]|:info\])|(?::error\])) `);
    for (const kept of [
      String.raw`\(?:\S+a|\S+b) `, // escaped parenthesis
      String.raw`[(?:\S+a|\S+b) ]`, // inside a class
      String.raw`(?:\S+a|\S+b) +`, // the space is quantified
      String.raw`(?:\S+a|\S+b)x`, // no space after the group
      String.raw`(?:ab\S+a|ac\S+b) `, // prefixes differ
      String.raw`(?:\S+a b|\S+b) `, // a literal holds a space
      String.raw`(?x)(?:\S+a|\S+b) `, // flags
      String.raw`(?:\S+(a)|\S+b) `, // a capture
    ]) expect(factorRunAlternation(kept)).toBe(kept);
  });

  it('answers as the pattern translated as written', () => {
    let seed = 7;
    const rng = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const subs = subjects(rng);
    for (const src of CASES) {
      for (const caseless of [false, true]) {
        const plain = compilePcre2(src, { caseless, factorRuns: false });
        const fact = compilePcre2(src, { caseless });
        expect(fact.jsSource).not.toBe(plain.jsSource);
        for (const s of subs) for (const start of [0, 1, 5]) {
          if (start > s.length) continue;
          expect([src, s, start, answer(fact, s, start)]).toEqual([src, s, start, answer(plain, s, start)]);
        }
      }
    }
  });
});

describeShared('factorRunAlternation on the rulesets')('factored ruleset patterns answer as written ones on generated lines', () => {
  const lines = generate({ seed: 9302, lines: 3000 }).lines;
  for (const ruleset of ['ossec', 'wazuh', 'warden'] as const) {
    it(ruleset, () => {
      let factored = 0;
      for (const rp of rulesetPatterns(ruleset)) {
        if (rp.dialect !== 'pcre2' || factorRunAlternation(rp.source) === rp.source) continue;
        factored++;
        const plain = compilePcre2(rp.source, { caseless: rp.caseless, factorRuns: false });
        const fact = compilePcre2(rp.source, { caseless: rp.caseless });
        for (const s of lines) for (const start of [0, 1, 34]) {
          if (start > s.length) continue;
          expect([rp.source, s, start, answer(fact, s, start)]).toEqual([rp.source, s, start, answer(plain, s, start)]);
        }
      }
      if (ruleset === 'ossec') expect(factored).toBeGreaterThan(0);
    });
  }
});
