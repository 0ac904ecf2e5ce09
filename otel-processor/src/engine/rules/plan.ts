/**
 * The rule tree as events of one kind reach it. Every event with the same category and decoder
 * name fails the same `<decoded_as>` conditions, so per such key the tree is cut down once to
 * the rules those let through, in OSSEC's order. Walking that plan gives OSSEC's answer: a rule
 * left out would have failed a pure check before any stateful condition ran.
 *
 * Likewise where several children of a rule test one field (the syslog root's children their
 * `<program_name>`, Windows rules `<id>` and `<status>`, ...), the children a value of that
 * field lets through are worked out on the first event with that value and remembered, so later
 * events with it skip the others untested.
 *
 * And where several children must find literals in the log (their `<pcre2>`'s required
 * literals), the line is scanned once for all of them and the children whose literals are not
 * there are skipped (rules/literal-filter.ts).
 *
 * Plans are built lazily (a node's children when an event first gets past the node) and kept
 * per ruleset. Keys are bounded by the ruleset (its categories and decoder names); remembered
 * values by MAX_VALUES per node and MAX_ENTRIES in all. A node whose values keep changing (e.g.
 * program names that are per-line numbers) stops remembering new ones once full and starts
 * afresh after RENEW_AFTER_MISSES misses, so such values cost little time and no memory.
 */
import type { LogEvent } from '../event';
import { fieldReader, type CompiledRule, type FieldCheck } from '../compile/rules';
import { conditionsHold, hasConditions, type EvaluationContext } from './evaluate';
import { FEW_MAX, FewLiterals, LiteralSet, SharedAutomata, anchoredLiteralsOf, exactPrefixesOf, literalPatternOf, prefixedPatternOf, requiredLiteralsOf, PrefixSet } from './literal-filter';

/** One rule as events of one key reach it. */
export interface PlanNode {
  readonly rule: CompiledRule;
  /**
   * The rule's pure checks as the walk runs them: a child's check of a pattern that only matches
   * texts the log starts with (see exactPrefixesOf) is left out, the walk having compared
   * `prefixes` before reaching it.
   */
  readonly checks: readonly FieldCheck[];
  /**
   * `checks` as run on a line known to hold one of the node's literals: without the check of the
   * pattern those literals are all of (see literalPatternOf), which then passes. `checks` when
   * no check is settled so.
   */
  readonly foundChecks: readonly FieldCheck[];
  readonly conditions: boolean;
  /** Texts one of which the log must start with for the rule's patterns to match; null: none known. */
  readonly prefixes: PrefixSet | null;
  /** The children the key lets through; null until first needed. */
  children: ChildList | null;
  /** Set with `children` when enough of them test one field. */
  dispatch: Dispatch | null;
  /**
   * The group (in key.literals) of the literals one of which the log must hold for this rule;
   * below NO_LITERALS, a group of an anchored pattern's literals, -2 - group (checked on lines
   * scanned anyway); NO_LITERALS: none known; UNKNOWN: not worked out yet.
   */
  literals: number;
  readonly key: KeyPlan;
}

/** PlanNode.literals of a rule that needs no literal known, and of one not looked at yet. */
const NO_LITERALS = -1;
const UNKNOWN = -0x7fffffff;

/** Children to try, in order; `groups` when enough need literals for one scan of the line to pay. */
interface ChildList {
  readonly nodes: PlanNode[];
  /** Per node: its PlanNode.literals, read without reaching the node. */
  readonly groups: Int32Array | null;
  /**
   * Fewer (FEW_MIN or more) needing literals: the list cut into runs of children, each ending
   * with a child needing no literal known (it may match and end the walk, so later children's
   * literals are searched only when it does not); per run, one search of the line for all of
   * its children's literals, when it pays. null: none.
   */
  readonly few: readonly FewFilter[] | null;
  /** With `groups`, for lists of up to 64: on a scanned line, the children to try from the groups found. */
  readonly candidates: Candidates | null;
}

/**
 * A list's children as bits (child i: bit i of lo, or bit i - 32 of hi): on a line the literal
 * automaton scanned, the children to try are those needing no literal and those whose group the
 * scan found, which a few ors of the found groups' bits give; the others are never looked at.
 */
interface Candidates {
  /** Children no literal is known of: always tried. */
  readonly alwaysLo: number;
  readonly alwaysHi: number;
  /** Per group (numbered when the list was built): the children needing one of its literals (an anchored child's too: on a scanned line it needs them). */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Per index i (0 to length): the children before i needing literals, the group checks the walk would have counted. */
  readonly checksBefore: Int32Array;
}

/** Lists past this many children are walked child by child (two 32-bit words of candidates). */
const MAX_CANDIDATES = 64;

/**
 * The children of a short list needing literals, with one search (FewLiterals) for all of them.
 * The search costs about two failing tests; where most lines have the literal of one of the first
 * children (vsftpd's, pam's lists) it saves nothing, where they have none of them (Apache's
 * `[error]` children) it saves many. So each list measures, over the last lines that reached it,
 * what the search saves (children skipped) or would save (children tested that failed), and
 * searches only while that stays above the cost. Either way the answers are the same.
 */
interface FewFilter {
  /** The run of children: indices from..to-1 of the list. */
  readonly from: number;
  readonly to: number;
  /** null: too few of the run's children need literals, each is tested as it comes. */
  readonly literals: FewLiterals | null;
  /** Per node of the list, the bits (in its run's search answer) of the literals one of which it needs; 0: none known. */
  readonly masks: Int32Array;
  /** Searching now (else each child is tested as it comes). */
  searching: boolean;
  /** Running average over lines of the children the search skipped (searching) or that failed (not searching). */
  gain: number;
}

/** Children narrowed by the value of the field several of them test. */
interface Dispatch {
  /** The field, as CompiledRule.checkReads names it. */
  readonly reads: string;
  readonly read: (ev: LogEvent) => string | null;
  /** Value -> the children whose test of the field that value passes (the others untouched). */
  readonly byValue: Map<string, ChildList>;
  /** Without the field: the children that do not test it. */
  whenAbsent: ChildList | null;
  /** Values not remembered since the map filled up. */
  misses: number;
  /** The last value found in byValue, and its children (consecutive events mostly share it: no hash of the value). */
  lastValue: string | null;
  lastList: ChildList | null;
}

/** Decoder indices past this are looked up by key every time (a ruleset has a few hundred decoders). */
const MAX_DECODER_SLOTS = 1 << 16;
/** Values remembered per dispatching node. */
export const MAX_VALUES = 256;
/** Values remembered across all nodes and keys of a ruleset. */
export const MAX_ENTRIES = 32_768;
/** A full node forgets its values after this many new ones, to learn the current ones. */
export const RENEW_AFTER_MISSES = 16 * MAX_VALUES;
/** Children testing one field that make a node dispatch on it (one map lookup beats testing them). */
const DISPATCH_MIN = 3;
/**
 * Children needing literals that make a list worth a scan of the line. A line reaching the list
 * tests each such child's pattern (most fail), against one scan plus the tests of the children
 * whose literals are there. Measured per character of Apache error and sshd lines: a scan about
 * 4 ns, a failing pattern test 0.4-0.5 ns (the RegExp engine skips ahead on its literal), so a
 * scan pays only past 8 to 10 such children that all fail, more when some literals are present.
 */
const LITERALS_MIN = 16;
/**
 * Children needing literals that make a shorter list search the line once for all of theirs
 * (FewLiterals: one RegExp call, about the cost of two separate failing tests on Apache error
 * lines); below it, each child's pattern is tested as it comes.
 */
const FEW_MIN = 3;
/** FewFilter.gain past which a list starts searching (children failing per line), and below which it stops (children skipped). */
const FEW_START = 3;
const FEW_STOP = 2;
/** Lines over which FewFilter.gain is averaged. */
const FEW_LINES = 16;

class KeyPlan {
  private readonly nodes = new Map<CompiledRule, PlanNode>();
  readonly roots: PlanNode[] = [];
  readonly literals: LiteralSet;

  constructor(readonly planner: RulePlanner, readonly category: string, readonly decoderName: string | null) {
    this.literals = new LiteralSet(planner.automata);
  }

  /** The node of `rule`: a child (the walk compares its prefixes before it), or a root. */
  node(rule: CompiledRule, child = true): PlanNode {
    let n = this.nodes.get(rule);
    if (n === undefined) {
      const { prefixes, childChecks, foundChecks } = prefixedOf(rule);
      const checks = child ? childChecks : rule.checks;
      n = { rule, checks, foundChecks: child ? foundChecks : checks, conditions: hasConditions(rule), prefixes, children: null, dispatch: null, literals: UNKNOWN, key: this };
      this.nodes.set(rule, n);
    }
    return n;
  }
}

/** Whether the key lets `rule` through; `ev` has the key's decoder name. */
function admits(rule: CompiledRule, ev: LogEvent): boolean {
  return rule.decodedAs === null || rule.decodedAs === ev.decoderName;
}

/** The key's children of `node`, built from the current event (which has the key's names). */
function expand(node: PlanNode, ev: LogEvent): ChildList {
  const out: PlanNode[] = [];
  const kids = node.rule.children;
  for (let i = 0; i < kids.length; i++) if (admits(kids[i], ev)) out.push(node.key.node(kids[i]));
  node.dispatch = dispatchFor(out);
  return (node.children = childList(out, node.key));
}

/** The list, filtered by literals when enough of its nodes need some. */
function childList(nodes: PlanNode[], key: KeyPlan): ChildList {
  let needing = 0;
  for (const c of nodes) if (literalsOf(c.rule) !== null) needing++;
  if (needing < LITERALS_MIN) return needing >= FEW_MIN ? fewList(nodes, key.planner) : plainList(nodes);
  for (const c of nodes) {
    if (c.literals !== UNKNOWN) continue;
    const lits = literalsOf(c.rule);
    if (lits !== null) {
      c.literals = key.literals.groupOf(lits);
      continue;
    }
    const anchored = anchoredLiteralsOf(c.rule.logPatterns);
    c.literals = anchored === null ? NO_LITERALS : -2 - key.literals.groupOf(anchored);
  }
  const groups = Int32Array.from(nodes, (c) => c.literals);
  return { nodes, groups, few: null, candidates: candidatesOf(groups, key.literals.groupCount) };
}

function candidatesOf(groups: Int32Array, groupCount: number): Candidates | null {
  if (groups.length > MAX_CANDIDATES) return null;
  let alwaysLo = 0;
  let alwaysHi = 0;
  const lo = new Int32Array(groupCount);
  const hi = new Int32Array(groupCount);
  const checksBefore = new Int32Array(groups.length + 1);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    checksBefore[i + 1] = checksBefore[i] + (g >= 0 ? 1 : 0);
    const group = g >= 0 ? g : g < NO_LITERALS ? -2 - g : -1;
    if (i < 32) {
      if (group < 0) alwaysLo |= 1 << i;
      else lo[group] |= 1 << i;
    } else if (group < 0) alwaysHi |= 1 << (i - 32);
    else hi[group] |= 1 << (i - 32);
  }
  return { alwaysLo, alwaysHi, lo, hi, checksBefore };
}

function plainList(nodes: PlanNode[]): ChildList {
  return { nodes, groups: null, few: null, candidates: null };
}

/**
 * A short list whose children needing literals (FewLiterals can search up to FEW_MAX of them per
 * run) get their bits; cut after each child needing none (see ChildList.few).
 */
function fewList(nodes: PlanNode[], planner: RulePlanner): ChildList {
  const masks = new Int32Array(nodes.length);
  const runs: FewFilter[] = [];
  let searched = 0;
  let from = 0;
  let texts: string[] = [];
  let filtered = 0;
  const endRun = (to: number) => {
    const search = filtered >= FEW_MIN;
    if (search) searched++;
    runs.push({ from, to, literals: search ? planner.fewLiterals(texts) : null, masks, searching: search, gain: FEW_START });
    from = to;
    texts = [];
    filtered = 0;
  };
  for (let i = 0; i < nodes.length; i++) {
    const lits = literalsOf(nodes[i].rule);
    const added = lits === null || FewLiterals.of(lits) === null ? null : lits.filter((t, k) => !texts.includes(t) && lits.indexOf(t) === k);
    if (added === null || texts.length + added.length > FEW_MAX) {
      endRun(i + 1);
      continue;
    }
    texts.push(...added);
    for (const t of lits!) masks[i] |= 1 << texts.indexOf(t);
    filtered++;
  }
  if (from < nodes.length) endRun(nodes.length);
  if (searched === 0) return plainList(nodes);
  return { nodes, groups: null, few: runs, candidates: null };
}

/** What a rule's nodes need of its patterns' prefixes (worked out once per rule). */
interface Prefixed {
  readonly prefixes: PrefixSet | null;
  /** Its checks as a child runs them (see PlanNode.checks). */
  readonly childChecks: readonly FieldCheck[];
  /** The same on a line known to hold one of its literals (see PlanNode.foundChecks). */
  readonly foundChecks: readonly FieldCheck[];
}

const rulePrefixes = new WeakMap<CompiledRule, Prefixed>();
function prefixedOf(rule: CompiledRule): Prefixed {
  let p = rulePrefixes.get(rule);
  if (p === undefined) {
    const prefixed = prefixedPatternOf(rule.logPatterns);
    const exact = prefixed === null ? null : exactPrefixesOf(prefixed.pattern);
    const childChecks = exact !== null ? rule.checks.filter((_, i) => rule.checkPatterns[i] !== prefixed!.pattern) : rule.checks;
    const settled = literalPatternOf(rule.logPatterns);
    p = {
      prefixes: exact !== null ? new PrefixSet(exact) : prefixed !== null ? new PrefixSet(prefixed.prefixes) : null,
      childChecks,
      foundChecks: settled === null || !rule.checkPatterns.includes(settled)
        ? childChecks
        : rule.checks.filter((_, i) => rule.checkPatterns[i] !== settled && (exact === null || rule.checkPatterns[i] !== prefixed!.pattern)),
    };
    rulePrefixes.set(rule, p);
  }
  return p;
}

const ruleLiterals = new WeakMap<CompiledRule, readonly string[] | null>();
function literalsOf(rule: CompiledRule): readonly string[] | null {
  let l = ruleLiterals.get(rule);
  if (l === undefined) ruleLiterals.set(rule, (l = requiredLiteralsOf(rule.logPatterns)));
  return l;
}

/** The field most of `children` test, when enough do. */
function dispatchFor(children: readonly PlanNode[]): Dispatch | null {
  if (children.length < DISPATCH_MIN) return null;
  const counts = new Map<string, number>();
  for (const c of children) {
    const reads = c.rule.checkReads;
    for (let i = 0; i < reads.length; i++) {
      const f = reads[i];
      if (f !== null && reads.indexOf(f) === i) counts.set(f, (counts.get(f) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  let most = DISPATCH_MIN - 1;
  for (const [f, n] of counts) if (n > most) { best = f; most = n; }
  if (best === null) return null;
  return { reads: best, read: readerOf(best), byValue: new Map(), whenAbsent: null, misses: 0, lastValue: null, lastList: null };
}

const readers = new Map<string, (ev: LogEvent) => string | null>();
function readerOf(reads: string): (ev: LogEvent) => string | null {
  let r = readers.get(reads);
  if (r === undefined) readers.set(reads, (r = fieldReader(reads)));
  return r;
}

/** The children the event's value of the dispatch field lets through (worked out once per value). */
function narrow(node: PlanNode, d: Dispatch, children: ChildList, ev: LogEvent): ChildList {
  const v = d.read(ev);
  if (v === null) return (d.whenAbsent ??= childList(passing(children.nodes, d.reads, ev), node.key));
  if (v === d.lastValue) return d.lastList!;
  const known = d.byValue.get(v);
  if (known !== undefined) {
    d.lastValue = v;
    d.lastList = known;
    return known;
  }
  const planner = node.key.planner;
  if (d.byValue.size >= MAX_VALUES || !planner.takeEntry()) {
    // Full: this value is tested as the tree walk tests it; a node missing often starts afresh.
    if (++d.misses >= RENEW_AFTER_MISSES) {
      planner.giveBack(d.byValue.size);
      d.byValue.clear();
      d.misses = 0;
      d.lastValue = null;
      d.lastList = null;
    }
    return children;
  }
  const out = childList(passing(children.nodes, d.reads, ev), node.key);
  d.byValue.set(v, out);
  return out;
}

/** The children whose check of field `reads` (if any) passes for this event. */
function passing(children: readonly PlanNode[], reads: string, ev: LogEvent): PlanNode[] {
  const out: PlanNode[] = [];
  for (const c of children) {
    const i = c.rule.checkReads.indexOf(reads);
    if (i < 0 || c.rule.checks[i](ev)) out.push(c);
  }
  return out;
}

/** The plans of one ruleset's tree. */
export class RulePlanner {
  /** category -> decoder name -> plan. */
  private readonly byCategory = new Map<string, Map<string | null, KeyPlan>>();
  private entries = 0;
  /** The literal automata of all keys' plans (shared where their literals are the same). */
  readonly automata = new SharedAutomata();
  /**
   * Per decoder (by ev.decoderIndex + 1), the plan its last event had: a decoder gives its events
   * one category and name, so this answers without a lookup when lines of several decoders
   * alternate (auth: su, sudo, pam, ftp daemons); each hit is checked against the event's key.
   */
  private readonly byDecoderIndex: (KeyPlan | undefined)[] = [];
  /** FewLiterals by their texts (lists of several keys and dispatch values share them). */
  private readonly few = new Map<string, FewLiterals>();

  constructor(private readonly roots: readonly CompiledRule[]) {}

  /** The search of `texts` (each one FewLiterals accepts, FEW_MAX at most), shared. */
  fewLiterals(texts: readonly string[]): FewLiterals {
    const key = texts.join('\u0000');
    let f = this.few.get(key);
    if (f === undefined) this.few.set(key, (f = FewLiterals.of(texts)!));
    return f;
  }

  /** Values remembered now, across all nodes (at most MAX_ENTRIES). */
  get remembered(): number {
    return this.entries;
  }

  /** The root nodes an event tries, in order (its category's roots the key lets through). */
  rootsFor(ev: LogEvent): readonly PlanNode[] {
    const category = ev.category;
    const slot = ev.decoderIndex + 1;
    const last = slot >= 0 && slot < this.byDecoderIndex.length ? this.byDecoderIndex[slot] : undefined;
    if (last !== undefined && last.category === category && last.decoderName === ev.decoderName) return last.roots;
    let byDecoder = this.byCategory.get(category);
    if (byDecoder === undefined) this.byCategory.set(category, (byDecoder = new Map()));
    let plan = byDecoder.get(ev.decoderName);
    if (plan === undefined) {
      plan = new KeyPlan(this, category, ev.decoderName);
      for (const root of this.roots) if (root.category === category && admits(root, ev)) plan.roots.push(plan.node(root, false));
      byDecoder.set(ev.decoderName, plan);
    }
    if (slot >= 0 && slot <= MAX_DECODER_SLOTS && Number.isInteger(slot)) {
      while (this.byDecoderIndex.length <= slot) this.byDecoderIndex.push(undefined);
      this.byDecoderIndex[slot] = plan;
    }
    return plan.roots;
  }

  /** Counts one more remembered value; false when MAX_ENTRIES are taken. */
  takeEntry(): boolean {
    if (this.entries >= MAX_ENTRIES) return false;
    this.entries++;
    return true;
  }

  giveBack(n: number): void {
    this.entries -= n;
  }
}

/**
 * checkRule over a plan node: the same answer, and the same conditions recorded, as OSSEC's walk.
 * `checks`: the node's checks, or its foundChecks on a line known to hold one of its literals.
 */
export function walkNode(node: PlanNode, ev: LogEvent, ctx: EvaluationContext, checks: readonly FieldCheck[]): CompiledRule | null {
  const rule = node.rule;
  for (let i = 0; i < checks.length; i++) if (!checks[i](ev)) return null;
  if (node.conditions && !conditionsHold(rule, ev, ctx)) return null;
  let list = node.children ?? expand(node, ev);
  if (node.dispatch !== null) list = narrow(node, node.dispatch, list, ev);
  const children = list.nodes;
  const groups = list.groups;
  const log = ev.log;
  // a child whose anchored pattern needs the log to open otherwise fails that (pure) check: skipped untested
  if (groups === null) {
    const few = list.few;
    if (few !== null) return walkFew(rule, children, few, ev, ctx);
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (c.prefixes !== null && !c.prefixes.opens(log)) continue;
      const r = walkNode(c, ev, ctx, c.checks);
      if (r !== null) return r;
    }
  } else {
    const literals = node.key.literals;
    const candidates = list.candidates;
    if (candidates !== null && literals.scanFor(log, ev)) return walkCandidates(rule, children, groups, candidates, literals, ev, ctx);
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (c.prefixes !== null && !c.prefixes.opens(log)) continue;
      const g = groups[i];
      if (g >= 0 ? !literals.anyIn(g, log, ev) : g < NO_LITERALS && !literals.mayHold(-2 - g, log, ev)) continue;
      const r = walkNode(c, ev, ctx, g >= 0 ? c.foundChecks : c.checks);
      if (r !== null) return r;
    }
  }
  if (rule.noalert) return null;
  return rule;
}

/**
 * walkNode's walk of the children of `rule` on a scanned line: only those needing no literal or
 * whose group the scan found, in order (a child needing literals is reached only when found).
 */
function walkCandidates(rule: CompiledRule, children: PlanNode[], groups: Int32Array, cand: Candidates, literals: LiteralSet, ev: LogEvent, ctx: EvaluationContext): CompiledRule | null {
  const log = ev.log;
  let lo = cand.alwaysLo;
  let hi = cand.alwaysHi;
  const found = literals.foundGroups;
  const n = literals.foundCount;
  const byLo = cand.lo;
  const byHi = cand.hi;
  for (let k = 0; k < n; k++) {
    const g = found[k];
    if (g < byLo.length) {
      lo |= byLo[g];
      hi |= byHi[g];
    }
  }
  let r: CompiledRule | null = null;
  let stop = children.length;
  while (lo !== 0) {
    const bit = lo & -lo;
    lo ^= bit;
    const i = 31 - Math.clz32(bit);
    const c = children[i];
    if (c.prefixes !== null && !c.prefixes.opens(log)) continue;
    r = walkNode(c, ev, ctx, groups[i] >= 0 ? c.foundChecks : c.checks);
    if (r !== null) {
      stop = i + 1;
      break;
    }
  }
  if (r === null) {
    while (hi !== 0) {
      const bit = hi & -hi;
      hi ^= bit;
      const i = 63 - Math.clz32(bit);
      const c = children[i];
      if (c.prefixes !== null && !c.prefixes.opens(log)) continue;
      r = walkNode(c, ev, ctx, groups[i] >= 0 ? c.foundChecks : c.checks);
      if (r !== null) {
        stop = i + 1;
        break;
      }
    }
  }
  literals.countChecks(cand.checksBefore[stop]);
  if (r !== null) return r;
  if (rule.noalert) return null;
  return rule;
}

/** walkNode's walk of the children of `rule` (a list with FewFilters): a child whose literals the line lacks is skipped untested. */
function walkFew(rule: CompiledRule, children: PlanNode[], runs: readonly FewFilter[], ev: LogEvent, ctx: EvaluationContext): CompiledRule | null {
  for (let k = 0; k < runs.length; k++) {
    const run = runs[k];
    const r = run.literals === null ? walkRange(children, run.from, run.to, ev, ctx) : walkRun(children, run, run.literals, ev, ctx);
    if (r !== null) return r;
  }
  if (rule.noalert) return null;
  return rule;
}

/** The children from..to-1 tested as they come (those whose prefixes the log lacks skipped); the first rule one gives, or null. */
function walkRange(children: PlanNode[], from: number, to: number, ev: LogEvent, ctx: EvaluationContext): CompiledRule | null {
  const log = ev.log;
  for (let i = from; i < to; i++) {
    const c = children[i];
    if (c.prefixes !== null && !c.prefixes.opens(log)) continue;
    const r = walkNode(c, ev, ctx, c.checks);
    if (r !== null) return r;
  }
  return null;
}

/** The children of one run, searched for when it pays; the first rule one gives, or null. */
function walkRun(children: PlanNode[], few: FewFilter, literals: FewLiterals, ev: LogEvent, ctx: EvaluationContext): CompiledRule | null {
  const log = ev.log;
  const masks = few.masks;
  const searching = few.searching;
  let found = -1; // searched when the first child needing literals is reached
  let gain = 0;
  let r: CompiledRule | null = null;
  for (let i = few.from; i < few.to; i++) {
    const c = children[i];
    if (c.prefixes !== null && !c.prefixes.opens(log)) continue;
    const m = masks[i];
    let checks = c.checks;
    if (m !== 0 && searching) {
      if (found < 0) found = literals.found(log);
      if ((found & m) === 0) {
        gain++;
        continue;
      }
      checks = c.foundChecks;
    }
    r = walkNode(c, ev, ctx, checks);
    if (r !== null) break;
    if (m !== 0 && !searching) gain++;
  }
  if (found >= 0 || !searching) {
    const g = (few.gain += (gain - few.gain) / FEW_LINES);
    if (searching ? g < FEW_STOP : g >= FEW_START) few.searching = !searching;
  }
  return r;
}

const planners = new WeakMap<object, RulePlanner>();

/** The planner of a ruleset's tree (one per ruleset, shared by its engines). */
export function plannerFor(ruleset: object, roots: readonly CompiledRule[]): RulePlanner {
  let p = planners.get(ruleset);
  if (p === undefined) planners.set(ruleset, (p = new RulePlanner(roots)));
  return p;
}
