/**
 * Which if_matched_group lists each rule feeds, and how many times, as OSSEC 4.2 wires them.
 *
 * OSSEC builds its rule tree node by node (analysisd/rules_list.c _AddtoRule): a rule with
 * <if_group> becomes a child of every node whose groups hold the word, so one rule can sit in
 * many places; a rule with <if_sid> is put under the first node of that id in each branch
 * searched. When an if_matched_group rule is loaded, OS_MarkGroup walks the tree as it stands
 * then and, for every node whose rule's groups match the pattern, appends the new rule's list to
 * that rule's group_prev_matched: a rule sitting in three places feeds the list three times,
 * so each of its events is filed three times (and, when freed, deletes three oldest nodes).
 * Rules loaded after the if_matched_group rule never feed it.
 *
 * This replays that construction over the compiled rules (load order) to get those counts.
 */
import type { CompiledRule } from '../compile/rules';
import { compileWordMatch } from '../patterns';

interface Node {
  rule: CompiledRule;
  children: Node[];
}

/** The order key OSSEC sorts siblings by while loading: level x 100, level 0 as 99 (rules.c). */
function loadLevel(r: CompiledRule): number {
  return (r.level === 0 ? 99 : r.level) * 100;
}

/** _OS_AddRule: before the first sibling of a lower level. */
function insert(list: Node[], rule: CompiledRule): void {
  const k = loadLevel(rule);
  let i = 0;
  while (i < list.length && !(k > loadLevel(list[i].rule))) i++;
  list.splice(i, 0, { rule, children: [] });
}

function addUnderSid(list: Node[], sid: number, rule: CompiledRule): boolean {
  let added = false;
  for (const n of list) {
    if (n.rule.id === sid) {
      insert(n.children, rule);
      return true;
    }
    if (n.children.length > 0 && addUnderSid(n.children, sid, rule)) added = true;
  }
  return added;
}

function addUnderMatching(list: Node[], matches: (r: CompiledRule) => boolean, rule: CompiledRule): boolean {
  let added = false;
  for (const n of list) {
    if (matches(n.rule) && n.rule.id !== rule.id) {
      insert(n.children, rule);
      added = true;
    }
    if (n.children.length > 0 && addUnderMatching(n.children, matches, rule)) added = true;
  }
  return added;
}

/**
 * Rule id -> the if_matched_group rules its events are filed for, one entry per time OSSEC
 * files them. `rules` in load order.
 */
export function groupFeeds(rules: Iterable<CompiledRule>): Map<number, number[]> {
  const top: Node[] = [];
  const feeds = new Map<number, number[]>();
  for (const rule of rules) {
    if (rule.id < 10) insert(top, rule);
    else if (rule.ifSid.length > 0) for (const sid of rule.ifSid) addUnderSid(top, sid, rule);
    else if (rule.ifLevel !== null) {
      const level = rule.ifLevel * 100;
      addUnderMatching(top, (r) => loadLevel(r) >= level, rule);
    } else if (rule.ifGroup !== null) {
      const wm = compileWordMatch(rule.ifGroup);
      addUnderMatching(top, (r) => wm.test(r.groupString), rule);
    } else {
      const root = top.find((n) => n.rule.category === rule.category);
      if (root) insert(root.children, rule);
    }
    if (rule.ifMatchedSid === null && rule.ifMatchedGroup !== null) mark(top, rule, feeds);
  }
  return feeds;
}

/** OS_MarkGroup: every node, depth first. */
function mark(list: Node[], correlating: CompiledRule, feeds: Map<number, number[]>): void {
  for (const n of list) {
    if (correlating.ifMatchedGroup!.test(n.rule.groupString)) {
      let l = feeds.get(n.rule.id);
      if (!l) feeds.set(n.rule.id, (l = []));
      l.push(correlating.id);
    }
    if (n.children.length > 0) mark(n.children, correlating, feeds);
  }
}
