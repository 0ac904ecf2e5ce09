/**
 * The rule tree as events of one kind reach it. Every event with the same category, decoder
 * name and program name fails the same `<decoded_as>` and `<program_name>` conditions, so per
 * such key the tree is cut down once to the rules those conditions let through, in OSSEC's
 * order, and each rule keeps only its other checks. Walking that plan gives OSSEC's answer:
 * a rule left out would have failed a pure check before any stateful condition ran.
 *
 * Likewise where several children of a rule test one field (e.g. Windows rules each testing
 * `<id>`), the children a value of that field lets through are worked out on the first event
 * with that value and remembered: later events with it skip the others without testing them.
 *
 * Plans are built lazily (a node's children when an event first gets past the node) and kept
 * per ruleset, within bounds (MAX_KEYS keys, MAX_VALUES values per node, MAX_ENTRIES in all;
 * past them everything starts afresh, so a flood of distinct names costs time, not memory).
 */
import type { LogEvent } from '../event';
import { fieldReader, type CompiledRule, type FieldCheck } from '../compile/rules';
import { conditionsHold, hasConditions, type EvaluationContext } from './evaluate';

/** One rule as events of one key reach it. */
export interface PlanNode {
  readonly rule: CompiledRule;
  /** The rule's checks other than the ones the key decided. */
  readonly checks: readonly FieldCheck[];
  readonly conditions: boolean;
  /** The children the key lets through; null until first needed. */
  children: PlanNode[] | null;
  /** Set with `children` when enough of them test one field. */
  dispatch: Dispatch | null;
  readonly key: KeyPlan;
}

/** Children narrowed by the value of the field several of them test. */
interface Dispatch {
  /** The field, as CompiledRule.eventCheckReads names it. */
  readonly reads: string;
  readonly read: (ev: LogEvent) => string | null;
  /** Value -> the children whose test of the field that value passes (the others untouched). */
  readonly byValue: Map<string, PlanNode[]>;
  /** Without the field: the children that do not test it. */
  whenAbsent: PlanNode[] | null;
}

/** Keys held at once, across categories, decoders and program names. */
export const MAX_KEYS = 1024;
/** Values remembered per dispatching node; later new values take the plain children. */
export const MAX_VALUES = 256;
/** Values remembered across all nodes and keys. */
export const MAX_ENTRIES = 65_536;
/** Children testing one field that make a node dispatch on it (one map lookup beats testing them). */
const DISPATCH_MIN = 3;

class KeyPlan {
  private readonly nodes = new Map<CompiledRule, PlanNode>();
  readonly roots: PlanNode[] = [];

  constructor(readonly planner: RulePlanner) {}

  node(rule: CompiledRule): PlanNode {
    let n = this.nodes.get(rule);
    if (n === undefined) {
      n = { rule, checks: rule.eventChecks, conditions: hasConditions(rule), children: null, dispatch: null, key: this };
      this.nodes.set(rule, n);
    }
    return n;
  }
}

/** Whether the key lets `rule` through; `ev` has the key's decoder and program names. */
function admits(rule: CompiledRule, ev: LogEvent): boolean {
  if (rule.decodedAs !== null && rule.decodedAs !== ev.decoderName) return false;
  return rule.programNameCheck === null || rule.programNameCheck(ev);
}

/** The key's children of `node`, built from the current event (which has the key's names). */
function expand(node: PlanNode, ev: LogEvent): PlanNode[] {
  const out: PlanNode[] = [];
  const kids = node.rule.children;
  for (let i = 0; i < kids.length; i++) if (admits(kids[i], ev)) out.push(node.key.node(kids[i]));
  node.children = out;
  node.dispatch = dispatchFor(out);
  return out;
}

/** The field most of `children` test, when enough do. */
function dispatchFor(children: readonly PlanNode[]): Dispatch | null {
  if (children.length < DISPATCH_MIN) return null;
  const counts = new Map<string, number>();
  for (const c of children) {
    for (const f of new Set(c.rule.eventCheckReads)) if (f !== null) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  let best: string | null = null;
  let most = DISPATCH_MIN - 1;
  for (const [f, n] of counts) if (n > most) { best = f; most = n; }
  if (best === null) return null;
  return { reads: best, read: readerOf(best), byValue: new Map(), whenAbsent: null };
}

const readers = new Map<string, (ev: LogEvent) => string | null>();
function readerOf(reads: string): (ev: LogEvent) => string | null {
  let r = readers.get(reads);
  if (r === undefined) readers.set(reads, (r = fieldReader(reads)));
  return r;
}

/** The children the event's value of the dispatch field lets through (worked out once per value). */
function narrow(node: PlanNode, d: Dispatch, children: PlanNode[], ev: LogEvent): PlanNode[] {
  const v = d.read(ev);
  if (v === null) return (d.whenAbsent ??= passing(children, d.reads, ev));
  let out = d.byValue.get(v);
  if (out === undefined) {
    if (d.byValue.size >= MAX_VALUES || !node.key.planner.takeEntry()) return children;
    out = passing(children, d.reads, ev);
    d.byValue.set(v, out);
  }
  return out;
}

/** The children whose check of field `reads` (if any) passes for this event. */
function passing(children: readonly PlanNode[], reads: string, ev: LogEvent): PlanNode[] {
  const out: PlanNode[] = [];
  for (const c of children) {
    const i = c.rule.eventCheckReads.indexOf(reads);
    if (i < 0 || c.rule.eventChecks[i](ev)) out.push(c);
  }
  return out;
}

/** The plans of one ruleset's tree. */
export class RulePlanner {
  /** category -> decoder name -> program name -> plan. */
  private readonly byCategory = new Map<string, Map<string | null, Map<string | null, KeyPlan>>>();
  private keys = 0;
  private entries = 0;
  /** Per category: whether any rule under its roots tests the program name (if not, it is no part of the key). */
  private readonly programNameMatters = new Map<string, boolean>();

  constructor(private readonly roots: readonly CompiledRule[]) {
    for (const root of roots) {
      const cat = root.category ?? '';
      if (!this.programNameMatters.get(cat)) this.programNameMatters.set(cat, testsProgramName(root));
    }
  }

  /** The root nodes an event tries, in order (its category's roots the key lets through). */
  rootsFor(ev: LogEvent): readonly PlanNode[] {
    const category = ev.category;
    let byDecoder = this.byCategory.get(category);
    if (byDecoder === undefined) this.byCategory.set(category, (byDecoder = new Map()));
    let byProgram = byDecoder.get(ev.decoderName);
    if (byProgram === undefined) byDecoder.set(ev.decoderName, (byProgram = new Map()));
    const program = this.programNameMatters.get(category) === true ? ev.programName : null;
    let plan = byProgram.get(program);
    if (plan === undefined) {
      if (this.keys >= MAX_KEYS) {
        this.reset();
        return this.rootsFor(ev);
      }
      plan = new KeyPlan(this);
      for (const root of this.roots) if (root.category === category && admits(root, ev)) plan.roots.push(plan.node(root));
      byProgram.set(program, plan);
      this.keys++;
    }
    return plan.roots;
  }

  /** Counts one more remembered value; false (and everything starts afresh) past MAX_ENTRIES. */
  takeEntry(): boolean {
    if (this.entries >= MAX_ENTRIES) {
      this.reset();
      return false;
    }
    this.entries++;
    return true;
  }

  private reset(): void {
    this.byCategory.clear();
    this.keys = 0;
    this.entries = 0;
  }
}

function testsProgramName(root: CompiledRule): boolean {
  const seen = new Set<CompiledRule>();
  const stack = [root];
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    if (r.programNameCheck !== null) return true;
    for (const c of r.children) stack.push(c);
  }
  return false;
}

/** checkRule over a plan node: the same answer, and the same conditions recorded, as OSSEC's walk. */
export function walkNode(node: PlanNode, ev: LogEvent, ctx: EvaluationContext): CompiledRule | null {
  const checks = node.checks;
  for (let i = 0; i < checks.length; i++) if (!checks[i](ev)) return null;
  const rule = node.rule;
  if (node.conditions && !conditionsHold(rule, ev, ctx)) return null;
  let children = node.children ?? expand(node, ev);
  if (node.dispatch !== null) children = narrow(node, node.dispatch, children, ev);
  for (let i = 0; i < children.length; i++) {
    const r = walkNode(children[i], ev, ctx);
    if (r !== null) return r;
  }
  if (rule.noalert) return null;
  return rule;
}

const planners = new WeakMap<object, RulePlanner>();

/** The planner of a ruleset's tree (one per ruleset, shared by its engines). */
export function plannerFor(ruleset: object, roots: readonly CompiledRule[]): RulePlanner {
  let p = planners.get(ruleset);
  if (p === undefined) planners.set(ruleset, (p = new RulePlanner(roots)));
  return p;
}
