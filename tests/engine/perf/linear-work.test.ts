/**
 * Per-line work must grow linearly with the line for every pattern of the three rulesets (stock
 * OSSEC 4.2.0, Wazuh 4.14.7, ours). Each pattern runs over adversarial lines: long runs of one
 * character class, quotes, spaces, `%`, separators, newlines (the translation for subjects with
 * newlines), and the pattern's own literals (near-matches).
 * The work at 8x the length is compared with the work at 1x; linear is 8x, quadratic 64x.
 *
 * - Our own matchers count their steps (deterministic), at most 10x the steps: PCRE2 patterns the
 *   sequence matcher runs at 2 KB and 16 KB (it takes over from 2 KB); OS_Regex at 8 KB and 64 KB,
 *   where OSSEC's scan is quadratic on some near-matches: Warden caps it at 64 steps a character
 *   plus 100,000 per alternative (answering no match past that), and a scan within that linear
 *   cap passes.
 * - OS_Match, `<action>` strings and PCRE2 plain strings are one comparison or substring search
 *   (linear by construction) and are only run, to see they answer.
 * - PCRE2 patterns V8 runs (outside the sequence matcher's subset) are timed at 8 KB and 64 KB,
 *   OSSEC's line limit (V8 changes engines past a number of backtracks): each length averaged over
 *   a few milliseconds of calls, best of three, at most 24x. This compares a pattern with itself,
 *   it is not a time limit; a pattern answering 64 KB at under 15 ns a character is cheap.
 *   (Every PCRE2 pattern of the three rulesets is now in the sequence matcher's subset; the timing
 *   stays for patterns outside it, and a superlinear one is shown to fail.)
 * No pattern is exempt.
 */
import { compilePattern, enableLinearRegexpFallback, OsRegexPattern, Pcre2Pattern, type Pattern } from '../../../otel-processor/src/engine/patterns';
import { osRegexSteps, STEP_BUDGET_BASE, STEP_BUDGET_PER_CHAR } from '../../../otel-processor/src/engine/patterns/osregex';
import { compileSequence, sequenceSteps } from '../../../otel-processor/src/engine/patterns/sequence';
import { rulesetPatterns, type RulesetPattern } from './ruleset-patterns';
import { describeShared } from '../../support/shared-data';

enableLinearRegexpFallback();

const MAX_STEP_RATIO = 10;
const MAX_TIME_RATIO = 24;
/** Below this many nanoseconds a character at 64 KB, a V8 pattern is cheap. */
const CHEAP_NS_PER_CHAR = 15;
/** Each length is timed over calls filling this many milliseconds. */
const WINDOW_MS = 3;

const UNITS = ['a', 'A1', ' ', '  x', '"', '" ', '%', '%2', ': ', 'a: ', 'a=b ', '/', '\\', '()', '[]', '0', '1.', ',', '-', '|', '\t', 'é', '\n', 'a\n'];

/** The pattern's own literal characters, in order: lines made of near-matches. */
function literalsOf(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const e = source[++i] ?? '';
      if (!/[A-Za-z0-9]/.test(e)) out += e;
      else if (e === 's' || e === 't') out += e === 's' ? ' ' : '\t';
      else if (e === 'd') out += '1';
      else if (e === 'w' || e === 'S') out += 'x';
    } else if (!'^$()[]{}|*+?.'.includes(c)) out += c;
  }
  return out.length > 0 ? out : 'x';
}

const FLATTEN = /$/;
const lineCache = new Map<string, string>();
/** A flat string (a rope would be flattened inside the first measurement), cached. */
function lineOf(unit: string, length: number): string {
  const key = `${length}\u0000${unit}`;
  let line = lineCache.get(key);
  if (line === undefined) {
    line = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    FLATTEN.test(line);
    lineCache.set(key, line);
  }
  return line;
}

function compiled(p: RulesetPattern): Pattern | null {
  try {
    return compilePattern(p.dialect, p.source, { caseless: p.caseless });
  } catch {
    return null; // rejected patterns are the loader's tests' business
  }
}

type Kind = 'osregex' | 'sequence' | 'single-pass' | 'v8';

function kindOf(pattern: Pattern): Kind {
  if (pattern instanceof OsRegexPattern) return 'osregex';
  if (!(pattern instanceof Pcre2Pattern) || pattern.mode !== 'regex') return 'single-pass';
  return compileSequence(pattern.jsSource!) === null ? 'v8' : 'sequence';
}

function stepsOf(kind: Kind, pattern: Pattern, line: string): number {
  const counter = kind === 'osregex' ? osRegexSteps : sequenceSteps;
  const before = counter();
  pattern.exec(line);
  return counter() - before;
}

/** Milliseconds per call on `line`, averaged over calls filling WINDOW_MS. */
function perCall(pattern: Pattern, line: string): number {
  const fresh = ` ${line}`.slice(1); // V8 may answer a repeated (RegExp, string) pair from a cache
  let calls = 0;
  let ms = 0;
  const t0 = process.hrtime.bigint();
  do {
    pattern.exec(fresh);
    calls++;
    ms = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (ms < WINDOW_MS);
  return ms / calls;
}

/**
 * Work at 8x the length over work at 1x on `unit`, with its limit; 0 when cheap or not measured.
 * `scale` shortens the lines (a superlinear pattern's check).
 */
function growth(kind: Kind, pattern: Pattern, unit: string, scale = 1): [number, number] {
  if (kind === 'single-pass') {
    pattern.exec(lineOf(unit, 64 * 1024));
    return [0, 0];
  }
  if (kind !== 'v8') {
    const [short, long] = (kind === 'osregex' ? [8 * 1024, 64 * 1024] : [2 * 1024, 16 * 1024]).map((n) => n * scale);
    const a = stepsOf(kind, pattern, lineOf(unit, short));
    const b = stepsOf(kind, pattern, lineOf(unit, long));
    // OS_Regex: within the cap, a linear bound of its own (what OSSEC's scan would spend beyond it
    // is not spent); the 100,000 base lets near-quadratic scans of short lines finish.
    if (pattern instanceof OsRegexPattern && b <= pattern.alternatives * (STEP_BUDGET_PER_CHAR * (long + 1) + STEP_BUDGET_BASE)) return [0, 0];
    // Nothing counted (0 / 0) when Pcre2Pattern's exact prefilters (a first character, a prefix,
    // literal alternations) answered alone: one pass. That the RegExp never runs here in the
    // matcher's place is sequence-vs-regexp.test.ts's check (every pattern, both translations).
    return [b / Math.max(a, 1), MAX_STEP_RATIO];
  }
  const short = lineOf(unit, 8 * 1024 * scale);
  const long = lineOf(unit, 64 * 1024 * scale);
  for (let i = 0; i < 3; i++) pattern.exec(short); // warm-up: V8 interprets a RegExp at first
  const cheapMs = (CHEAP_NS_PER_CHAR * long.length) / 1e6;
  let longMs = Infinity;
  let shortMs = Infinity;
  for (let i = 0; i < 3; i++) {
    longMs = Math.min(longMs, perCall(pattern, long));
    if (longMs < cheapMs) return [0, MAX_TIME_RATIO];
    shortMs = Math.min(shortMs, perCall(pattern, short));
  }
  return [longMs / shortMs, MAX_TIME_RATIO];
}

function superlinear(p: RulesetPattern, pattern: Pattern, scale = 1): string | null {
  const kind = kindOf(pattern);
  const units = [...UNITS, literalsOf(p.source), p.source].filter((u) => u.length > 0);
  for (const unit of units) {
    const [ratio, limit] = growth(kind, pattern, unit, scale);
    if (ratio > limit) {
      return `${p.file} <${p.element}> ${p.source.slice(0, 120)} (${kind}) on ${JSON.stringify(unit.slice(0, 20))}: 8x the line cost ${ratio.toFixed(1)}x the work`;
    }
  }
  return null;
}

describeShared('the linear-work test')('linear work per line', () => {
  test.each(['ossec', 'wazuh', 'warden'] as const)('every pattern of the %s ruleset', (ruleset) => {
    const offenders: string[] = [];
    let checked = 0;
    const seen = new Set<string>();
    for (const p of rulesetPatterns(ruleset)) {
      const key = `${p.dialect}\u0000${p.caseless}\u0000${p.source}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pattern = compiled(p);
      if (pattern === null) continue;
      checked++;
      const bad = superlinear(p, pattern);
      if (bad !== null) offenders.push(bad);
    }
    expect(offenders).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  }, 600_000); // Wazuh's 5,500 patterns take about two minutes on a busy machine

  test('the known offenders grow linearly', () => {
    const wazuh = (source: string, unit: string): [string, string, boolean] => [source, unit, false];
    const cases: [string, string, boolean?][] = [
      // stock windows1 decoder (its two <pcre2> joined): runs of ': ' and of ': x(1): '
      [String.raw`^.+: ([A-Za-z0-9@_-]+?)\((\d+?)\): (.+): (.+): .+: (\S+): `, ': '],
      [String.raw`^.+: ([A-Za-z0-9@_-]+?)\((\d+?)\): (.+): (.+): .+: (\S+): `, ': x(1): '],
      // rules/ 31508 on quotes, 170200 on spaces
      [String.raw`"[^"]*(?:sqlmap|nikto|nmap scripting engine|masscan|zgrab|w3af|acunetix|nessus|openvas|dirbuster|gobuster|wpscan|ZmEu|Morfeus|libwww-perl|MJ12bot|Jorgee|DataCha0s|the beast|Proxy Gear Pro)[^"]*"$`, '"'],
      [String.raw`\(\)\s*\{\s*:?;?\s*\}\s*;|\(\)\s*\{\s*_;\s*\}`, ' '],
      [String.raw`\(\)\s*\{\s*:?;?\s*\}\s*;|\(\)\s*\{\s*_;\s*\}`, '() { '],
      // rules/ 31104 (a loop of passes) on runs of '|' and of '|+'
      [String.raw`(?:%3B|;|%7C|\|)(?:%20|\+)*(?:id|uname|wget|curl|cat|ls|nc|bash|sh)(?:%20|\+|$|&)`, '|'],
      [String.raw`(?:%3B|;|%7C|\|)(?:%20|\+)*(?:id|uname|wget|curl|cat|ls|nc|bash|sh)(?:%20|\+|$|&)`, '|+'],
      // Wazuh patterns V8 backtracked on (repeated groups, \b, ^ inside, lookaheads), on their own text
      wazuh(String.raw`(?:(Illegal)\s([^\|]+)\|){2}`, ':Illegal ||2'),
      wazuh(String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`, String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`),
      wazuh(String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`, 'ACTION :\n1'), // the newline translation
      wazuh(String.raw`^(?!^$|^-$).*`, '|'),
      wazuh(String.raw`(?i)add.+\/d\s+(")?(?:[A-Za-z\d+\/]{4})*(?:[A-Za-z\d+\/]{3}=|[A-Za-z\d+\/]{2}==)?`, String.raw`(?i)add.+\/d`),
      wazuh(String.raw`(?i)powershell\.exe.+\-\b(encodedcommand|e|ea|ec|encodeda|encode|en|enco)\b`, 'ipowershell.exe-encodedcommandeeaecencodedaencodeenenco'),
      wazuh(String.raw`^(?=.*a)(?=.*x)`, ': '),
    ];
    const growths = cases.map(([source, unit, caseless = true]) => {
      const pattern = compilePattern('pcre2', source, { caseless });
      const kind = kindOf(pattern);
      const [ratio, limit] = growth(kind, pattern, unit);
      // the matcher did the work (a prefilter did not answer alone)
      const counted = kind === 'sequence' && stepsOf(kind, pattern, lineOf(unit, 16 * 1024)) > 16 * 1024 ? '' : ' (not counted)';
      return `${source.slice(0, 30)} on ${JSON.stringify(unit)} (${kind})${counted}: ${ratio <= limit ? 'linear' : `superlinear (${ratio.toFixed(1)}x)`}`;
    });
    expect(growths.filter((g) => g.includes('superlinear'))).toEqual([]);
    // all counted in steps, not timed
    expect(growths.filter((g) => !g.includes('(sequence):'))).toEqual([]);
  });

  test('a superlinear pattern fails the check', () => {
    // A lookahead the sequence matcher does not run: V8 scans to the end from every position.
    const p: RulesetPattern = { ruleset: 'warden', file: 'test', element: 'pcre2', dialect: 'pcre2', source: String.raw`(?=\S)[^b]*b`, caseless: false };
    const pattern = compilePattern('pcre2', p.source, { caseless: false });
    expect(kindOf(pattern)).toBe('v8');
    // at 1 KB and 8 KB (quadratic at 64 KB takes seconds a call)
    expect(superlinear(p, pattern, 1 / 8)).toMatch(/8x the line cost \d+(\.\d)?x the work/);
  });
});
