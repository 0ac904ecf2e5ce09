/**
 * A compiled ruleset: decoder trees plus the rule tree, built once from parsed XML.
 * Pure: the caller reads the files (see ../loader).
 */
import type { XmlElement } from './ruleset/xml';
import { DecoderSetBuilder, type DecoderSet } from './compile/decoders';
import { RuleTreeBuilder, indexChildren, type CompiledRule } from './compile/rules';
import type { KeyField } from './correlate/state';
import { groupFeeds } from './correlate/ossec-tree';

/** Whose semantics a ruleset is run with where OSSEC 4.2 and Wazuh 4.x differ. */
export type RulesetDialect = 'ossec' | 'wazuh';

export interface RulesetSource {
  /** Default 'ossec'. */
  dialect?: RulesetDialect;
  /** Decoder files in load order, already parsed. */
  decoderFiles: XmlElement[][];
  /** Rule files in load order, already parsed. */
  ruleFiles: XmlElement[][];
  /** CDB lists by the path rules use in `<list>`: key -> value. */
  lists?: Map<string, Map<string, string>>;
  /** OSSEC 4.x compiles `*_pcre2` elements case-insensitively (default true). */
  pcre2Caseless?: boolean;
  defaultTimeframe?: number;
}

export interface CompiledRuleset {
  readonly dialect: RulesetDialect;
  /** What the loader tolerated with a warning (Wazuh dialect), in load order. */
  readonly warnings: string[];
  readonly decoders: DecoderSet;
  readonly roots: CompiledRule[];
  readonly rulesById: Map<number, CompiledRule>;
  readonly lists: Map<string, Map<string, string>>;
  /** Rule ids whose firings are remembered for if_matched_sid. */
  readonly feedsSid: Set<number>;
  /** Rule id -> the correlation rules (if_matched_group) its firings feed, once per time OSSEC files them (see correlate/ossec-tree). */
  readonly feedsGroups: Map<number, number[]>;
  /** True when any rule correlates (so the engine keeps its event memory). */
  readonly correlates: boolean;
  /** Fields that correlation rules require to be the same, per if_matched_sid list and per group-correlating rule. */
  readonly sidKeyFields: Map<number, KeyField[]>;
  readonly groupKeyFields: Map<number, KeyField[]>;
}

export function compileRuleset(src: RulesetSource): CompiledRuleset {
  const pcre2Caseless = src.pcre2Caseless ?? true;
  const dec = new DecoderSetBuilder({ pcre2Caseless, wazuh: src.dialect === 'wazuh' });
  for (const f of src.decoderFiles) dec.addFile(f);
  const decoders = dec.build();

  const dialect = src.dialect ?? 'ossec';
  const warnings: string[] = [];
  const rules = new RuleTreeBuilder({
    pcre2Caseless, defaultTimeframe: src.defaultTimeframe ?? 360, wazuh: dialect === 'wazuh', warn: (m) => warnings.push(m),
    selfReference: dialect === 'wazuh' ? 'drop' : 'refuse',
  });
  for (const f of src.ruleFiles) rules.addFile(f);
  warnings.push(...rules.warnings);

  refuseCycles(rules.roots);
  indexChildren(rules.byId.values());
  const feedsSid = new Set<number>();
  const groupRules: CompiledRule[] = [];
  for (const r of rules.byId.values()) {
    if (r.ifMatchedSid !== null) {
      if (!rules.byId.has(r.ifMatchedSid)) {
        throw new Error(`${r.file}:${r.line}: <rule>: if_matched_sid refers to rule ${r.ifMatchedSid}, which does not exist`);
      }
      feedsSid.add(r.ifMatchedSid);
    }
    if (r.ifMatchedGroup !== null) groupRules.push(r);
  }
  const feedsGroups = groupFeeds(rules.byId.values());
  for (const r of rules.byId.values()) {
    r.feedsSid = feedsSid.has(r.id);
    r.feedsGroups = feedsGroups.get(r.id) ?? null;
  }
  const sidKeyFields = new Map<number, KeyField[]>();
  const groupKeyFields = new Map<number, KeyField[]>();
  for (const r of rules.byId.values()) {
    if (!r.correlates) continue;
    const target = r.ifMatchedSid !== null ? sidKeyFields : groupKeyFields;
    const id = r.ifMatchedSid ?? r.id;
    let list = target.get(id);
    if (!list) target.set(id, (list = []));
    for (const c of r.correlate) if (c.same && !list.some((k) => k.field === c.field)) list.push({ field: c.field, get: c.get });
  }
  return {
    dialect,
    warnings,
    decoders,
    sidKeyFields,
    groupKeyFields,
    roots: rules.roots,
    rulesById: rules.byId,
    lists: src.lists ?? new Map(),
    feedsSid,
    feedsGroups,
    correlates: feedsSid.size > 0 || groupRules.length > 0,
  };
}

/** A rule reachable from itself would recurse for ever on the first event it sees: refused at load. */
export function refuseCycles(roots: readonly CompiledRule[]): void {
  const done = new Set<CompiledRule>();
  const path = new Set<CompiledRule>();
  const stack: { rule: CompiledRule; next: number }[] = [];
  for (const root of roots) {
    if (done.has(root)) continue;
    stack.push({ rule: root, next: 0 });
    path.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.rule.children.length) {
        const child = top.rule.children[top.next++];
        if (path.has(child)) {
          const ids = [...stack.map((s) => s.rule.id).slice(stack.findIndex((s) => s.rule === child)), child.id];
          throw new Error(`${child.file}:${child.line}: <rule>: rules refer to each other in a cycle (${ids.join(' -> ')})`);
        }
        if (!done.has(child)) {
          stack.push({ rule: child, next: 0 });
          path.add(child);
        }
      } else {
        stack.pop();
        path.delete(top.rule);
        done.add(top.rule);
      }
    }
  }
}
