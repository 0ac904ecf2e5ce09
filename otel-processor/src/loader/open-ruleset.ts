/** Opening a ruleset the way every entry point does (CLI commands, the service's processors). */
import * as path from 'node:path';
import { loadRuleset, type LoadedRuleset } from './ruleset-loader';
import { applyLineProcessingSettings, whileLoading } from './v8-settings';
import { enableLinearRegexpFallback } from '../engine/patterns/regexp-guard';
import type { RulesetDialect } from '../engine/ruleset';

/** Warden's own ruleset, shipped beside the package. */
export const DEFAULT_RULESET = path.resolve(__dirname, '..', '..', '..', 'rules');

/** `dir`: the ruleset root; anything but a string means Warden's own ruleset. */
export function openRuleset(dir: string | true | undefined, dialect?: RulesetDialect): LoadedRuleset {
  enableLinearRegexpFallback();
  applyLineProcessingSettings();
  return whileLoading(() => loadRuleset(typeof dir === 'string' ? dir : DEFAULT_RULESET, { dialect }));
}
