import { RulesetError } from '../../otel-processor/src/engine/ruleset/errors';

/** Runs fn, expects a RulesetError, returns it. */
export function catchRulesetError(fn: () => unknown): RulesetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RulesetError);
    return e as RulesetError;
  }
  throw new Error('expected a RulesetError');
}
