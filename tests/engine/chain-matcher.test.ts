/**
 * The chain matcher must answer exactly as the PCRE2 pattern it stands in front of: same match,
 * same captures, same end, on every pattern of the three rulesets it can take (not only the ones
 * the decoders give it) and on lines of every format, near misses and adversarial lines.
 */
import * as path from 'node:path';
import { compileChainMatcher } from '../../otel-processor/src/engine/decode/chain-matcher';
import { compilePattern, type Pattern } from '../../otel-processor/src/engine/patterns';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { decoderExamples, generate, iniTemplates } from '../generator';
import { describeShared, OSSEC_ROOT } from '../support/shared-data';
import { rulesetPatterns } from './perf/ruleset-patterns';

const WINDOWS = 'WinEvtLog: Security: AUDIT_SUCCESS(4672): Microsoft-Windows-Security-Auditing: rine1: CORP: MAIL: Special privileges assigned to new logon. Subject: Security ID: S-1-5-21-1-2-3-500 Account Name: rine1 Account Domain: CORP Privileges: SeDebugPrivilege';

function same(chain: Pattern, pattern: Pattern, line: string, from: number): string | null {
  const a = chain.exec(line, from);
  const b = pattern.exec(line, from);
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) return `exec from ${from}: chain ${ja} pcre2 ${jb}`;
  if (chain.test(line, from) !== (b !== null)) return `test from ${from}`;
  return null;
}

describe('chain matcher: the Windows decoder pattern', () => {
  const src = '^.+: ([A-Za-z0-9@_-]+?)\\((\\d+?)\\): (.+): (.+): .+: (\\S+): ';
  const pattern = compilePattern('pcre2', src, { caseless: true });
  const chain = compileChainMatcher(src, true, pattern)!;

  test('is built for it, and gives PCRE2\'s captures', () => {
    expect(chain).not.toBeNull();
    const r = chain.exec(WINDOWS.slice('WinEvtLog: '.length), 0);
    expect(r).toEqual(pattern.exec(WINDOWS.slice('WinEvtLog: '.length), 0));
    expect(r!.captures[0]).toBe('AUDIT_SUCCESS');
  });

  test('near misses, separators everywhere, from offsets', () => {
    const lines = [WINDOWS, WINDOWS.replace('(4672)', '(x)'), WINDOWS.replace(/: /g, ':: '), WINDOWS.replace(/ /g, ': '),
      ': : : : a(1): : : : : x: ', 'a(1): b: c: d: e: ', 'a(1): b: c: d: e:', 'a(1): b: c: d: : : ', ': a(1): b: c: d\n: e: f: '];
    for (const l of lines) for (const from of [0, 3, 11]) expect(same(chain, pattern, l, from)).toBeNull();
  });

  test('long or costly lines go to the pattern, with the same answer', () => {
    for (const l of [WINDOWS.repeat(30), ': '.repeat(3000) + 'a(1): b: c: d: e: ', 'x'.repeat(5000) + 'a(1): b: c: d: e: ']) {
      expect(same(chain, pattern, l, 0)).toBeNull();
    }
  });
});

describe('chain matcher: caseless literals, lazy runs, bounded repeats, groups', () => {
  const cases: Array<[string, boolean, string[]]> = [
    [' Account Name:[ ]+?([A-Za-z0-9@_-]+?)[ ]+?Account', true, [WINDOWS, WINDOWS.toLowerCase(), ' ACCOUNT NAME:   bob   account', ' Account Name: bob']],
    ['(?:ab)+x', false, ['ababx']],
    ['a(\\d{2,3})(\\w*)b', false, ['a1234b', 'a12b', 'a1b', 'xa123zzb']],
    ['(.*?),(.*)', false, ['a,b,c', ',', 'no comma']],
    ['^(\\S+) .+ SRC=(\\S+) DST=(\\S+) .+ PROTO=(\\w+) ', true, ['IN=eth0 OUT= MAC=x SRC=1.2.3.4 DST=5.6.7.8 LEN=60 PROTO=TCP SPT=1 ', 'a b src=1 dst=2 c proto=udp ']],
  ];
  test.each(cases)('%s', (src, caseless, lines) => {
    const pattern = compilePattern('pcre2', src, { caseless });
    const chain = compileChainMatcher(src, caseless, pattern, true);
    if (src === '(?:ab)+x') { expect(chain).toBeNull(); return; } // a quantified group: not its subset
    expect(chain).not.toBeNull();
    for (const l of lines) for (const from of [0, 1, 5]) expect(same(chain!, pattern, l, from)).toBeNull();
  });
});

describeShared('the chain matcher on the stock rulesets')('chain matcher on every pattern of the three rulesets it takes', () => {
  test('same answers as PCRE2 on lines of every format', () => {
    enableLinearRegexpFallback();
    const templates = [...iniTemplates(path.join(OSSEC_ROOT, 'tests')), ...decoderExamples(path.join(OSSEC_ROOT, 'etc', 'decoder.xml'))];
    const base = generate({ seed: 777, lines: 500, templates }).lines;
    // the message part too (what decoders see), and a version with the separators doubled
    const lines = base.flatMap((l) => {
      const msg = l.replace(/^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ (\S+: )?/, '');
      return [l, msg, msg.replace(/: /g, ':  ')];
    });
    let taken = 0;
    let matched = 0;
    const counts = new Map<string, number>();
    const wrong: string[] = [];
    for (const rs of ['ossec', 'wazuh', 'warden'] as const) {
      for (const p of rulesetPatterns(rs)) {
        if (p.dialect !== 'pcre2') continue;
        let pattern: Pattern;
        try {
          pattern = compilePattern('pcre2', p.source, { caseless: p.caseless, wazuh: rs === 'wazuh' });
        } catch {
          continue;
        }
        const chain = compileChainMatcher(p.source, p.caseless, pattern, true);
        if (chain === null) continue;
        taken++;
        counts.set(rs, (counts.get(rs) ?? 0) + 1);
        for (const l of lines) {
          const d = same(chain, pattern, l, 0);
          if (d !== null) wrong.push(`${rs} ${p.source} :: ${d} :: ${l}`);
          else if (pattern.test(l, 0)) matched++;
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(taken).toBeGreaterThan(300);
    expect(counts.get('wazuh')).toBeGreaterThan(50);
    expect(matched).toBeGreaterThan(2000);
  }, 600_000);
});
