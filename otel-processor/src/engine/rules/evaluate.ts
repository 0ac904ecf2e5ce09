/**
 * Phase 3: walks the rule tree for a decoded event (OSSEC's OS_CheckIfRuleMatch),
 * including the stateful conditions: first-time-seen, check_diff, lists and frequency.
 */
import type { LogEvent } from '../event';
import type { CompiledRule, ListCheck } from '../compile/rules';
import type { CorrelationState, History, LastEvents } from '../correlate/state';
import { ftsKey, firstTimeSeen as ftsFirstTime, type FtsStore } from '../correlate/fts';
import { isIP } from 'node:net';

export interface EvaluationContext {
  readonly state: CorrelationState;
  readonly fts: FtsStore;
  /** FTS fields and comment of the decoder that claimed the event. */
  decoderFts: readonly string[] | null;
  decoderFtsComment: string | null;
  scope: string;
  /** The scope's correlation memory: undefined until looked up for this event, null when it has none. */
  memory: LastEvents | null | undefined;
  /** Correlated events' logs for the alert (filled when a frequency rule fires). */
  previousOutput: string[] | null;
  readonly lists: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly isCrawler: (ip: string) => boolean;
  /** Whose frequency counting: OSSEC 4.2 (default) or Wazuh. */
  readonly dialect?: 'ossec' | 'wazuh';
}

/**
 * OSSEC's walk as written: every child in order, each tested in full. The engine walks the
 * per-key plans of rules/plan.ts instead (same answers); this is their fallback and reference.
 */
export function checkRule(rule: CompiledRule, ev: LogEvent, ctx: EvaluationContext): CompiledRule | null {
  if (rule.decodedAs !== null && rule.decodedAs !== ev.decoderName) return null;
  const checks = rule.checks;
  for (let i = 0; i < checks.length; i++) if (!checks[i](ev)) return null;
  if (hasConditions(rule) && !conditionsHold(rule, ev, ctx)) return null;

  const byDecoder = rule.childrenByDecoder;
  const children = byDecoder === null
    ? rule.children
    : (ev.decoderName !== null ? byDecoder.get(ev.decoderName) : undefined) ?? rule.genericChildren;
  for (let i = 0; i < children.length; i++) {
    const r = checkRule(children[i], ev, ctx);
    if (r !== null) return r;
  }
  if (rule.noalert) return null;
  return rule;
}

/** True when the rule has conditions beyond its checks (size, compiled rule, state). */
export function hasConditions(rule: CompiledRule): boolean {
  return rule.maxsize > 0 || rule.compiledRule !== null || rule.checkDiff || rule.ifFts || rule.lists.length > 0 || rule.correlates;
}

/** The conditions after the pure checks, in OSSEC's order; the stateful ones record as they go. */
export function conditionsHold(rule: CompiledRule, ev: LogEvent, ctx: EvaluationContext): boolean {
  if (rule.maxsize > 0 && ev.log.length < rule.maxsize) return false;
  if (rule.compiledRule !== null && !compiledRule(rule.compiledRule, ev, ctx)) return false;
  if (rule.checkDiff && !checkDiff(rule, ev, ctx)) return false;
  if (rule.ifFts && !firstTimeSeen(ev, ctx)) return false;
  if (rule.lists.length > 0 && !checkLists(rule.lists, ev, ctx)) return false;
  if (rule.correlates && !frequencyReached(rule, ev, ctx)) return false;
  return true;
}

function compiledRule(name: string, ev: LogEvent, ctx: EvaluationContext): boolean {
  if (name === 'is_simple_http_request') {
    const url = ev.url;
    if (url === null) return false;
    return url === '/' || !url.includes('?');
  }
  // is_valid_crawler: the source address must reverse-resolve to a known crawler.
  const ip = ev.srcip;
  return ip !== null && isIP(ip) !== 0 && ctx.isCrawler(ip);
}

function checkDiff(rule: CompiledRule, ev: LogEvent, ctx: EvaluationContext): boolean {
  const key = `${rule.id}\u0000${ev.agentId}\u0000${ev.location}`;
  const before = ctx.state.lastOutput.get(key);
  ctx.state.lastOutput.set(key, ev.log);
  // The first output only sets the baseline, as OSSEC's doDiff.
  return before !== undefined && before !== ev.log;
}

function firstTimeSeen(ev: LogEvent, ctx: EvaluationContext): boolean {
  const fields = ctx.decoderFts;
  if (fields === null) return (ev.ftsNew = false);
  return (ev.ftsNew = ftsFirstTime(ctx.fts, ctx.state.ftsRecent, ftsKey(ev, fields), ev.category === 'ids', ctx.decoderFtsComment, ev.decoderName));
}

function checkLists(lists: ListCheck[], ev: LogEvent, ctx: EvaluationContext): boolean {
  for (const l of lists) {
    const value = ev.getField(l.field);
    if (value === null) return false;
    const table = ctx.lists.get(l.path);
    if (!table) return false;
    let found: string | undefined;
    if (l.lookup.startsWith('address') || l.lookup === 'not_address_match_key') {
      found = lookupAddress(table, value);
    } else {
      found = table.get(value);
    }
    switch (l.lookup) {
      case 'match_key': case 'address_match_key': if (found === undefined) return false; break;
      case 'not_match_key': case 'not_address_match_key': if (found !== undefined) return false; break;
      case 'match_key_value': case 'address_match_key_value':
        if (found === undefined || l.checkValue === null || !l.checkValue.test(found)) return false;
        break;
    }
  }
  return true;
}

/** CDB address keys may be whole addresses or class-style prefixes (`10.`, `192.168.1`). */
function lookupAddress(table: ReadonlyMap<string, string>, ip: string): string | undefined {
  const exact = table.get(ip);
  if (exact !== undefined) return exact;
  const parts = ip.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = parts.slice(0, n).join('.');
    const v = table.get(prefix) ?? table.get(`${prefix}.`);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The current event's values of the fields a frequency rule compares (reused: one rule at a time). */
const currentValues: (string | null)[] = [];

/** OSSEC's Search_LastSids / Search_LastGroups: earlier events, newest first, inside the timeframe. */
function frequencyReached(rule: CompiledRule, ev: LogEvent, ctx: EvaluationContext): boolean {
  const filters = rule.correlate;
  const nf = filters.length;
  // The current event's values, read once; without one of them nothing can qualify (and the
  // scope's lists, often out of the caches, are not looked at).
  let mine: (string | null)[] | null = null;
  if (nf > 0) {
    mine = currentValues;
    // (only indices below nf are read: its length is left as it is, a store to it is a runtime call)
    for (let k = 0; k < nf; k++) {
      mine[k] = filters[k].get(ev);
      if (mine[k] === null) return false;
    }
  }
  let memory: LastEvents | null | undefined;
  if (rule.globalFrequency && ctx.scope !== '') memory = ctx.state.findScope('');
  else {
    memory = ctx.memory;
    if (memory === undefined) memory = ctx.memory = ctx.state.findScope(ctx.scope) ?? null;
  }
  if (memory == null) return false;
  const history: History | undefined = rule.ifMatchedSid !== null ? memory.sid?.get(rule.ifMatchedSid) : memory.group?.get(rule.id);
  if (history === undefined) return false;
  // OSSEC 4.x fires once `frequency` earlier events have qualified and one more does;
  // Wazuh fires on the `frequency`-th event: frequency - 1 earlier ones.
  const needed = ctx.dialect === 'wazuh' ? Math.max(1, rule.frequency - 1) : rule.frequency + 1;
  // Each entry counts at most once: a list shorter than that cannot fire (and nothing is marked).
  if (history.size < needed) return false;
  const events = history.events as LogEvent[];
  const tail = history.tail;
  const oldest = ev.time - rule.timeframe * 1000;
  const level = rule.level;
  // Too few entries share a value that must be the same: no need to walk.
  if (mine !== null) {
    const keys = history.keyFields;
    for (let k = 0; k < nf; k++) {
      if (!filters[k].same) continue;
      for (let j = 0; j < keys.length; j++) {
        if (keys[j].field === filters[k].field) {
          if (!history.mayReach(j, mine[k]!, needed, ev)) return false;
          break;
        }
      }
    }
  }
  // Newest first; on the event clock, events later than this one are not looked at.
  const head = history.head;
  let newest = -1;
  let count = 0;
  if (ctx.dialect === 'wazuh') {
    // Wazuh's Search_LastSids: an already-consumed event stops the search only once it qualifies,
    // and a firing marks this event and the newest qualifying one (none when one suffices).
    let firstCounted: LogEvent | null = null;
    let unqualified: LogEvent | null = null;
    for (let i = tail - 1; i >= head; i--) {
      const past = events[i];
      if (past === unqualified) continue; // the same event again (filed several times): same answer
      if (past.time > ev.time) continue;
      if (newest < 0) newest = i;
      if (past.time < oldest) return false;
      if (mine !== null && !qualifies(filters, mine, past)) {
        unqualified = past;
        continue;
      }
      if (past.matched >= level) return false;
      if (++count < needed) {
        firstCounted ??= past;
        continue;
      }
      ev.matched = level;
      if (firstCounted !== null) firstCounted.matched = level;
      ctx.previousOutput = correlatedLogs(events, i, newest, filters, mine);
      return true;
    }
    return false;
  }
  let unqualified: LogEvent | null = null;
  for (let i = tail - 1; i >= head; i--) {
    const past = events[i];
    if (past === unqualified) continue; // the same event again (filed several times): same answer
    if (past.time > ev.time) continue;
    if (newest < 0) newest = i;
    if (past.time < oldest) return false;
    if (past.matched >= level) return false;
    if (mine !== null && !qualifies(filters, mine, past)) {
      unqualified = past;
      continue;
    }
    if (++count < needed) continue;
    ev.matched = level;
    past.matched = level;
    events[newest].matched = level;
    ctx.previousOutput = correlatedLogs(events, i, newest, filters, mine);
    return true;
  }
  return false;
}

function qualifies(filters: CompiledRule['correlate'], mine: (string | null)[], past: LogEvent): boolean {
  for (let k = 0; k < filters.length; k++) {
    const v = filters[k].get(past);
    if (v === null || (v === mine[k]) !== filters[k].same) return false;
  }
  return true;
}

/** The logs of the qualifying events, newest first, at most 11 as OSSEC keeps. */
function correlatedLogs(events: LogEvent[], from: number, newest: number, filters: CompiledRule['correlate'], mine: (string | null)[] | null): string[] {
  const logs: string[] = [];
  const time = events[newest].time;
  for (let i = newest; i >= from && logs.length <= 10; i--) {
    const past = events[i];
    if (past.time > time) continue;
    if (mine === null || qualifies(filters, mine, past)) logs.push(past.fullLog);
  }
  return logs;
}
