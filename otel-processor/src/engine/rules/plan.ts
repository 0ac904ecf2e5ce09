/**
 * The rule tree as events of one kind reach it. Every event with the same category, decoder
 * name and program name fails the same `<decoded_as>` and `<program_name>` conditions, so per
 * such key the tree is cut down once to the rules those conditions let through, in OSSEC's
 * order, and each rule keeps only its other checks. Walking that plan gives OSSEC's answer:
 * a rule left out would have failed a pure check before any stateful condition ran.
 *
 * Plans are built lazily (a node's children when an event first gets past the node) and kept
 * per ruleset; at most MAX_KEYS keys at once (a flood of distinct program names starts afresh).
 */
import type { LogEvent } from '../event';
import type { CompiledRule, FieldCheck } from '../compile/rules';
import { conditionsHold, hasConditions, type EvaluationContext } from './evaluate';

/** One rule as events of one key reach it. */
export interface PlanNode {
  readonly rule: CompiledRule;
  /** The rule's checks other than the ones the key decided. */
  readonly checks: readonly FieldCheck[];
  readonly conditions: boolean;
  /** The children the key lets through; null until first needed. */
  children: PlanNode[] | null;
  readonly key: KeyPlan;
}

/** Keys held at once, across categories, decoders and program names. */
export const MAX_KEYS = 4096;

class KeyPlan {
  private readonly nodes = new Map<CompiledRule, PlanNode>();
  readonly roots: PlanNode[] = [];

  node(rule: CompiledRule): PlanNode {
    let n = this.nodes.get(rule);
    if (n === undefined) {
      n = { rule, checks: rule.eventChecks, conditions: hasConditions(rule), children: null, key: this };
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
  return out;
}

/** The plans of one ruleset's tree. */
export class RulePlanner {
  /** category -> decoder name -> program name -> plan. */
  private readonly byCategory = new Map<string, Map<string | null, Map<string | null, KeyPlan>>>();
  private keys = 0;
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
        this.byCategory.clear();
        this.keys = 0;
        return this.rootsFor(ev);
      }
      plan = new KeyPlan();
      for (const root of this.roots) if (root.category === category && admits(root, ev)) plan.roots.push(plan.node(root));
      byProgram.set(program, plan);
      this.keys++;
    }
    return plan.roots;
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
  const children = node.children ?? expand(node, ev);
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
