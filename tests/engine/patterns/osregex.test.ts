import { compileOsRegex, PatternError } from '../../../otel-processor/src/engine/patterns';
import { osRegexBudgetExhaustions } from '../../../otel-processor/src/engine/patterns/osregex';

/** [pattern, subject, captures | null (no match), continuation text (subject.slice(end))?] */
type Case = [string, string, string[] | null, string?];

function check([p, s, caps, rest]: Case): void {
  const re = compileOsRegex(p);
  const m = re.exec(s);
  if (caps === null) {
    expect(m).toBeNull();
    expect(re.test(s)).toBe(false);
    return;
  }
  expect(m).not.toBeNull();
  expect(m!.captures).toEqual(caps);
  if (rest !== undefined) expect(s.slice(m!.end)).toBe(rest);
  expect(re.test(s)).toBe(true);
}

describe('OS_Regex: ✔ examples of osregex.md', () => {
  const cases: Case[] = [
    // §2 literals
    ['a+', 'xa+y', [], 'y'],
    ['a+', 'aaa', null],
    ['[x]', 'a[x]b', [], 'b'],
    ['x^y', 'ax^yb', [], 'b'],
    ['ab$c', 'ab$c', [], ''],
    ['1.5', 'v1.5', []],
    ['1.5', 'v105', null],
    // §3.2 alternatives in order, captures per alternative
    ['x(\\d+)|y(\\w+)', 'y12 x34', ['34']],
    // §3.4 last quantifier greedy
    ['(\\.+) from (\\.+)', 'a from b from c', ['a', 'b from c']],
    ['(\\.+)x$', 'aaxbx', ['aaxb'], ''],
    // §3.5 quirks
    ['=(\\S+)\\s*:', 'a=b:c', null],
    ['=(\\S+)\\s*:', 'a=b :c', ['b'], 'c'],
    ['(\\S+)\\s*:', 'key: v', null],
    ['^(\\S+):(\\d+)', 'a:b::1 x:2', null],
    ['^(\\S+)/(\\S+):(\\d+)', 'x/y:z/w:9', ['x', 'y:z/w', '9']],
    ['\\d+\\d', '12', []],
    ['(\\d+)(\\d)', '123', null],
    ['(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)', '10.0.0.1', ['1', '', '0', '0']],
    [' (\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+) ', 'ip 10.0.0.1 x', null],
    ['(\\d+).(\\d+).(\\d+).(\\d+)', '10.0.0.1', ['10', '0', '0', '1']],
    ['', 'anything', [], 'anything'],
    ['nomatch|', 'zzz', []],
    // §3.6 end pointer
    ['foo', 'xfoo bar', [], ' bar'],
    ['^\\S+ \\S+', 'aa bb cc', [], 'cc'],
    ['^\\d+:\\d+:\\d+', '10:20:30 rest', [], 'rest'],
    ['^\\d\\d:\\d\\d:\\d\\d', '10:20:30 rest', [], ' rest'],
    ['x(\\d+)', 'x123 y', ['123'], '23 y'],
    ['argc=(\\d+)', 'argc=42 rest', ['42'], '2 rest'],
  ];
  test.each(cases.map((c) => [c[0], c[1], c] as const))('%j on %j', (_p, _s, c) => check(c));
});

describe('OS_Regex: classes, escapes, anchors, case', () => {
  const cases: Case[] = [
    ['^\\w+$', 'a-b@c_d9', []],
    ['^\\w+$', 'a.b', null],
    ['^\\s$', ' ', []],
    ['^\\s$', '\t', null],
    ['^\\S+$', 'a\tb\nc', []],
    ['^\\p+$', '!"#$%&\'()*+,-.:;<=>?[]{|}', []],
    ['^\\p$', '/', null],
    ['^\\p$', '_', null],
    ['^\\W+$', '. /', []],
    ['^\\D+$', 'abc', []],
    ['^\\.+$', 'a\nb', []],
    ['a\\tb', 'xa\tb', []],
    ['\\$\\(\\)\\\\\\|\\<', 'x$()\\|<', []],
    ['^abc', 'ABCdef', [], 'def'],
    ['ABC$', 'xxabc', [], ''],
    ['^abc', 'xabc', null],
    ['abc$', 'abcx', null],
    ['^$', '', []],
    ['^a|^b', 'bc', [], 'c'],
    ['user (\\S+) from (\\S+)', 'Failed password for user Root from 1.2.3.4 port 22', ['Root', '1.2.3.4'], '.2.3.4 port 22'], // ends with (\\S+): continue after the run's first char
    ['^(\\w+)=(\\w+)$', 'key=val', ['key', 'val'], 'al'],
  ];
  test.each(cases.map((c) => [c[0], c[1], c] as const))('%j on %j', (_p, _s, c) => check(c));

  test('start offset: anchors and indices are relative to start, end is absolute', () => {
    const re = compileOsRegex('^(\\d+) ');
    const m = re.exec('abc: 123 rest', 5);
    expect(m).toEqual({ captures: ['123'], end: 9 });
    expect(re.exec('abc: 123 rest', 0)).toBeNull();
  });

  test('matchEnd (no-capture call) agrees with exec for ordinary patterns', () => {
    const re = compileOsRegex('^\\d+:\\d+:\\d+');
    expect(re.matchEnd('10:20:30 rest')).toBe(9);
    expect(re.matchEnd('x')).toBe(-1);
  });

  test('non-ASCII code units belong to the negated classes only', () => {
    expect(compileOsRegex('^\\S+$').test('héllo')).toBe(true);
    expect(compileOsRegex('^\\w+$').test('héllo')).toBe(false);
    expect(compileOsRegex('^(\\W)').exec('éa')!.captures).toEqual(['é']);
  });
});

describe('OS_Regex: compile errors', () => {
  test.each([
    ['\\n', /invalid escape "\\n"/],
    ['a\\/b', /invalid escape/],
    ['a\\-b', /invalid escape/],
    ['\\[x\\]', /invalid escape/],
    ['abc\\', /lone backslash/],
    ['((a))', /nested group/],
    ['(a|b)', /"\|" inside a group/],
    ['(abc', /unclosed group/],
    ['abc)', /unbalanced/],
    ['x'.repeat(20481), /longer than/],
  ])('%j is rejected', (p, msg) => {
    expect(() => compileOsRegex(p)).toThrow(PatternError);
    expect(() => compileOsRegex(p)).toThrow(msg);
  });

  test('error carries the pattern', () => {
    try {
      compileOsRegex('a\\qb');
    } catch (e) {
      expect(e).toBeInstanceOf(PatternError);
      expect((e as PatternError).pattern).toBe('a\\qb');
    }
  });
});

describe('OS_Regex: bounded work on long lines', () => {
  const big = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  // linear cases: 100 KB
  test.each([
    ['\\S+,\\S+,(\\S+),(\\S+),(\\S+),x', big('ab,', 100_000)],
    [' (\\.+) (\\S+) - (\\S+) [\\S+ attack-name="(\\.+)"', big('a b - c ', 100_000)],
    ['^(\\S+)\\s*:', big('a', 100_000)],
    ['=(\\S+)\\s*:', big('a=b', 100_000)],
  ])('%j on a 100 KB non-matching line', (p, s) => {
    expect(compileOsRegex(p).exec(s)).toBeNull();
  });
  // adversarial shape: every attempt runs to a late failure and the 4 resume points are
  // re-filled after each resume, so the classic scan explores a polynomial of high degree; the
  // step budget (64 steps per character) stops it and reports no match
  test('worst case is cut by the step budget', () => {
    const before = osRegexBudgetExhaustions();
    expect(compileOsRegex('\\S+,\\S+,(\\S+),(\\S+),(\\S+),x').exec(big('ab,', 100_000) + ' ')).toBeNull();
    expect(osRegexBudgetExhaustions()).toBeGreaterThan(before);
  });

  test('three chained captures on a long line', () => {
    const s = big('w: ', 100_000);
    const m = compileOsRegex('(\\w+): (\\.+): (\\.+)').exec(s);
    expect(m!.captures.slice(0, 2)).toEqual(['w', 'w']);
  });

  test('a match at the end of a 100 KB line is found', () => {
    const s = 'x'.repeat(100_000) + ' user=root;';
    expect(compileOsRegex('user=(\\w+);').exec(s)).toEqual({ captures: ['root'], end: s.length });
  });
});
