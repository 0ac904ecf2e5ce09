/** What every compiled pattern (OS_Regex, OS_Match, PCRE2, ...) offers the engine. */
export interface MatchResult {
  /** Capture groups, packed as OSSEC packs them (see each dialect). */
  captures: string[];
  /** Index in the subject where a decoder using `offset=` continues (OSSEC's returned pointer, adjusted). */
  end: number;
}

/**
 * Where execInto writes captures: the first `count` entries of `values` (entries after them are
 * left from earlier calls; the array only grows, as setting an array's length costs a call).
 */
export interface CaptureBuffer {
  values: string[];
  count: number;
}

export interface Pattern {
  /** The pattern text as written in the rule file. */
  readonly source: string;
  /** Boolean match of `subject` from `start` (default 0). */
  test(subject: string, start?: number): boolean;
  /** Match with captures and continuation index, or null. */
  exec(subject: string, start?: number): MatchResult | null;
  /** Continuation index without captures (allocates nothing), or -1. */
  matchEnd?(subject: string, start?: number): number;
  /**
   * exec without a result object: the captures written into `out`, the continuation index
   * returned, or -1 (`out` then unspecified).
   */
  execInto?(subject: string, start: number, out: CaptureBuffer): number;
}

/** A pattern that could not be compiled; `message` says why (the loader adds file, line and element). */
export class PatternError extends Error {
  constructor(message: string, readonly pattern: string) {
    super(message);
    this.name = 'PatternError';
  }
}
