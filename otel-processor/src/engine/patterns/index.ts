/** Pattern dialects of the OSSEC/Wazuh rule language. */
import { MatchResult, Pattern, PatternError } from './types';
import { compileOsRegex } from './osregex';
import { compileOsMatch } from './osmatch';
import { compilePcre2 } from './pcre2';

export type { CaptureBuffer, MatchResult, Pattern } from './types';
export { PatternError } from './types';
export { compileOsRegex, OsRegexPattern, OS_PATTERN_MAXSIZE } from './osregex';
export { compileOsMatch, OsMatchPattern, compileWordMatch, WordMatchPattern } from './osmatch';
export { compilePcre2, Pcre2Pattern } from './pcre2';
export type { Pcre2Options } from './pcre2';
export { enableLinearRegexpFallback, linearRegexpFallbackEnabled, DEFAULT_BACKTRACK_LIMIT } from './regexp-guard';

export type Dialect = 'osregex' | 'osmatch' | 'pcre2' | 'string';

/** Exact, case-sensitive string equality (OSSEC `<action>`). */
export class StringPattern implements Pattern {
  constructor(readonly source: string) {}
  test(subject: string, start = 0): boolean {
    return start === 0 ? subject === this.source : subject.length - start === this.source.length && subject.startsWith(this.source, start);
  }
  exec(subject: string, start = 0): MatchResult | null {
    return this.test(subject, start) ? { captures: [], end: subject.length } : null;
  }
}

/**
 * Compile `source` in the given dialect. `opts.caseless` only applies to pcre2; `opts.wazuh`
 * selects Wazuh 4.x's behaviour where it differs (OS_Regex edges, PCRE2 unset groups).
 */
export function compilePattern(dialect: Dialect, source: string, opts?: { caseless?: boolean; wazuh?: boolean }): Pattern {
  switch (dialect) {
    case 'osregex':
      return compileOsRegex(source, { wazuh: opts?.wazuh });
    case 'osmatch':
      return compileOsMatch(source);
    case 'pcre2':
      return compilePcre2(source, { caseless: opts?.caseless ?? false, keepUnsetGroups: opts?.wazuh });
    case 'string':
      return new StringPattern(source);
    default:
      throw new PatternError(`unknown pattern type "${String(dialect)}"`, source);
  }
}
