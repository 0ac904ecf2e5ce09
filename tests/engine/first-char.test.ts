import { firstChars, headAllows, prefixFilter, spaceRunGuard, spaceRunsAllow } from '../../otel-processor/src/engine/compile/first-char';
import { compilePattern, type Dialect } from '../../otel-processor/src/engine/patterns';
import { INF } from '../../otel-processor/src/engine/patterns/translated';

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

describe('space-run guards: `^\\S+ lit` runs, never rejecting a match', () => {
  const guardOf = (source: string, caseless = true, steps = 4) => spaceRunGuard(compilePattern('pcre2', source, { caseless }), steps);
  const stepsOf = (source: string, caseless = true, steps = 4) => {
    const g = guardOf(source, caseless, steps);
    return g === null ? null : { lits: g.steps.map((st) => st.alts.map((a) => a.text).join('|')), min: g.steps.map((st) => st.min), max: g.steps.map((st) => st.max) };
  };
  /** The guard's answer, checked against the pattern: a line it rejects, the pattern rejects. */
  const compiled = new Map<string, [ReturnType<typeof guardOf>, ReturnType<typeof compilePattern>]>();
  function guardAllows(source: string, line: string, from = 0, caseless = true): boolean {
    const key = `${caseless}:${source}`;
    if (!compiled.has(key)) compiled.set(key, [guardOf(source, caseless), compilePattern('pcre2', source, { caseless })]);
    const [g, p] = compiled.get(key)!;
    expect(g).not.toBeNull();
    const ok = spaceRunsAllow(g!, line, from);
    if (p.matchEnd!(line, from) >= 0) expect(ok).toBe(true);
    return ok;
  }
  const ACCESS = '^\\S+ - \\S+ \\[\\d{2}/\\S{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\S\\d{4}\\] "';
  test('derived from the pattern: runs up to the first telling literal (longer than a space, or after a bounded run)', () => {
    expect(stepsOf(ACCESS)).toEqual({ lits: [' - '], min: [1], max: [INF] });
    expect(stepsOf('^\\S+ \\S+ \\S+ \\[\\S+ \\S\\d+\\] "')?.lits).toEqual([' ', ' ', ' [']);
    expect(stepsOf('^\\S+ \\S+ \\S+ \\[\\S+ \\S\\d+\\] "', true, 2)).toBeNull();
    expect(stepsOf('^\\S{3} - x', false)).toEqual({ lits: [' - x'], min: [3], max: [3] });
    expect(guardOf('^\\S{3} - x', false)?.steps.map((st) => st.alts.map((a) => a.codes))).toEqual([[[32, 45, 32, 120]]]);
    // runs of any items that cannot take a space, their lengths added up
    expect(stepsOf('^\\d+? \\d{2}/\\d{2}/\\d{4} \\S+ SEV=')).toEqual({ lits: [' ', ' '], min: [1, 10], max: [INF, 10] });
    // a caseless letter is kept lower-cased (either case passes); lone spaces after unbounded runs only lead to a telling step
    expect(stepsOf('^\\S+ IN=')).toEqual({ lits: [' in='], min: [1], max: [INF] });
    expect(guardOf('^\\S+ IN=')?.steps[0].alts[0].fold).toBe(0b110);
    expect(stepsOf('^\\S+ IN=', false)).toEqual({ lits: [' IN='], min: [1], max: [INF] });
    expect(stepsOf('^\\w+ \\S+ x')).toEqual({ lits: [' ', ' x'], min: [1, 1], max: [INF, INF] });
    expect(guardOf('^\\w+ \\S+ \\d')).toBeNull();
    // several alternatives: the steps they all start with, then where only the literal after one run differs, that step with either
    expect(stepsOf('^\\[[A-Za-z0-9@_-]+\\] \\[imp\\] |^\\[[A-Za-z0-9@_-]+\\] \\[horde\\] ')).toEqual({ lits: [' [imp] | [horde] '], min: [3], max: [INF] });
    expect(stepsOf('^\\S{3} - \\S+ abc|^\\S{3} - \\S+ abd', false)).toEqual({ lits: [' - '], min: [3], max: [3] });
    expect(stepsOf('^\\S+ - \\S+ abc|^\\S+ - \\S+ abd', false)).toEqual({ lits: [' - '], min: [1], max: [INF] });
    expect(stepsOf('^\\S+ - x|^\\S+ -- x', false)).toEqual({ lits: [' - x| -- x'], min: [1], max: [INF] });
    expect(stepsOf('^\\S+ a|^\\S+ b|^\\S+ a', false)).toEqual({ lits: [' a| b'], min: [1], max: [INF] });
    expect(stepsOf('^\\S+ - \\S+ x|^\\S+ -- y|^\\S+ - \\S+ x', false)).toEqual({ lits: [' - | -- y'], min: [1], max: [INF] });
    expect(guardOf('^\\S{3} - x|^\\S{4} - x', false)).toBeNull(); // different runs
    expect(guardOf('^\\S+ - x|\\S+ - x', false)).toBeNull(); // one alternative unanchored
    for (const p of ['\\S+ - ', '^\\S+ - |^x', '^\\S+-x', '^(\\S+) - ', '^\\S+\\s- ', '^[^x]+ - ', '^.+ - ']) expect(guardOf(p)).toBeNull();
  });
  test('lines of other formats are turned away; matching lines never', () => {
    expect(guardAllows(ACCESS, '1.2.3.4 - - [12/Mar/2026:00:00:00 +0000] "GET / HTTP/1.1" 200')).toBe(true);
    expect(guardAllows(ACCESS, '[notice] [client 1.2.3.4] Directory index forbidden')).toBe(false);
    expect(guardAllows(ACCESS, '%PIX-6-302013: Built inbound TCP')).toBe(false);
    expect(guardAllows(ACCESS, ' - x [')).toBe(false); // the run needs a character
    expect(guardAllows(ACCESS, 'a\t- b [')).toBe(false); // a tab ends the run too
    expect(guardAllows(ACCESS, 'x: a - b [12/Mar/2026:00:00:00 +0000] "', 3)).toBe(true); // from an offset
    expect(guardAllows('^\\S{3} - x', 'abcd - x', 0, false)).toBe(false);
    expect(guardAllows('^\\S{3} - x', 'abc - x', 0, false)).toBe(true);
    const HORDE = '^\\[[A-Za-z0-9@_-]+\\] \\[imp\\] |^\\[[A-Za-z0-9@_-]+\\] \\[horde\\] ';
    expect(guardAllows(HORDE, '[Thu Mar 12 00:00:00.197624 2026] [autoindex:error] [pid 57370]')).toBe(false);
    expect(guardAllows(HORDE, '[notice] [client 1.2.3.4] x')).toBe(false);
    expect(guardAllows(HORDE, '[notice] [iMP] x')).toBe(true);
    expect(guardAllows(HORDE, '[notice] [imp]x')).toBe(false);
    expect(guardAllows(HORDE, '[x] [HORDE] y')).toBe(true);
    expect(guardAllows(HORDE, '[x] [imp] y')).toBe(true);
  });
  test('random lines over the literals\' alphabet: the guard agrees with every match', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const alphabet = [' ', '-', '[', ']', 'a', '1', '\t', '/', ':', '"', '\u00e9', 'A'];
    const sources = [ACCESS, '^\\S+ - \\S+ \\[', '^\\S+ \\S+ \\S+ \\[\\S+ ', '^\\S+? - \\S+?  x', '^\\S{1,2} -', '^\\d+? \\d/[a-]{2} - ', '^a\\d* \\[\\S?1 ', '^\\S+ - \\S+ \\[a|^\\S+ - \\S+ \\[1', '^\\S{1,2} -a|^\\S{1,2} -1|^\\S{1,2} --',
      '^\\S+ [a-]A|^\\S+ a -', '^\\S+ a\\]|^\\S+ -1|^\\S+ A'];
    const caselessSources = ['^\\S+ a\\]|^\\S+ -1|^\\S+ A', '^\\[\\S+\\] \\[a\\] |^\\[\\S+\\] \\[a1\\] ', '^\\S{1,2} a-'];
    let rejected = 0;
    for (let n = 0; n < 4000; n++) {
      let line = '';
      const len = rnd(14);
      for (let k = 0; k < len; k++) line += alphabet[rnd(alphabet.length)];
      for (const s of sources) if (!guardAllows(s, line, 0, false)) rejected++;
      for (const s of caselessSources) if (!guardAllows(s, line, 0, true)) rejected++;
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});
