/**
 * The analysis engine: pre-decoding, decoding and rule matching for one event at a time.
 * Pure and synchronous: state lives in memory; first-time-seen keys go to an injected store.
 */
import { LogEvent } from './event';
import type { CompiledRuleset } from './ruleset';
import type { CompiledRule } from './compile/rules';
import type { CompiledDecoder } from './compile/decoders';
import { Decoder } from './decode/decode';
import { checkRule, type EvaluationContext } from './rules/evaluate';
import { plannerFor, walkNode, type RulePlanner } from './rules/plan';
import { CorrelationState, OSSEC_ANALYSISD, type CorrelationModel, type LastEvents, type RuleMemory } from './correlate/state';
import { MemoryFtsStore, type FtsStore } from './correlate/fts';
import { OSSEC_ALERT_CATEGORY } from './decode/plugins/ossecalert';
import { createPredecoder, type PredecodeOptions, type Predecoder } from './predecode';

export interface EngineOptions {
  /** Lowest level that writes an alert (OSSEC `<log_alert_level>`). Default 1. */
  logAlertLevel?: number;
  /** Correlate per agent (default) or across all agents (OSSEC 2.x behaviour). */
  correlationScope?: 'agent' | 'global';
  fts?: FtsStore;
  /** Answers is_valid_crawler from a DNS cache; never blocks. Default: nothing is a crawler. */
  isCrawler?: (ip: string) => boolean;
  predecode?: PredecodeOptions;
  /** Correlation memory to continue from (a hot reload keeps windows and counts). */
  state?: CorrelationState;
  /** Correlation bookkeeping; default ossec-analysisd 4.2's (see CorrelationModel). */
  model?: CorrelationModel;
  /**
   * Bytes (estimated) correlation memory may hold across all agents before the largest give up
   * their oldest events (fair across agents); default DEFAULT_MEMORY_BUDGET_BYTES, 0: no budget.
   */
  memoryBudgetBytes?: number;
  /**
   * How phase 3 walks the rule tree: `plans` (default) cut per event kind (rules/plan.ts), or
   * `tree`, OSSEC's walk as written (same answers; kept as the reference to compare with).
   */
  ruleWalk?: 'plans' | 'tree';
}

export interface Verdict {
  /** The rule phase 3 settled on, or null when none matched. */
  rule: CompiledRule | null;
  /** True when an alert is written for it. */
  alert: boolean;
  /** Why a matched rule wrote no alert. */
  suppressed: 'level0' | 'ignore_window' | 'ignored_fields' | 'below_log_level' | 'no_log' | null;
  /** Logs of the correlated earlier events (frequency rules). */
  previousOutput: string[] | null;
  /** Times this rule has fired so far, this one included. */
  firedTimes: number;
}

/** Default budget of correlation memory: 256 MiB (engine.memory_budget_mb). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 256 << 20;

const NO_VERDICT: Verdict = Object.freeze({ rule: null, alert: false, suppressed: null, previousOutput: null, firedTimes: 0 }) as Verdict;

export class Engine {
  readonly state: CorrelationState;
  private readonly decoder: Decoder;
  private readonly logAlertLevel: number;
  private readonly scopeGlobal: boolean;
  private readonly fts: FtsStore;
  private readonly isCrawler: (ip: string) => boolean;
  private readonly predecoder: Predecoder;
  private readonly ctx: EvaluationContext;
  private readonly planner: RulePlanner | null;
  /** The state's memory of each rule, by the rule's load position (resolved once per rule; dense, so a fast array). */
  private readonly ruleMemories: (RuleMemory | undefined)[];

  constructor(readonly ruleset: CompiledRuleset, options: EngineOptions = {}) {
    this.decoder = new Decoder(ruleset.decoders);
    this.state = options.state ?? new CorrelationState(options.model ?? OSSEC_ANALYSISD);
    this.state.maxFrequencyMs = maxFrequency(ruleset) * 1000;
    this.state.horizonMs = horizon(ruleset) * 1000;
    this.state.budgetBytes = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
    this.state.keyFieldsFor = (map, id) => (map === 'sid' ? ruleset.sidKeyFields : ruleset.groupKeyFields).get(id) ?? [];
    this.logAlertLevel = options.logAlertLevel ?? 1;
    this.scopeGlobal = options.correlationScope === 'global';
    this.fts = options.fts ?? new MemoryFtsStore();
    this.isCrawler = options.isCrawler ?? (() => false);
    // Pre-decoding follows the ruleset's dialect unless the caller chooses.
    this.predecoder = createPredecoder({ dialect: ruleset.dialect, ...options.predecode });
    this.planner = options.ruleWalk === 'tree' ? null : plannerFor(ruleset, ruleset.roots);
    let lastOrder = -1;
    for (const r of ruleset.rulesById.values()) if (r.order > lastOrder) lastOrder = r.order;
    this.ruleMemories = new Array<RuleMemory | undefined>(lastOrder + 1).fill(undefined);
    this.ctx = {
      state: this.state, fts: this.fts, decoderFts: null, decoderFtsComment: null, scope: '', memory: undefined,
      previousOutput: null, lists: ruleset.lists, isCrawler: this.isCrawler, dialect: ruleset.dialect,
    };
  }

  /** Phase 1. Returns false when the record must be dropped (e.g. a location with `../`). */
  predecode(ev: LogEvent): boolean {
    return this.predecoder(ev);
  }

  /** Phase 2: returns the decoder that claimed the event. */
  decode(ev: LogEvent): CompiledDecoder | null {
    return this.decoder.decode(ev);
  }

  /** Phase 3, with the alert decision and correlation bookkeeping. */
  match(ev: LogEvent): Verdict {
    const rs = this.ruleset;
    const dec = ev.decoderIndex >= 0 ? rs.decoders.decoders[ev.decoderIndex] : null;
    if (dec !== null && dec.accumulate) this.state.accumulator.merge(ev);
    // One context object, refilled per event (no allocation on the per-line path).
    const ctx = this.ctx;
    ctx.decoderFts = dec?.fts ?? null;
    ctx.decoderFtsComment = dec?.ftsComment ?? null;
    ctx.scope = this.scopeGlobal ? '' : ev.agentId;
    ctx.memory = undefined;
    ctx.previousOutput = null;
    if (ev.category === OSSEC_ALERT_CATEGORY) {
      // A forwarded OSSEC alert skips the tree and alerts as the rule it names; unknown: dropped.
      const named = ev.generatedRuleId !== null ? rs.rulesById.get(Number(ev.generatedRuleId)) : undefined;
      return named ? this.settle(named, ev, ctx) : NO_VERDICT;
    }
    if (this.planner === null) return this.walkTree(ev, ctx);
    const roots = this.planner.rootsFor(ev);
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i];
      const rule = walkNode(root, ev, ctx, root.checks);
      if (rule !== null) return this.settle(rule, ev, ctx);
    }
    return NO_VERDICT;
  }

  /** OSSEC's walk as written: every root of the event's category, every child tested in full. */
  private walkTree(ev: LogEvent, ctx: EvaluationContext): Verdict {
    const roots = this.ruleset.roots;
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i];
      if (root.category !== ev.category) continue;
      const rule = checkRule(root, ev, ctx);
      if (rule !== null) return this.settle(rule, ev, ctx);
    }
    return NO_VERDICT;
  }

  /** Events the engine could not analyse because of an internal error (exported in /metrics). */
  errors = 0;
  /** The latest internal error, for the log and the status page. */
  lastError: Error | null = null;

  /** All three phases. Never throws: an internal error leaves the event without a verdict and is counted. */
  process(ev: LogEvent): Verdict {
    try {
      if (!this.predecode(ev)) return NO_VERDICT;
      this.decode(ev);
      return this.match(ev);
    } catch (e) {
      this.errors++;
      this.lastError = e instanceof Error ? e : new Error(String(e));
      return NO_VERDICT;
    }
  }

  private settle(rule: CompiledRule, ev: LogEvent, ctx: EvaluationContext): Verdict {
    const st = this.state;
    const mem = this.memoryOf(rule);
    const verdict: Verdict = { rule, alert: false, suppressed: null, previousOutput: ctx.previousOutput, firedTimes: ++mem.fired };
    if (rule.level === 0) {
      verdict.suppressed = 'level0';
      return verdict;
    }
    if (rule.ignoreTime > 0 && this.ignoreWindow(rule, mem, ev, ctx.scope)) {
      verdict.suppressed = 'ignore_window';
      return verdict;
    }
    if (rule.checkIfIgnored.length > 0 && this.isIgnored(rule, ev)) {
      verdict.suppressed = 'ignored_fields';
      return verdict;
    }
    if (rule.ignoreFields.length > 0) {
      let set = st.ignoreLists.get(rule.id);
      if (!set) st.ignoreLists.set(rule.id, (set = new Set()));
      if (set.size < 10_000) set.add(tuple(ev, rule.ignoreFields));
    }
    if (rule.noLog) verdict.suppressed = 'no_log';
    else if (rule.level < this.logAlertLevel) verdict.suppressed = 'below_log_level';
    else verdict.alert = true;

    if (this.ruleset.correlates) this.remember(rule, ev, ctx);
    return verdict;
  }

  /** The state's memory of `rule` (by load position; a rule object of another ruleset is looked up by id). */
  private memoryOf(rule: CompiledRule): RuleMemory {
    const order = rule.order;
    const mem = this.ruleMemories[order];
    if (mem !== undefined && mem.id === rule.id) return mem;
    const found = this.state.ruleMemory(rule.id);
    if (mem === undefined && order >= 0 && order < this.ruleMemories.length && Number.isInteger(order)) this.ruleMemories[order] = found;
    return found;
  }

  /**
   * Files the event on the correlation lists its rule feeds and in the scope's last events
   * (the end of OSSEC's rule loop: OSList_AddData, then OS_AddEvent).
   */
  private remember(rule: CompiledRule, ev: LogEvent, ctx: EvaluationContext): void {
    const st = this.state;
    const m: LastEvents = ctx.memory ?? (ctx.memory = st.scope(ctx.scope));
    const groups = rule.feedsGroups;
    if (!rule.feedsSid && groups === null) {
      st.remember(m, ev.time, null, null);
      return;
    }
    const feeds = m.feeds?.get(rule.id) ?? st.feedsOf(m, rule.id, rule.feedsSid, groups);
    st.remember(m, ev.time, ev, feeds, feeds.file(ev));
  }

  /** True when the rule's ignore window (per scope) silences this event; OSSEC's time_ignored. */
  private ignoreWindow(rule: CompiledRule, mem: RuleMemory, ev: LogEvent, scope: string): boolean {
    const perScope = mem.ignoredSince ?? this.state.ignoreWindows(mem);
    const since = perScope.get(scope);
    if (since === undefined) {
      perScope.set(scope, ev.time);
      return false;
    }
    if (ev.time - since < rule.ignoreTime * 1000) return true;
    if (this.state.model.ignoreExpiry === 'restart') perScope.set(scope, ev.time);
    else perScope.delete(scope);
    return false;
  }

  /** check_if_ignored: any rule that recorded these fields with `<ignore>` silences this one. */
  private isIgnored(rule: CompiledRule, ev: LogEvent): boolean {
    for (const [, set] of this.state.ignoreLists) {
      if (set.has(tuple(ev, rule.checkIfIgnored))) return true;
    }
    return false;
  }
}

/** The largest `frequency` of any rule: how old (in seconds) an event may be before memory frees it regardless (eventinfo_list.c `_max_freq`). */
function maxFrequency(ruleset: CompiledRuleset): number {
  let max = 0;
  for (const r of ruleset.rulesById.values()) if (r.frequency > max) max = r.frequency;
  return max;
}

/** The longest an event can matter, in seconds: any rule's timeframe, frequency or ignore time. */
function horizon(ruleset: CompiledRuleset): number {
  let max = 0;
  for (const r of ruleset.rulesById.values()) {
    if (r.correlates && r.timeframe > max) max = r.timeframe;
    if (r.frequency > max) max = r.frequency;
    if (r.ignoreTime > max) max = r.ignoreTime;
  }
  return max;
}

function tuple(ev: LogEvent, fields: readonly string[]): string {
  let s = '';
  for (const f of fields) s += `${f}=${ev.getField(f) ?? ''}\u0000`;
  return s;
}

export { LogEvent };
