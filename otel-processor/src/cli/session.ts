/** What every CLI command sets up: the ruleset, the engine options, and event creation. */
import * as os from 'node:os';
import type { LoadedRuleset } from '../loader/ruleset-loader';
import { Engine, LogEvent } from '../engine/engine';
import { OSSEC_ANALYSISD, type CorrelationModel } from '../engine/correlate/state';
import type { Clock } from '../engine/run-line';
import { UsageError, type OptionSpec } from './args';
import type { RulesetDialect } from '../engine/ruleset';

export { DEFAULT_RULESET, openRuleset } from '../loader/open-ruleset';
export type { Clock } from '../engine/run-line';

export const RULESET_OPTION: OptionSpec = {
  type: 'string', value: 'DIR',
  description: 'an OSSEC install root (etc/ossec.conf, etc/decoder.xml, rules/), a Wazuh tree\nor a Warden ruleset (decoders/, rules/); default: Warden\'s own ruleset',
};

export function clockOption(dflt: Clock): OptionSpec {
  return {
    type: 'string', value: 'processing|event',
    description: `the time correlation windows use: when the line is read, or the time in\nits syslog header (default: ${dflt})`,
  };
}

export function parseClock(v: string | true | undefined, dflt: Clock): Clock {
  if (v === undefined) return dflt;
  if (v === 'processing' || v === 'event') return v;
  throw new UsageError(`--clock must be processing or event, got ${String(v)}`);
}

export const DIALECT_OPTION: OptionSpec = {
  type: 'string', value: 'ossec|wazuh',
  description: 'whose semantics apply where OSSEC 4.2 and Wazuh 4.x differ (default: wazuh\nfor a Wazuh tree or an ossec.conf with <ruleset>, else ossec)',
};

/** `--dialect ossec|wazuh`; undefined leaves it to the ruleset's layout. */
export function parseDialect(v: string | true | undefined): RulesetDialect | undefined {
  if (v === undefined) return undefined;
  if (v === 'ossec' || v === 'wazuh') return v;
  throw new UsageError(`--dialect must be ossec or wazuh, got ${String(v)}`);
}

/** `model`: whose correlation bookkeeping to keep (logtest answers as ossec-logtest does). */
export function newEngine(loaded: LoadedRuleset, model: CorrelationModel = OSSEC_ANALYSISD): Engine {
  return new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel, model });
}

const HOST = os.hostname();

/** A raw line as `ossec-logtest` sees it: location `stdin` unless given, local hostname as fallback. */
export function lineEvent(line: string, location = 'stdin', now = Date.now()): LogEvent {
  return new LogEvent(line, location, HOST, now);
}
