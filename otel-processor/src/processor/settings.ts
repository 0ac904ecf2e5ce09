/** The processor's (engine's) settings (rows of the one schema in service/config.ts) and its typed options. */
import type { Setting, SettingValues } from '../config/setting';

export interface ProcessorConfig {
  /** OSSEC 4.2 or Wazuh semantics where they differ; undefined: what the ruleset's layout says. */
  rulesetDialect: 'ossec' | 'wazuh' | undefined;
  logAlertLevel: number | null;
  correlationScope: 'agent' | 'global';
  engine: { clock: 'event' | 'processing'; memoryBudgetMb: number; ftsMaxKeys: number };
  resolveCrawlers: boolean;
}

export const PROCESSOR_SETTINGS: Setting[] = [
  { key: 'ruleset_dialect', kind: 'string', dflt: 'auto', oneOf: ['auto', 'ossec', 'wazuh'], help: "Semantics where OSSEC 4.2 and Wazuh differ: auto (Wazuh for a Wazuh install tree or an ossec.conf with a ruleset block, else OSSEC); set wazuh for Wazuh's bare ruleset/ folder" },
  { key: 'log_alert_level', kind: 'optint', dflt: null, min: 0, max: 16, help: "Lowest level that writes an alert; default: the ruleset's (1)" },
  { key: 'correlation_scope', kind: 'string', dflt: 'agent', oneOf: ['agent', 'global'], help: 'Correlate per agent, or across agents as OSSEC 2.x did' },
  { key: 'engine.clock', kind: 'string', dflt: 'event', oneOf: ['event', 'processing'], help: "Correlation clock: the record's own time (event: replays and late data correlate as they happened) or the time Warden receives it (processing, as OSSEC)" },
  { key: 'engine.memory_budget_mb', kind: 'int', dflt: 256, min: 0, max: 1048576, help: 'Correlation memory for all agents together (MiB, estimated); past it the agents holding most give up their oldest events (0: no limit)' },
  { key: 'engine.fts_max_keys', kind: 'int', dflt: 1000000, min: 1, max: 100000000, help: 'First-time-seen keys kept in memory and in state_dir/fts.keys; past it the least recently seen is dropped (and would count as new again)' },
  { key: 'resolve_crawlers', kind: 'bool', dflt: true, help: 'Answer is_valid_crawler from reverse DNS (asynchronous, cached; never delays a line)' },
];

export function processorFromSettings(v: SettingValues): ProcessorConfig {
  return {
    rulesetDialect: v.ruleset_dialect === 'auto' ? undefined : (v.ruleset_dialect as 'ossec' | 'wazuh'),
    logAlertLevel: v.log_alert_level as number | null,
    correlationScope: v.correlation_scope as 'agent' | 'global',
    engine: { clock: v['engine.clock'] as 'event' | 'processing', memoryBudgetMb: v['engine.memory_budget_mb'] as number, ftsMaxKeys: v['engine.fts_max_keys'] as number },
    resolveCrawlers: v.resolve_crawlers as boolean,
  };
}
