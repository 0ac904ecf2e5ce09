import { compileOsMatch, compilePattern, compileWordMatch } from '../../../otel-processor/src/engine/patterns';

describe('OS_Match', () => {
  test.each([
    ['sshd', 'xSSHD: x', true],
    ['^sshd', 'sshd[12]', true],
    ['^sshd', 'xsshd', false],
    ['sshd$', 'my-SSHD', true],
    ['sshd$', 'sshd2', false],
    ['^sshd$', 'SSHD', true],
    ['^sshd$', 'sshd ', false],
    ['^$', '', true],
    ['^$', 'x', false],
    ['', 'anything', true],
    ['^', 'anything', true],
    ['$', 'anything', true],
    ['a||b', 'zzz', true],
    ['foo|bar', 'xbarx', true],
    ['foo|bar', 'baz', false],
    ['\\.', 'a\\.b', true],
    ['\\.', 'a.b', false],
    ['a.c(', 'xa.c(', true],
    ['!foo', 'bar', true],
    ['!foo', 'xfoo', false],
    ['^4735$|\n            |^641$', 'a\n            b', true],
    ['^4735$|\n            |^641$', '641', true],
    ['^4735$|\n            |^641$', '6410', false],
  ])('%j on %j -> %p', (p, s, want) => {
    expect(compileOsMatch(p).test(s)).toBe(want);
    expect(compileOsMatch(p).exec(s) !== null).toBe(want);
  });

  test('exec end index: after the matched text / prefix, captures []', () => {
    expect(compileOsMatch('bar').exec('foo bar baz')).toEqual({ captures: [], end: 7 });
    expect(compileOsMatch('^foo').exec('foo bar')).toEqual({ captures: [], end: 3 });
    expect(compileOsMatch('baz$').exec('foo baz')).toEqual({ captures: [], end: 7 });
    expect(compileOsMatch('^foo bar$').exec('FOO BAR')).toEqual({ captures: [], end: 7 });
    expect(compileOsMatch('nope|').exec('x')).toEqual({ captures: [], end: 0 });
  });

  test('start offset', () => {
    expect(compileOsMatch('^bar').exec('foo bar', 4)).toEqual({ captures: [], end: 7 });
    expect(compileOsMatch('^bar$').test('foo bar', 4)).toBe(true);
    expect(compileOsMatch('foo').test('foo bar', 1)).toBe(false);
  });

  test('case-insensitivity is ASCII only', () => {
    expect(compileOsMatch('ÉTÉ').test('été')).toBe(false);
    expect(compileOsMatch('k').test('\u212a')).toBe(false); // Kelvin sign is not "k"
  });
});

describe('OS_WordMatch', () => {
  test.each([
    ['authentication_failed', 'syslog,sshd,authentication_failed,', true],
    ['AUTHENTICATION_FAILED|invalid_login', 'x,invalid_login,', true],
    ['^syslog', 'syslog,sshd,', true],
    ['^sshd', 'syslog,sshd,', false],
    ['sshd,$', 'syslog,sshd,', true],
    ['^syslog,$', 'syslog,', true],
    ['syslog&sshd', 'syslog,sshd,', true],
    ['syslog&web', 'syslog,sshd,', false],
    ['', 'x', true],
    ['x', '', false],
  ])('%j on %j -> %p', (p, s, want) => {
    expect(compileWordMatch(p).test(s)).toBe(want);
  });
});

describe("'string' dialect (<action>)", () => {
  test('exact, case-sensitive', () => {
    const p = compilePattern('string', 'DROP');
    expect(p.test('DROP')).toBe(true);
    expect(p.test('drop')).toBe(false);
    expect(p.test('DROP ')).toBe(false);
    expect(p.exec('x DROP', 2)).toEqual({ captures: [], end: 6 });
  });
  test('compilePattern dispatches on dialect', () => {
    expect(compilePattern('osmatch', '^foo').test('FOOx')).toBe(true);
    expect(compilePattern('osregex', '^\\d+$').test('123')).toBe(true);
    expect(compilePattern('pcre2', '^\\d+$').test('123')).toBe(true);
    expect(compilePattern('pcre2', 'ABC', { caseless: true }).test('xabc')).toBe(true);
  });
});

describe('case-insensitive substring search', () => {
  // the reference: both sides lower-cased (ASCII only), then indexOf
  const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  test('random terms and subjects agree with lower-casing both', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = ['a', 'A', 'b', 'B', '_', ',', ' ', '1', 'é', 'É', '\u212a', 'k', 'K'];
    const word = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    let hits = 0;
    for (let i = 0; i < 2000; i++) {
      const term = word(1 + Math.floor(rnd() * 3)).replace(/[|&^$!]/g, 'x');
      const m = compileOsMatch(term);
      const w = compileWordMatch(term);
      for (let k = 0; k < 10; k++) {
        const s = word(Math.floor(rnd() * 12)) + (rnd() < 0.4 ? term.toUpperCase() + word(2) : '');
        const want = lower(s).includes(lower(term));
        expect([term, s, m.test(s), w.test(s)]).toEqual([term, s, want, want]);
        if (want) hits++;
      }
    }
    expect(hits).toBeGreaterThan(2000);
  });
});
