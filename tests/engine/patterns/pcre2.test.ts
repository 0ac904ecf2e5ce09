import { compilePcre2, enableLinearRegexpFallback, PatternError } from '../../../otel-processor/src/engine/patterns';

enableLinearRegexpFallback();

const cs = { caseless: false };
const ci = { caseless: true };

describe('PCRE2 plain-string fast path (OSPcre2_Compile)', () => {
  test.each([
    ['^abc$', 'equal'],
    ['^abc', 'prefix'],
    ['abc$', 'suffix'],
    ['abc', 'regex'],
    ['^a b:c/d$', 'equal'],
    ['^a.c$', 'regex'],
    ['^', 'prefix'],
    ['$', 'suffix'],
    ['^abc\n', 'prefix'],
  ])('%j -> %s', (p, mode) => {
    expect(compilePcre2(p, cs).mode).toBe(mode);
  });

  test('equality / prefix / suffix, case rules, end index', () => {
    expect(compilePcre2('^abc$', cs).exec('abc')).toEqual({ captures: [], end: 3 });
    expect(compilePcre2('^abc$', cs).test('ABC')).toBe(false);
    expect(compilePcre2('^abc$', ci).test('ABC')).toBe(true);
    expect(compilePcre2('^abc$', cs).test('abc\n')).toBe(false); // strcmp, not PCRE2 $
    expect(compilePcre2('^abc', cs).exec('abcdef')).toEqual({ captures: [], end: 3 });
    expect(compilePcre2('def$', ci).exec('abcDEF')).toEqual({ captures: [], end: 6 });
    expect(compilePcre2('^abc\n', cs).test('abc\nx')).toBe(true);
    expect(compilePcre2('^abc\n', cs).test('abc')).toBe(false);
    expect(compilePcre2('^abc', cs).exec('x abc', 2)).toEqual({ captures: [], end: 5 });
    expect(compilePcre2('^k$', ci).test('\u212a')).toBe(false);
  });

  test('empty pattern is rejected', () => {
    expect(() => compilePcre2('', cs)).toThrow(PatternError);
  });
});

describe('PCRE2 execution semantics', () => {
  test('captures are packed: unset groups skipped, empty groups kept', () => {
    expect(compilePcre2('(a)|(b)', cs).exec('xb')!.captures).toEqual(['b']);
    expect(compilePcre2('(a)?(b)', cs).exec('b')!.captures).toEqual(['b']);
    expect(compilePcre2('(a*)(b)', cs).exec('b')!.captures).toEqual(['', 'b']);
    expect(compilePcre2('(x)?(y)?z', cs).exec('z')!.captures).toEqual([]);
  });

  test('end is the index after the whole match; start works without slicing semantics changes', () => {
    expect(compilePcre2('user=(\\w+)', cs).exec('a user=root b')).toEqual({ captures: ['root'], end: 11 });
    expect(compilePcre2('\\d+', cs).exec('12 34', 2)).toEqual({ captures: [], end: 5 });
    // ^, \A, \b and lookbehind see `start` as the beginning of the subject
    expect(compilePcre2('^(\\d+)', cs).exec('ab 12', 3)).toEqual({ captures: ['12'], end: 5 });
    expect(compilePcre2('\\A\\d', cs).test('ab 12', 3)).toBe(true);
    expect(compilePcre2('\\bb', cs).test('ab', 1)).toBe(true);
    expect(compilePcre2('(?<!a)b', cs).test('ab', 1)).toBe(true);
  });

  test('inline flags', () => {
    expect(compilePcre2('(?i)error', cs).test('ERROR')).toBe(true);
    expect(compilePcre2('error', cs).test('ERROR')).toBe(false);
    expect(compilePcre2('a(?i)b', cs).test('aB')).toBe(true);
    expect(compilePcre2('a(?i)b', cs).test('AB')).toBe(false);
    expect(compilePcre2('(?i:a)b', cs).test('Ab')).toBe(true);
    expect(compilePcre2('(?i:a)b', cs).test('AB')).toBe(false);
    expect(compilePcre2('(?-i)a', ci).test('A')).toBe(false);
    expect(compilePcre2('(?s)a.b', cs).test('a\nb')).toBe(true);
    expect(compilePcre2('a.b', cs).test('a\nb')).toBe(false);
    expect(compilePcre2('a.b', cs).test('a\rb')).toBe(true); // PCRE2 . excludes only \n
    expect(compilePcre2('(?m)^b$', cs).test('a\nb\nc')).toBe(true);
    expect(compilePcre2('^b$', cs).test('a\nb\nc')).toBe(false);
    expect(compilePcre2('(?m)^b', cs).test('a\rb')).toBe(false); // only \n is a newline
    expect(compilePcre2('(?x) a  b # comment\n c', cs).exec('abc')).toEqual({ captures: [], end: 3 });
    expect(compilePcre2('(?ix) A B', cs).test('ab')).toBe(true);
  });

  test('anchors: $ before a final newline, \\z, \\Z', () => {
    expect(compilePcre2('b$', cs).test('ab\n')).toBe(false); // plain-string suffix fast path (strcmp)
    expect(compilePcre2('\\w$', cs).exec('ab\n')).toEqual({ captures: [], end: 2 });
    expect(compilePcre2('[ab]$', cs).test('ab\nc')).toBe(false);
    expect(compilePcre2('b\\z', cs).test('ab\n')).toBe(false);
    expect(compilePcre2('b\\Z', cs).test('ab\n')).toBe(true);
    expect(compilePcre2('(b)$', cs).exec('ab')!.captures).toEqual(['b']);
  });

  test('classes and escapes', () => {
    expect(compilePcre2('^\\s$', cs).test('\u00a0')).toBe(false);
    expect(compilePcre2('^\\s$', cs).test('\v')).toBe(true);
    expect(compilePcre2('^\\h+$', cs).test(' \t')).toBe(true);
    expect(compilePcre2('^\\h$', cs).test('\n')).toBe(false);
    expect(compilePcre2('^\\v$', cs).test('\n')).toBe(true);
    expect(compilePcre2('^\\x{41}\\x42$', cs).test('AB')).toBe(true);
    expect(compilePcre2('^\\e\\Q.*+\\E$', cs).test('\x1b.*+')).toBe(true);
    expect(compilePcre2('^\\Qab\\E+$', cs).test('abbb')).toBe(true);
    expect(compilePcre2('^[[:alpha:]]+[[:digit:]]$', cs).test('abC1')).toBe(true);
    expect(compilePcre2('^[[:^digit:]]+$', cs).test('ab-')).toBe(true);
    expect(compilePcre2('^[[:^digit:]]+$', cs).test('a1')).toBe(false);
    expect(compilePcre2('^[[:upper:]]$', ci).test('a')).toBe(true);
    expect(compilePcre2('^[]a]+$', cs).test(']a]')).toBe(true);
    expect(compilePcre2('^[^]a]$', cs).test('b')).toBe(true);
    expect(compilePcre2('^[\\d\\s-]+$', cs).test('1 -2')).toBe(true);
    expect(compilePcre2('^[a-c]+$', ci).test('ABC')).toBe(true);
    expect(compilePcre2('^[^a-c]$', ci).test('B')).toBe(false);
    expect(compilePcre2('[c-z]:\\\\\\\\Users\\\\\\\\', ci).test('C:\\\\Users\\\\x')).toBe(true);
    expect(compilePcre2('a{2}', cs).test('aa')).toBe(true);
    expect(compilePcre2('a{x', cs).test('a{x')).toBe(true);
    expect(compilePcre2('\\R', cs).exec('a\r\nb')).toEqual({ captures: [], end: 3 });
    expect(compilePcre2('^\\N+$', cs).test('ab\rc')).toBe(true);
  });

  test('groups, backreferences, atomic groups and possessive quantifiers', () => {
    expect(compilePcre2('(?<word>\\w+) \\k<word>', cs).exec('hey hey')!.captures).toEqual(['hey']);
    expect(compilePcre2('(?P<w>\\w+)-(?P=w)', cs).test('ab-ab')).toBe(true);
    expect(compilePcre2('(a)(b)\\2\\1', cs).exec('abba')!.captures).toEqual(['a', 'b']);
    expect(compilePcre2('(a)\\g{-1}', cs).test('aa')).toBe(true);
    expect(compilePcre2('(?:a)(b)', cs).exec('ab')!.captures).toEqual(['b']);
    expect(compilePcre2('(?>a+)ab', cs).test('aaab')).toBe(false);
    expect(compilePcre2('(a+)ab', cs).test('aaab')).toBe(true);
    expect(compilePcre2('a++b', cs).test('aaab')).toBe(true);
    expect(compilePcre2('a++ab', cs).test('aaab')).toBe(false);
    expect(compilePcre2('(x)(?>(a+))(b)\\3', cs).exec('xaabb')!.captures).toEqual(['x', 'aa', 'b']); // internal groups renumbered
    expect(compilePcre2('a(?#comment)b', cs).test('ab')).toBe(true);
    expect(compilePcre2('(?=.*x)a', cs).test('ax')).toBe(true);
  });

  test.each([
    ['\\K'],
    ['(?R)'],
    ['(a)(?1)'],
    ['\\p{L}'],
    ['[z-a]'],
    ['\\i'],
    ['(abc'],
    ['abc)'],
    ['*a'],
    ['(?|a)'],
    ['(?(1)a|b)'],
    ['\\1'],
    ['(?<=(\\w+\\s*)+)x'],
  ])('%j is rejected with a PatternError', (p) => {
    expect(() => compilePcre2(p, cs)).toThrow(PatternError);
  });

  test('linear-engine eligibility is reported', () => {
    expect(compilePcre2('(\\S+\\s*)+x', ci).linear).toBe(true);
    expect(compilePcre2('(a)\\1', cs).linear).toBe(false);
    expect(compilePcre2('a(?=b)', cs).linear).toBe(false);
    expect(compilePcre2('a{1,30}', cs).linear).toBe(false);
  });
});

describe('PCRE2: catastrophic backtracking is bounded (V8 linear fallback)', () => {
  const big = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  test.each([
    ['(a+)+$', () => big('a', 100_000) + '!', false],
    ['(a+)+$', () => big('a', 100_000), true],
    ['(\\S+\\s*)+x', () => big('ab ', 100_000), false],
    ['(?i)(\\S+\\s*)+x', () => big('ab ', 100_000) + 'X', true],
    ['^(\\w+,)*\\w+;', () => big('abc,', 100_000) + ' ', false],
    ['^(\\w+,)*\\w+;', () => big('abc,', 100_000) + 'z;', true],
    // translated OS_Regex shapes from the note
    ['\\S+?,\\S+?,(\\S+?),(\\S+?),(\\S+?),', () => big('abc', 100_000), false],
    [' (.+?) (\\S+?) - (\\S+?) \\[\\S+? attack-name="(.+?)"', () => big('a b - c ', 100_000), false],
  ])('%j on a 100 KB line (case %#)', (p, mk, want) => {
    const s = (mk as () => string)();
    const re = compilePcre2(p as string, cs);
    expect(re.linear).toBe(true);
    expect(re.test(s)).toBe(want);
  });
});

describe('plain-string fast path against a direct model, on random literals and subjects', () => {
  // OSSEC compares with strcmp / strncmp, or their ASCII-caseless forms when caseless
  const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  test('equal / prefix / suffix, caseless or not, any start', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = ['a', 'A', 'b', 'B', 'z', 'Z', ' ', ':', '@', '`', '[', '{', '1', '\u212a', '\u00e9', '\u00c9', 'k', 'K'];
    const word = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    let matches = 0;
    for (let i = 0; i < 3000; i++) {
      const lit = word(Math.floor(rnd() * 4)).replace(/[\u212a\u00e9\u00c9`[{]/g, 'x');
      const kind = Math.floor(rnd() * 3);
      const src = kind === 0 ? `^${lit}$` : kind === 1 ? `^${lit}` : `${lit}$`;
      if (src === '' || src === '$' || src === '^' || src === '^$') continue;
      const caseless = rnd() < 0.5;
      const p = compilePcre2(src, { caseless });
      expect(p.mode).not.toBe('regex');
      for (let k = 0; k < 20; k++) {
        let s = word(Math.floor(rnd() * 6));
        if (rnd() < 0.5) s = rnd() < 0.5 ? s + (caseless && rnd() < 0.5 ? lit.toUpperCase() : lit) : (caseless && rnd() < 0.5 ? lit.toLowerCase() : lit) + s;
        const start = rnd() < 0.7 ? 0 : Math.floor(rnd() * (s.length + 1));
        const t = caseless ? fold(s.slice(start)) : s.slice(start);
        const l = caseless ? fold(lit) : lit;
        const want = kind === 0 ? (t === l ? s.length : -1) : kind === 1 ? (t.startsWith(l) ? start + l.length : -1) : t.endsWith(l) ? s.length : -1;
        expect([src, caseless, s, start, p.matchEnd(s, start)]).toEqual([src, caseless, s, start, want]);
        if (want >= 0) matches++;
      }
    }
    expect(matches).toBeGreaterThan(5000);
  });
});

describe('a start offset reads the subject as if it began there', () => {
  // Anchored patterns run from `start` on a sticky RegExp without their `^` (no slice per call);
  // everything else slices. Either way the answer is the one for subject.slice(start).
  test.each([
    ['^ (\\S+):(\\d+?)\\] |^ (\\S+)\\] ', true],
    ['^for (\\S+) from (\\S+) port \\d+', true],
    ['^(?=a)\\w+$', true],
    ['^[^x]+$', true],
    ['^a|b', false],
    ['^a| b', false],
    ['\\bfoo', false],
    ['(?<=x)foo', false],
    ['^(?:a|^b)', false],
  ])('%j (sticky: %s)', (src, sticky) => {
    const p = compilePcre2(src, ci);
    expect((p as unknown as { reSticky: RegExp | null }).reSticky !== null).toBe(sticky);
    const subjects = ['x [1.2.3.4:80] y', 'x  [h] ', 'xfor bob from 10.0.0.1 port 22', 'xxfoo', 'bab', 'ab', 'a b', 'x for a from b port 1\n', 'aaa\n'];
    for (const s of subjects) {
      for (let start = 0; start <= s.length; start++) {
        const whole = p.exec(s.slice(start), 0);
        const want = whole === null ? null : { captures: whole.captures, end: whole.end + start };
        expect([s, start, p.exec(s, start)]).toEqual([s, start, want]);
        expect([s, start, p.matchEnd(s, start)]).toEqual([s, start, want === null ? -1 : want.end]);
      }
    }
  });
});
