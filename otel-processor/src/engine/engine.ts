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
import { CorrelationState, type CorrelationLimits } from './correlate/state';
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
  /** Correlation memory bounds; default OSSEC 4.2's (see CorrelationLimits). */
  limits?: CorrelationLimits;
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

  constructor(readonly ruleset: CompiledRuleset, options: EngineOptions = {}) {
    this.decoder = new Decoder(ruleset.decoders);
    this.state = options.state ?? new CorrelationState(options.limits);
    this.state.keyFieldsFor = (map, id) => (map === 'sid' ? ruleset.sidKeyFields : ruleset.groupKeyFields).get(id) ?? [];
    this.logAlertLevel = options.logAlertLevel ?? 1;
    this.scopeGlobal = options.correlationScope === 'global';
    this.fts = options.fts ?? new MemoryFtsStore();
    this.isCrawler = options.isCrawler ?? (() => false);
    // Pre-decoding follows the ruleset's dialect unless the caller chooses.
    this.predecoder = createPredecoder({ dialect: ruleset.dialect, ...options.predecode });
    this.ctx = {
      state: this.state, fts: this.fts, decoderFts: null, decoderFtsComment: null, scope: '',
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
    ctx.previousOutput = null;
    if (ev.category === OSSEC_ALERT_CATEGORY) {
      // A forwarded OSSEC alert skips the tree and alerts as the rule it names; unknown: dropped.
      const named = ev.generatedRuleId !== null ? rs.rulesById.get(Number(ev.generatedRuleId)) : undefined;
      return named ? this.settle(named, ev, ctx) : NO_VERDICT;
    }
    const roots = rs.roots;
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i];
      if (root.category !== ev.category) continue;
      const rule = checkRule(root, ev, ctx);
      if (rule === null) continue;
      return this.settle(rule, ev, ctx);
    }
    return NO_VERDICT;
  }

  /** Events the engine could not analyse because of an internal error (see lastError). */
  errors = 0;
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
    const fired = (st.firedTimes.get(rule.id) ?? 0) + 1;
    st.firedTimes.set(rule.id, fired);
    const verdict: Verdict = { rule, alert: false, suppressed: null, previousOutput: ctx.previousOutput, firedTimes: fired };
    if (rule.level === 0) {
      verdict.suppressed = 'level0';
      return verdict;
    }
    if (rule.ignoreTime > 0) {
      const since = st.ignoredSince.get(rule.id);
      if (since !== undefined && ev.time - since < rule.ignoreTime * 1000) {
        verdict.suppressed = 'ignore_window';
        return verdict;
      }
      st.ignoredSince.set(rule.id, ev.time);
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
    if (rule.options.has('no_log')) verdict.suppressed = 'no_log';
    else if (rule.level < this.logAlertLevel) verdict.suppressed = 'below_log_level';
    else verdict.alert = true;

    const scope = ctx.scope;
    const rs = this.ruleset;
    let sidList = null;
    let groupLists = null;
    if (rs.feedsSid.has(rule.id)) {
      sidList = st.history(st.bySid, rule.id, scope);
      sidList.push(ev);
    } else {
      const groups = rs.feedsGroups.get(rule.id);
      if (groups) {
        groupLists = groups.map((g) => st.history(st.byGroupRule, g, scope));
        for (const h of groupLists) h.push(ev);
      }
    }
    if (rs.correlates) st.remember(scope, ev, sidList, groupLists);
    return verdict;
  }

  /** check_if_ignored: any rule that recorded these fields with `<ignore>` silences this one. */
  private isIgnored(rule: CompiledRule, ev: LogEvent): boolean {
    for (const [, set] of this.state.ignoreLists) {
      if (set.has(tuple(ev, rule.checkIfIgnored))) return true;
    }
    return false;
  }
}

function tuple(ev: LogEvent, fields: readonly string[]): string {
  let s = '';
  for (const f of fields) s += `${f}=${ev.getField(f) ?? ''}\u0000`;
  return s;
}

export { LogEvent };
