/**
 * The linear sequence matcher must answer exactly as the RegExp it replaces: same match end and
 * same captures, for every PCRE2 pattern of the three rulesets it can compile, on generated log
 * lines of every format, the shared corpus and adversarial runs, from offset 0 and mid-line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePcre2 } from '../../../otel-processor/src/engine/patterns';
import { compileSequence, sequenceSteps } from '../../../otel-processor/src/engine/patterns/sequence';
import { rulesetPatterns } from './ruleset-patterns';
import { SHARED, describeShared } from '../../support/shared-data';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate, mulberry32: random } = require('../../generator/index.js') as typeof import('../../generator');

function subjects(): string[] {
  const out = generate({ seed: 7, lines: 600 }).lines;
  const mixed = path.join(SHARED, 'corpus', 'mixed.log');
  out.push(...fs.readFileSync(mixed, 'latin1').split('\n').slice(0, 100));
  for (const unit of ['a', ' ', '"', ':', ': ', 'a: ', '%', '=', '/', '(', ')', 'ab c', '0', '\t', 'é']) {
    out.push(unit.repeat(200), `x ${unit.repeat(100)} y: z: `);
  }
  return out;
}

interface Answer { end: number; captures: (string | undefined)[] }

function viaRegExp(re: RegExp, s: string, groups: number): Answer {
  re.lastIndex = 0;
  const m = re.exec(s);
  if (m === null) return { end: -1, captures: [] };
  return { end: m.index + m[0].length, captures: Array.from({ length: groups }, (_, g) => m[g + 1]) };
}

describeShared('the sequence matcher differential test')('sequence matcher = RegExp', () => {
  const lines = subjects();
  // Subjects with newlines, for the translation Pcre2Pattern runs on them (PCRE2's line anchors).
  const newlineLines = lines.map((line, i) => (i % 3 === 0 ? `${line}\n` : `${line}\n${lines[(i * 7 + 1) % lines.length]}`));
  for (const ruleset of ['ossec', 'wazuh', 'warden'] as const) {
    test(`every PCRE2 pattern of the ${ruleset} ruleset`, () => {
      let compared = 0;
      let patterns = 0;
      const mismatches: string[] = [];
      const outside: string[] = [];
      for (const p of rulesetPatterns(ruleset)) {
        if (p.dialect !== 'pcre2') continue;
        let translated: ReturnType<typeof compilePcre2>;
        try {
          translated = compilePcre2(p.source, { caseless: p.caseless });
        } catch {
          continue; // a pattern the loader rejects is covered by the loader's tests
        }
        if (translated.jsSource === undefined) continue;
        const exact = (translated as unknown as { reExact?: RegExp }).reExact;
        const runs: [string, string[]][] = [[translated.jsSource, lines]];
        if (exact !== undefined) runs.push([exact.source, newlineLines]);
        for (const [jsSource, subjects] of runs) {
          const seq = compileSequence(jsSource);
          if (seq === null) {
            outside.push(`${p.file} ${p.source}`);
            continue;
          }
          patterns++;
          const re = new RegExp(jsSource, 'g');
          const groups = seq.caps.length / 2 - 1;
          for (const line of subjects) {
            for (const start of [0, line.length >> 1]) {
              const want = viaRegExp(re, line.slice(start), groups);
              const end = seq.exec(line, start);
              const got: Answer = {
                end: end < 0 ? -1 : end - start,
                captures: end < 0 ? [] : Array.from({ length: groups }, (_, g) => {
                  const o = seq.caps[2 * (g + 1)];
                  return o < 0 ? undefined : line.slice(o, seq.caps[2 * (g + 1) + 1]);
                }),
              };
              compared++;
              if (JSON.stringify(got) !== JSON.stringify(want) && mismatches.length < 5) {
                mismatches.push(`${p.file} ${jsSource} on ${JSON.stringify(line.slice(start, start + 120))}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
              }
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
      // Every pattern is in the matcher's subset, so each runs in linear time on long lines (a new
      // pattern outside it would be timed on V8 by the linear-work test instead).
      expect(outside).toEqual([]);
      expect(patterns).toBeGreaterThan(ruleset === 'wazuh' ? 400 : 100);
      expect(compared).toBeGreaterThan(0);
    });
  }
});


/**
 * Each construct the matcher runs beyond plain sequences, on random subjects over the pattern's
 * own characters (plus a few others), from offset 0 and mid-subject: same end and captures as the
 * RegExp on the subject from that offset (as Pcre2Pattern runs it).
 */
describe('sequence matcher = RegExp on random subjects, per construct', () => {
  /** Per construct: patterns, each with sample subjects it matches (pieces of the random subjects). */
  const constructs: Record<string, [string, ...string[]][]> = {
    'bounded group repetition {n} / {n,m} / {n,m}?': [
      [String.raw`(?:(Illegal)\s([^\|]+)\|){2}`, 'Illegal x y|Illegal zz|', 'Illegal\ta|Illegal b c|d'],
      [String.raw`(?:[0-9]{1,3}\.){3}[0-9]{1,3}`, '10.0.0.1', '192.168.10.254', '1.2.3.4.5'],
      [String.raw`(?:(a+)b){2}`, 'abab', 'aabaaab'],
      [String.raw`(?:(\w+)[,;]){2,3}c`, 'x,y;c', 'ab,cd;ef,c'],
      [String.raw`(?:ab|cd){1,3}?e`, 'abe', 'cdabe', 'abcdabe'],
      [String.raw`(?:a|bc){0,2}c`, 'c', 'abcc', 'bcac'],
      [String.raw`^(?:(\d)[ab]){1,3}`, '1a', '1a2b3a4b'],
      [String.raw`(?:x[ab]+y)?z`, 'xabyz', 'z', 'xyz'],
    ],
    'unbounded group repetition * / + / {n,} (lazy too)': [
      [String.raw`(?:%20|\+)*(id|ls)(?:%20|\+|$|&)`, '%20+id&', '+%20ls', 'id%20'],
      [String.raw`(?:%3B|;|\|)(?:%20|\+)*(?:id|cat)`, ';%20%20id', '|+cat', '%3Bid'],
      [String.raw`add.+\/d\s+(")?(?:[A-Za-z\d+\/]{4})*(?:[A-Za-z\d+\/]{3}=|[A-Za-z\d+\/]{2}==)?`, 'reg add x /d "QUJDRA==', 'add k /d  YWJj', 'add a/d b'],
      [String.raw`a(?:bc|d)*?(b|d)`, 'ab', 'abcdbcd', 'adb'],
      [String.raw`^(?:ab|c)*$`, 'abcab', 'cc', ''],
      [String.raw`x(?:[ab]\d){2,}(y?)`, 'xa1b2', 'xa1b2a3y'],
      [String.raw`(?:ab|c)+?c`, 'abc', 'cc', 'ababcc'],
      [String.raw`union(?:\s|%20|\+|/\*\*/)+(?:all(?:\s|%20|\+)+)?select`, 'union select', 'union%20all+select', 'union/**/select'],
    ],
    '\\b and \\B': [
      [String.raw`(?i)powershell\.exe.+\-\b(encodedcommand|e|ea|ec|encodeda|encode|en|enco)\b`, 'powershell.exe -nop -enc AAA', 'PowerShell.exe x -e', 'powershell.exe -encodedcommand'],
      [String.raw`(?i)(Remove-Item|ri|rm|rd)\b`, 'rm -rf', 'Remove-Item x', 'rd'],
      [String.raw`\b(e|en|enc)\b`, 'en', '-e x', 'x enc'],
      [String.raw`\Bx+\b`, 'axx', 'bx y'],
      [String.raw`a\b.*\bc`, 'a c', 'a-c', 'xa: cd'],
      [String.raw`^\b(\w*)\B`, 'abc', 'a1'],
    ],
    '^ inside the pattern': [
      [String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`], // never matches a line without a newline
      [String.raw`(?:^|,)(\w+)=`, 'a=1', 'x,b=2'],
      [String.raw`a(?:^b|c)`, 'ac'],
      [String.raw`(?:^a|b)c+`, 'acc', 'xbc'],
      [String.raw`(x?)(?:^|-)(\d+)`, '12', 'x-3', '-4'],
    ],
    'lookaheads after a leading ^': [
      [String.raw`^(?!^$|^-$).*`, '-', 'a', '--'],
      [String.raw`^(?!^N\\A$|^$).*`, 'N\\A', 'NA'],
      [String.raw`^(?=.*a)(?=.*x)`, 'ax', 'xa', 'a'],
      [String.raw`^(?!ab)(\w+)`, 'ab', 'ac'],
      [String.raw`^(?=\d)(\d+)x|^(?!y)(.)`, '12x', 'y', '1'],
      [String.raw`^(?=.*\d)(?!.*z).+$`, 'a1', 'z1', 'abc'],
    ],
    // the translation Pcre2Pattern runs on subjects with a newline (PCRE2's line anchors)
    'newline anchors (exact translation)': [
      [String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`, 'ACTION : x\nAB C:', 'ACTION :\nZ:'],
      [String.raw`(?m)^(\w+)=(.*)$`, 'a=1\nb=2', 'x\nk=v\n'],
      [String.raw`a\w*c$`, 'abc', 'abc\n', 'xabc\nac'],
      [String.raw`(?m)x$\n^(y+)\Z`, 'x\nyy', 'x\ny\n', 'ax\ny\nz'],
    ],
  };
  const exactConstruct = 'newline anchors (exact translation)';

  test.each(Object.keys(constructs))('%s', (construct) => {
    const next = random(11);
    const pick = <T>(a: T[]): T => a[Math.floor(next() * a.length)];
    const mismatches: string[] = [];
    const oneSided: string[] = [];
    for (const [source, ...samples] of constructs[construct]) {
      let matched = 0;
      let failed = 0;
      const translated = compilePcre2(source, { caseless: false });
      const jsSource = construct === exactConstruct ? (translated as unknown as { reExact: RegExp }).reExact.source : (translated.jsSource as string);
      const seq = compileSequence(jsSource);
      expect([source, seq !== null]).toEqual([source, true]);
      if (seq === null) continue;
      const re = new RegExp(jsSource, 'g');
      const groups = seq.caps.length / 2 - 1;
      const alphabet = [...new Set([...source.replace(/\\[sdwbB]/g, ''), ...samples.join(''), ' ', '-', 'x', '1', '\n', 'é'])];
      /** A sample, a piece of one or a character, edited now and then. */
      const token = (): string => {
        const r = next();
        let t = samples.length === 0 || r < 0.3 ? pick(alphabet) : pick(samples);
        if (r > 0.8 && t.length > 1) {
          const a = Math.floor(next() * t.length);
          t = t.slice(a, a + 1 + Math.floor(next() * (t.length - a)));
        }
        if (next() < 0.2) {
          const at = Math.floor(next() * (t.length + 1));
          t = t.slice(0, at) + (next() < 0.5 ? pick(alphabet) : '') + t.slice(at + 1);
        }
        return t;
      };
      for (let n = 0; n < 4000; n++) {
        let line = '';
        const tokens = 1 + Math.floor(next() * 4);
        for (let k = 0; k < tokens; k++) line += token();
        const start = n % 2 === 0 ? 0 : Math.floor(next() * (line.length + 1));
        const want = viaRegExp(re, line.slice(start), groups);
        const end = seq.exec(line, start);
        const got: Answer = {
          end: end < 0 ? -1 : end - start,
          captures: end < 0 ? [] : Array.from({ length: groups }, (_, g) => {
            const o = seq.caps[2 * (g + 1)];
            return o < 0 ? undefined : line.slice(o, seq.caps[2 * (g + 1) + 1]);
          }),
        };
        if (want.end < 0) failed++;
        else matched++;
        if (JSON.stringify(got) !== JSON.stringify(want) && mismatches.length < 5) {
          mismatches.push(`${source} on ${JSON.stringify(line)} from ${start}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
        }
      }
      // both answers were exercised (a pattern without samples never matches)
      if ((samples.length > 0 && matched < 200) || failed < 200) oneSided.push(`${source}: ${matched} matches, ${failed} failures`);
    }
    expect(mismatches).toEqual([]);
    expect(oneSided).toEqual([]);
  });

  test('a long subject with newlines runs on the matcher, with the RegExp\'s answer', () => {
    const pattern = compilePcre2(String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`, { caseless: false });
    const exact = new RegExp((pattern as unknown as { reExact: RegExp }).reExact.source);
    for (const subject of ['ACTION : '.repeat(400) + '\nNAME X:', 'ACTION :\n'.repeat(400), `${'x'.repeat(3000)}ACTION :a\nB:`]) {
      const before = sequenceSteps();
      const got = pattern.exec(subject);
      expect(sequenceSteps()).toBeGreaterThan(before);
      const m = exact.exec(subject);
      expect(got).toEqual(m === null ? null : { captures: m.slice(1), end: m.index + m[0].length });
    }
  });

  test('what it cannot run exactly stays with the RegExp', () => {
    const outside = [
      String.raw`(?:(a)|b)+c`, // a capture that a pass may leave unset (PCRE2 keeps it, the RegExp clears it)
      String.raw`(?:(a)b)*c`, // a capture in an unbounded loop
      String.raw`(?:a*)+b`, // a body that matches the empty string
      String.raw`(a?)?b`,
      String.raw`(?:ab|ac)*d`, // two passes may start at one position
      String.raw`(?:a+b)*c`, // a pass of varying length
      String.raw`x(?=a)`, // lookahead elsewhere than after a leading ^
      String.raw`^(?=(a))`, // a capture in a lookahead
      String.raw`(?<=a)b`,
      String.raw`(a)\1`,
    ];
    expect(outside.filter((source) => compileSequence(compilePcre2(source, { caseless: false }).jsSource as string) !== null)).toEqual([]);
  });
});
