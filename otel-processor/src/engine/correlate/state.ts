/**
 * The engine's memory between events: what each rule fired on (for if_matched_*),
 * ignore windows, ignore lists, check_diff outputs and fire counts.
 * Kept apart from the compiled ruleset so a reload can keep or drop it.
 */
import type { LogEvent } from '../event';
import { Accumulator } from './accumulate';

/**
 * How OSSEC 4.2 bounds correlation memory, reproduced so correlations fire where OSSEC's do
 * (measured against the OSSEC 4.2.0 engine on the 200,000-line reference corpus: 100% agreement):
 * - it remembers the last `memorySize` alerted events; one that falls out is removed from its
 *   if_matched_sid list, or the oldest entry of each of its if_matched_group lists is dropped;
 * - lists are capped; a capped list prunes its oldest entry against a size counter that the
 *   group-list drop above does not decrement, so a busy if_matched_group list shrinks towards
 *   its newest entries over time.
 */
export interface CorrelationLimits {
  /** Alerted events remembered per scope (OSSEC memory_size). */
  memorySize: number;
  /** Cap of each if_matched_sid list. */
  sidListMax: number;
  /** Cap of each if_matched_group list (fitted to OSSEC 4.2.0's observed behaviour). */
  groupListMax: number;
}

export const OSSEC_LIMITS: Readonly<CorrelationLimits> = Object.freeze({ memorySize: 8192, sidListMax: 128, groupListMax: 24 });

/** A field some correlation rule requires to be the same across events (`same_source_ip`, ...). */
export interface KeyField {
  field: string;
  get: (ev: LogEvent) => string | null;
}

/**
 * One correlation list, with OSSEC's bookkeeping (see {@link CorrelationLimits}). It also counts
 * its entries per value of the fields its rules require to be the same, so a rule can see at once
 * that too few entries share the current event's value and skip the walk.
 */
export class History {
  readonly events: LogEvent[] = [];
  private counted = 0;
  private readonly counts: Map<string, number>[];
  constructor(private readonly maxSize: number, readonly keyFields: readonly KeyField[] = []) {
    this.counts = keyFields.map(() => new Map());
  }
  push(ev: LogEvent): void {
    this.events.push(ev);
    this.count(ev, 1);
    this.counted++;
    if (this.maxSize > 0 && this.counted > this.maxSize && this.events.length > 1) {
      this.count(this.events.shift()!, -1);
      this.counted--;
    }
  }
  /** An event left the engine's memory: its own entry goes (if_matched_sid lists). */
  remove(ev: LogEvent): void {
    const i = this.events.indexOf(ev);
    if (i < 0) return;
    this.events.splice(i, 1);
    this.count(ev, -1);
    this.counted--;
  }
  /** An event left the engine's memory: the oldest entry goes (if_matched_group lists). */
  dropOldest(): void {
    const ev = this.events.shift();
    if (ev) this.count(ev, -1);
  }
  /** Entries whose `field` equals `value` (the field must be one of keyFields). */
  countOf(keyIndex: number, value: string): number {
    return this.counts[keyIndex].get(value) ?? 0;
  }
  private count(ev: LogEvent, delta: number): void {
    for (let k = 0; k < this.keyFields.length; k++) {
      const v = this.keyFields[k].get(ev);
      if (v === null) continue;
      const m = this.counts[k];
      const n = (m.get(v) ?? 0) + delta;
      if (n <= 0) m.delete(v);
      else m.set(v, n);
    }
  }
}

/** Where a remembered event was filed, so that forgetting it undoes the filing. */
interface Filed {
  seq: number;
  ev: LogEvent;
  sidList: History | null;
  groupLists: History[] | null;
}

/** The last `size` alerted events of one scope; only the filed ones are held. */
class Memory {
  private seq = 0;
  private readonly filed: Filed[] = [];
  private head = 0;
  constructor(private readonly size: number) {}
  add(ev: LogEvent, sidList: History | null, groupLists: History[] | null): void {
    const seq = ++this.seq;
    const horizon = seq - this.size;
    while (this.head < this.filed.length && this.filed[this.head].seq <= horizon) {
      const old = this.filed[this.head++];
      if (old.sidList) old.sidList.remove(old.ev);
      else if (old.groupLists) for (const h of old.groupLists) h.dropOldest();
    }
    if (this.head > 1024 && this.head * 2 > this.filed.length) {
      this.filed.splice(0, this.head);
      this.head = 0;
    }
    if (sidList || groupLists) this.filed.push({ seq, ev, sidList, groupLists });
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
  /** Fields merged across lines that share an id (`<accumulate/>` decoders). */
  readonly accumulator = new Accumulator();
  /** Recent alerted events per scope. */
  private readonly memory = new Map<string, Memory>();

  constructor(readonly limits: CorrelationLimits = OSSEC_LIMITS) {}

  /** Which fields each list counts by (set by the engine from its ruleset). */
  keyFieldsFor: (map: 'sid' | 'group', ruleId: number) => readonly KeyField[] = () => [];

  remember(scope: string, ev: LogEvent, sidList: History | null, groupLists: History[] | null): void {
    let m = this.memory.get(scope);
    if (!m) this.memory.set(scope, (m = new Memory(this.limits.memorySize)));
    m.add(ev, sidList, groupLists);
  }

  history(map: Map<number, Map<string, History>>, ruleId: number, scope: string): History {
    let perScope = map.get(ruleId);
    if (!perScope) map.set(ruleId, (perScope = new Map()));
    let h = perScope.get(scope);
    if (!h) {
      const group = map === this.byGroupRule;
      h = new History(group ? this.limits.groupListMax : this.limits.sidListMax, this.keyFieldsFor(group ? 'group' : 'sid', ruleId));
      perScope.set(scope, h);
    }
    return h;
  }

  peek(map: Map<number, Map<string, History>>, ruleId: number, scope: string): History | undefined {
    return map.get(ruleId)?.get(scope);
  }
}
