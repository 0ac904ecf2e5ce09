import { firstChars } from '../../otel-processor/src/engine/compile/first-char';

const chars = (t: Uint8Array | null) => (t ? [...t].map((v, i) => (v ? String.fromCharCode(i) : '')).join('') : null);

describe('first characters of anchored patterns', () => {
  test('pcre2 literals, classes, escapes, alternatives, case', () => {
    expect(chars(firstChars('pcre2', '^%PIX-|^%ASA-', false))).toBe('%');
    expect(chars(firstChars('pcre2', '^\\[warn\\] |^\\[error\\] ', false))).toBe('[');
    expect(chars(firstChars('pcre2', '^\\d+? \\S+ ', false))).toBe('0123456789');
    expect(chars(firstChars('pcre2', '^type=', true))).toBe('Tt');
    expect(chars(firstChars('pcre2', '^[A-C_]{3} ', false))).toBe('ABC_');
    expect(chars(firstChars('pcre2', '(?i)^ab', false))).toBe('Aa');
  });
  test('anything unsure is "any"', () => {
    for (const p of ['^\\S+ x', '^.x', '^(a|b)', 'x', '^a|b', '^a*b', '^a?b', '^[^a]', '^\\x41', '^a{0,2}']) {
      expect(firstChars('pcre2', p, false)).toBeNull();
    }
    for (const p of ['^\\.', '^\\S+', '^(\\d+)', '^a*', 'abc']) expect(firstChars('osregex', p, false)).toBeNull();
  });
  test('osregex is case-insensitive and knows its classes', () => {
    expect(chars(firstChars('osregex', '^sshd', false))).toBe('Ss');
    expect(chars(firstChars('osregex', '^\\w+ x|^\\(', false))!.includes('@')).toBe(true);
    expect(chars(firstChars('osregex', '^\\s', false))).toBe(' ');
  });
});
