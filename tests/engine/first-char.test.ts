import { firstChars, headAllows, prefixFilter } from '../../otel-processor/src/engine/compile/first-char';
import { compilePattern, type Dialect } from '../../otel-processor/src/engine/patterns';

const chars = (t: Uint8Array | null) => (t ? [...t].map((v, i) => (v ? String.fromCharCode(i) : '')).join('') : null);

/** The head check's answer, checked against the pattern itself: it may only reject lines the pattern rejects. */
function allows(dialect: Dialect, source: string, caseless: boolean, line: string, from = 0): boolean {
  const head = prefixFilter(dialect, source, caseless)?.head(16) ?? null;
  expect(head).not.toBeNull();
  const ok = headAllows(head!, line, from);
  const p = compilePattern(dialect, source, { caseless });
  const end = p.matchEnd ? p.matchEnd(line, from) : (p.exec(line, from)?.end ?? -1);
  if (end >= 0) expect(ok).toBe(true);
  return ok;
}

describe('first characters of anchored patterns', () => {
  test('pcre2 literals, classes, escapes, alternatives, case', () => {
    expect(chars(firstChars('pcre2', '^%PIX-|^%ASA-', false))).toBe('%');
    expect(chars(firstChars('pcre2', '^\\[warn\\] |^\\[error\\] ', false))).toBe('[');
    expect(chars(firstChars('pcre2', '^\\d+? \\S+ ', false))).toBe('0123456789');
    expect(chars(firstChars('pcre2', '^type=', true))).toBe('Tt');
    expect(chars(firstChars('pcre2', '^[A-C_]{3} ', false))).toBe('ABC_');
    expect(chars(firstChars('pcre2', '(?i)^ab', false))).toBe('Aa');
    expect(chars(firstChars('pcre2', '^(\\d+) x', false))).toBe('0123456789'); // a plain group is transparent
  });
  test('anything unsure is "any"', () => {
    for (const p of ['^\\S+ x', '^.x', '^(a|b)', 'x', '^a|b', '^a*b', '^a?b', '^[^a]', '^\\x41', '^a{0,2}', '^(ab)?c', '(?m)^a', '(?x)^a', '^\\s*a']) {
      expect(firstChars('pcre2', p, false)).toBeNull();
    }
    for (const p of ['^\\.', '^\\S+', '^(\\d+)', '^a*', 'abc', '^$', '^']) expect(firstChars('osregex', p, false)).toBeNull();
  });
  test('osregex is case-insensitive and knows its classes', () => {
    expect(chars(firstChars('osregex', '^sshd', false))).toBe('Ss');
    expect(chars(firstChars('osregex', '^\\w+ x|^\\(', false))!.includes('@')).toBe(true);
    expect(chars(firstChars('osregex', '^\\s', false))).toBe(' ');
  });
});

describe('head checks: the fixed start of a prematch, never rejecting a match', () => {
  test('fixed-width starts: literals, repeats, classes, case', () => {
    const p = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:';
    expect(allows('pcre2', p, false, '2024-01-02 03:04:05')).toBe(true);
    expect(allows('pcre2', p, false, '2024-01-02T03:04:05')).toBe(false);
    expect(allows('pcre2', p, false, '2024-01-0')).toBe(false); // too short
    expect(allows('pcre2', '^Accepted', true, 'ACCEPTED password')).toBe(true);
    expect(allows('pcre2', '^Accepted', false, 'ACCEPTED password')).toBe(false);
    expect(allows('pcre2', '^[^a]x', false, 'Ax')).toBe(true);
    expect(allows('pcre2', '^[^a]x', true, 'Ax')).toBe(false);
    expect(allows('pcre2', '^[]a]b', false, ']b')).toBe(true);
    expect(allows('pcre2', '^[]a]b', false, 'xb')).toBe(false);
    expect(allows('pcre2', '^.x', false, '\nx')).toBe(false);
    expect(allows('pcre2', '(?s)^.x', false, '\nx')).toBe(true);
  });
  test('a run counts for its first character, then the start ends', () => {
    expect(allows('pcre2', '^\\d{1,3}\\.', false, '1234.5')).toBe(true); // only the first digit is fixed
    expect(allows('pcre2', '^\\d{1,3}\\.', false, 'x.5')).toBe(false);
    expect(allows('pcre2', '^\\d{2,}x', false, '1x')).toBe(false); // {2,}: two fixed digits
    expect(allows('pcre2', '^\\w+\\d x', false, 'ab1 x')).toBe(true);
    expect(allows('pcre2', '^\\w+\\d x', false, ' ab1 x')).toBe(false);
    expect(prefixFilter('pcre2', '^[ ]*\\d+ ', false)).toBeNull(); // may start with the digit or a space: nothing fixed
  });
  test('alternatives: the positions they all have, each the union of their classes', () => {
    const head = prefixFilter('pcre2', '^\\[warn\\] |^\\[notice\\] ', false)!.head(16)!;
    expect(head.length / 129).toBe(7); // `[warn] ` is 7 long
    expect(allows('pcre2', '^\\[warn\\] |^\\[notice\\] ', false, '[notice] x')).toBe(true);
    expect(allows('pcre2', '^\\[warn\\] |^\\[notice\\] ', false, '[error] x')).toBe(false);
  });
  test('groups: plain ones are transparent; quantified or alternating ones end the start', () => {
    expect(allows('pcre2', '^(\\S+) (\\d+) x', false, 'ab 12 x')).toBe(true);
    expect(allows('pcre2', '^(ab) (\\d+) x', false, 'ab 1a x')).toBe(true);
    expect(allows('pcre2', '^(ab) (\\d+) x', false, 'ab x1 x')).toBe(false);
    expect(allows('pcre2', '^(?:ab)c', false, 'abd')).toBe(false);
    expect(allows('pcre2', '^a(bc)?d', false, 'ad')).toBe(true);
    expect(allows('pcre2', '^a(bc)+d', false, 'abcbcd')).toBe(true);
    expect(allows('pcre2', '^a(b|c)d', false, 'acd')).toBe(true);
    expect(allows('pcre2', '^a(?=b)b', false, 'ab')).toBe(true);
  });
  test('from an offset, as child decoders run after their parent', () => {
    expect(allows('pcre2', '^Failed \\S+ ', true, 'sshd: Failed password ', 6)).toBe(true);
    expect(allows('pcre2', '^Failed \\S+ ', true, 'sshd: Failed password ', 0)).toBe(false);
  });
  test('non-ASCII code units: only classes that may hold them let them through', () => {
    expect(allows('pcre2', '^\\S+ x', false, '\u00fc x')).toBe(true);
    expect(allows('pcre2', '^\\w+ x', false, '\u00fc x')).toBe(false);
    expect(allows('pcre2', '^[^ ]+ x', false, '\u4e16 x')).toBe(true);
  });
  test('not modelled: no filter', () => {
    for (const p of ['a', '^a|b', '^(a)|c', '^a*', '^\\bx', '^\\Qx\\E', '^(?<n>x)']) expect(prefixFilter('pcre2', p, false)).toBeNull();
  });
  test('OS_Match (program names): case-insensitive `^text` and `^text$` alternatives only', () => {
    expect(allows('osmatch', '^sshd', false, 'SSHD')).toBe(true);
    expect(allows('osmatch', '^sshd', false, 'ssh')).toBe(false);
    expect(allows('osmatch', '^su$|^sudo', false, 'sudo')).toBe(true);
    expect(allows('osmatch', '^su$|^sudo', false, 'xsu')).toBe(false);
    for (const p of ['sshd', '^sshd|x', '^', '^$', '!^sshd', '^a|']) expect(prefixFilter('osmatch', p, false)).toBeNull();
  });
});
