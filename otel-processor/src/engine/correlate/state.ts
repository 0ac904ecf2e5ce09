/**
 * The engine's memory between events: what each rule fired on (for if_matched_*),
 * ignore windows, ignore lists, check_diff outputs and fire counts.
 * Kept apart from the compiled ruleset so a reload can keep or drop it.
 */
import type { LogEvent } from '../event';

/** Most events kept per correlation list (OSSEC's analysisd.sid_prev_matched_max). */
export const MAX_HISTORY = 128;

export class History {
  readonly events: LogEvent[] = [];
  push(ev: LogEvent): void {
    if (this.events.length >= MAX_HISTORY) this.events.shift();
    this.events.push(ev);
  }
}

export class CorrelationState {
  /** Events that fired rule N, per scope (agent, or '' when global). */
  readonly bySid = new Map<number, Map<string, History>>();
  /** Events whose rule groups matched correlation rule N's if_matched_group. */
  readonly byGroupRule = new Map<number, Map<string, History>>();
  /** When each rule with `ignore=` last fired. */
  readonly ignoredSince = new Map<number, number>();
  /** `<ignore>` field tuples recorded per rule. */
  readonly ignoreLists = new Map<number, Set<string>>();
  /** Last output per rule and location for check_diff. */
  readonly lastOutput = new Map<string, string>();
  /** How many times each rule fired (alert's firedtimes). */
  readonly firedTimes = new Map<number, number>();

  history(map: Map<number, Map<string, History>>, ruleId: number, scope: string): History {
    let perScope = map.get(ruleId);
    if (!perScope) map.set(ruleId, (perScope = new Map()));
    let h = perScope.get(scope);
    if (!h) perScope.set(scope, (h = new History()));
    return h;
  }

  peek(map: Map<number, Map<string, History>>, ruleId: number, scope: string): History | undefined {
    return map.get(ruleId)?.get(scope);
  }
}
