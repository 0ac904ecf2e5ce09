/**
 * The linear sequence matcher must answer exactly as the RegExp it replaces: same match end and
 * same captures, for every PCRE2 pattern of the three rulesets it can compile, on generated log
 * lines of every format, the shared corpus and adversarial runs, from offset 0 and mid-line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePcre2 } from '../../../otel-processor/src/engine/patterns';
import { compileSequence } from '../../../otel-processor/src/engine/patterns/sequence';
import { rulesetPatterns } from './ruleset-patterns';
import { SHARED, describeShared } from '../../support/shared-data';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../../generator/index.js') as typeof import('../../generator');

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
  for (const ruleset of ['ossec', 'wazuh', 'warden'] as const) {
    test(`every PCRE2 pattern of the ${ruleset} ruleset it compiles`, () => {
      let compared = 0;
      let patterns = 0;
      const mismatches: string[] = [];
      for (const p of rulesetPatterns(ruleset)) {
        if (p.dialect !== 'pcre2') continue;
        let jsSource: string | undefined;
        try {
          jsSource = compilePcre2(p.source, { caseless: p.caseless }).jsSource;
        } catch {
          continue; // a pattern the loader rejects is covered by the loader's tests
        }
        if (jsSource === undefined) continue;
        const seq = compileSequence(jsSource);
        if (seq === null) continue;
        patterns++;
        const re = new RegExp(jsSource, 'g');
        const groups = seq.caps.length / 2 - 1;
        for (const line of lines) {
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
              mismatches.push(`${p.file} ${p.source} on ${JSON.stringify(line.slice(start, start + 120))}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(patterns).toBeGreaterThan(ruleset === 'wazuh' ? 0 : 20);
      expect(compared).toBeGreaterThan(0);
    });
  }
});
