/**
 * Compiles OSSEC/Wazuh `<rule>` blocks into the rule tree, once, at load time.
 *
 * Tree building follows OSSEC's rules_list.c: ids below 10 are the category roots;
 * every other rule becomes a child of each parent named by if_sid, of every earlier
 * rule whose groups contain if_group, of every earlier rule with level >= if_level,
 * or else of the root of its category. Siblings are ordered by level, highest first,
 * with level-0 (ignore) rules ahead of all; ties keep load order.
 */
import type { XmlElement } from '../ruleset/xml';
import { WAZUH_EXTRA_DATA, type LogEvent } from '../event';
import { compileOsMatch, compileWordMatch, type Pattern } from '../patterns';
import { compileElementPattern, fail, isNegated, parseIntStrict, splitList, truncate, type Dialect } from './elements';
import { compileIpList, type IpList } from './iplist';
import { compileTimeRange, compileWeekdays } from './timematch';

export interface RuleCheckContext {
  /** Looks up CDB list values; returns undefined when the key is absent. */
  listLookup(path: string, key: string): string | undefined;
}

/** One condition of a rule; returns false to reject the event. */
export type FieldCheck = (ev: LogEvent) => boolean;

export interface ListCheck {
  field: string;
  path: string;
  lookup: 'match_key' | 'not_match_key' | 'match_key_value' | 'address_match_key' | 'not_address_match_key' | 'address_match_key_value';
  checkValue: Pattern | null;
}

export interface SameOrDifferent {
  field: string;
  same: boolean;
  /** Reads the field from an event (compiled once; static fields avoid the name switch). */
  get: (ev: LogEvent) => string | null;
}

export interface RuleInfoRef { type: string; value: string }

export interface CompiledRule {
  id: number;
  level: number;
  description: string;
  /** OSSEC's group string, e.g. `syslog,sshd,authentication_failed,`. */
  groupString: string;
  groups: string[];
  file: string;
  line: number;

  // tree
  ifSid: number[];
  ifGroup: string | null;
  ifLevel: number | null;
  category: string | null;
  children: CompiledRule[];
  /**
   * Children narrowed by the event's decoder (built after loading when many children use
   * decoded_as): the children a given decoder can reach, in tree order; `genericChildren`
   * are the ones without decoded_as, for events of any other decoder.
   */
  childrenByDecoder: Map<string, CompiledRule[]> | null;
  genericChildren: CompiledRule[];
  /** Insertion order, for stable sibling sorting. */
  order: number;

  // conditions
  decodedAs: string | null;
  /** Pure checks on the event, all of which must pass (no state), cheapest first (see CHECK_ORDER). */
  checks: FieldCheck[];
  /**
   * What each of `checks` reads: the one event field its answer depends on alone (a name for
   * fieldReader), or null (the log, the time, several fields).
   */
  checkReads: (string | null)[];
  /** The patterns `checks` must find in the log (`<match>`, `<regex>`, `<pcre2>`, not negated). */
  logPatterns: Pattern[];
  /** Per check: the log pattern it tests (one of logPatterns), or null. */
  checkPatterns: (Pattern | null)[];
  maxsize: number;
  compiledRule: string | null;
  checkDiff: boolean;
  ifFts: boolean;
  lists: ListCheck[];

  // correlation
  /** Its firings go on an if_matched_sid list (set with the ruleset, see ruleset.ts). */
  feedsSid: boolean;
  /** The if_matched_group rules its firings are filed for (ruleset.feedsGroups), or null. */
  feedsGroups: number[] | null;
  frequency: number;
  /** True when the rule correlates earlier events (if_matched_sid / if_matched_group). */
  correlates: boolean;
  timeframe: number;
  ifMatchedSid: number | null;
  ifMatchedGroup: Pattern | null;
  ifMatchedGroupText: string | null;
  correlate: SameOrDifferent[];
  globalFrequency: boolean;
  ignoreTime: number;
  ignoreFields: string[];
  checkIfIgnored: string[];

  // alert shaping
  noalert: boolean;
  /** Wazuh: an if_sid token that is not a rule id (the loader warns 7618 and drops the rule). */
  invalidIfSid?: string;
  options: Set<string>;
  /** `<options>no_log</options>`. */
  noLog: boolean;
  info: RuleInfoRef[];
  mitre: string[];
  /** True when the description has `$(field)` placeholders. */
  dynamicDescription: boolean;
}

/** Static correlation options and the event field each compares. */
const SAME_ELEMENTS: Record<string, string> = {
  same_source_ip: 'srcip', same_srcip: 'srcip', same_dstip: 'dstip', same_srcport: 'srcport', same_dstport: 'dstport',
  same_protocol: 'protocol', same_action: 'action', same_id: 'id', same_url: 'url', same_data: 'data',
  same_extra_data: 'data', same_status: 'status', same_system_name: 'system_name', same_srcuser: 'srcuser',
  same_user: 'dstuser', same_dstuser: 'dstuser', same_location: 'location', same_srcgeoip: 'srcgeoip', same_dstgeoip: 'dstgeoip',
};
const DIFFERENT_ELEMENTS: Record<string, string> = {
  different_url: 'url', different_srcip: 'srcip', different_dstip: 'dstip', different_srcport: 'srcport',
  different_dstport: 'dstport', different_protocol: 'protocol', different_action: 'action', different_id: 'id',
  different_data: 'data', different_extra_data: 'data', different_status: 'status', different_system_name: 'system_name',
  different_srcuser: 'srcuser', different_user: 'dstuser', different_location: 'location', different_srcgeoip: 'srcgeoip',
  different_dstgeoip: 'dstgeoip',
  // Wazuh's spellings (rules.c xml_different_srcport / xml_different_dstport).
  different_src_port: 'srcport', different_dst_port: 'dstport',
};

/** Rule elements matching one event field, with their default dialect. */
const FIELD_ELEMENTS: Record<string, { field: string; dialect: Dialect }> = {
  program_name: { field: 'programName', dialect: 'osmatch' },
  id: { field: 'id', dialect: 'osmatch' },
  system_name: { field: 'system_name', dialect: 'osmatch' },
  protocol: { field: 'protocol', dialect: 'osmatch' },
  action: { field: 'action', dialect: 'string' },
  url: { field: 'url', dialect: 'osmatch' },
  location: { field: 'location', dialect: 'osmatch' },
  srcport: { field: 'srcport', dialect: 'osmatch' },
  dstport: { field: 'dstport', dialect: 'osmatch' },
  user: { field: 'user', dialect: 'osmatch' },
  data: { field: 'data', dialect: 'osmatch' },
  extra_data: { field: 'data', dialect: 'osmatch' },
  hostname: { field: 'hostname', dialect: 'osmatch' },
  status: { field: 'status', dialect: 'osmatch' },
  srcgeoip: { field: 'srcgeoip', dialect: 'osmatch' },
  dstgeoip: { field: 'dstgeoip', dialect: 'osmatch' },
};

/**
 * The order a rule's pure checks run in: cheapest first. OSSEC tests them in another order
 * (program_name, id, system_name, protocol, match, regex, action, url, ...; rules.c
 * OS_CheckIfRuleMatch), but they are ANDed and none has an effect, so any order gives its answer;
 * the first failure saves the rest. Patterns on short header or decoded fields come first, then
 * address lists and the clock, then fields that may be long, and last the log itself.
 */
const CHECK_ORDER = [
  'program_name', 'hostname', 'id', 'system_name', 'protocol', 'action', 'srcport', 'dstport', 'status', 'user',
  'location', 'srcip', 'dstip', 'weekday', 'time', 'url', 'data', 'extra_data', 'srcgeoip', 'dstgeoip', 'field',
  'match', 'regex',
];
const CHECK_RANK = new Map(CHECK_ORDER.map((n, i) => [n, i]));

const KNOWN_OPTIONS = new Set(['alert_by_email', 'no_email_alert', 'log_alert', 'no_log', 'no_ar', 'no_full_log', 'no_counter']);

export interface RuleDialect {
  pcre2Caseless: boolean;
  defaultTimeframe: number;
  /**
   * Wazuh's loader: a duplicate rule id, an invalid or unknown if_sid, an overwrite of a
   * missing rule are warnings (with Wazuh's numbers) instead of errors.
   */
  wazuh?: boolean;
  /** Receives Wazuh-style loader warnings (`file:line: (7612): ...`). */
  warn?: (message: string) => void;
  /**
   * A rule whose <if_sid> names itself: OSSEC refuses the ruleset (the rule is not in its tree
   * yet, rules_list.c OS_AddChild: "Signature ID not found"); Wazuh warns and ignores that id.
   * Default `refuse`.
   */
  selfReference?: 'refuse' | 'drop';
}

interface PendingCheck { rank: number; check: FieldCheck; reads: string | null; pattern?: Pattern }

/** A rule being compiled: what its element handlers fill in. */
interface RuleBuild {
  rule: CompiledRule;
  dialect: RuleDialect;
  /** Checks not built from patterns (<field>, <time>, <weekday>), with their rank in CHECK_ORDER. */
  pending: PendingCheck[];
  /** Same-named pattern elements are concatenated before compiling, as OSSEC does. */
  patterns: Map<string, { el: XmlElement; text: string; dialect: Dialect }>;
}

function addPattern(b: RuleBuild, key: string, c: XmlElement, dialectFor: Dialect): void {
  const prev = b.patterns.get(key);
  if (prev) {
    prev.text += key === 'srcip' || key === 'dstip' ? `,${c.text}` : c.text;
    // Wazuh: the last element's type= and negate= apply to the joined pattern.
    prev.el = c;
  } else b.patterns.set(key, { el: c, text: c.text, dialect: dialectFor });
}

const pushCheck = (b: RuleBuild, element: string, check: FieldCheck, reads: string | null) => b.pending.push({ rank: CHECK_RANK.get(element)!, check, reads });

/** What each rule element does to the rule (the pattern elements of FIELD_ELEMENTS aside). */
const ELEMENTS = new Map<string, (c: XmlElement, b: RuleBuild) => void>(Object.entries({
  if_sid(c: XmlElement, { rule, dialect }: RuleBuild) {
    for (const s of splitList(c.text)) {
      if (!/^\d+$/.test(s)) {
        if (dialect.wazuh) { rule.invalidIfSid = s; return; }
        fail(c, `if_sid must list rule ids, got '${truncate(s)}'`);
      }
      rule.ifSid.push(Number(s));
    }
  },
  if_group(c: XmlElement, { rule }: RuleBuild) { rule.ifGroup = c.text.trim(); },
  if_level(c: XmlElement, { rule }: RuleBuild) { rule.ifLevel = parseIntStrict(c, c.text, 'if_level', 1, 16); },
  if_matched_sid(c: XmlElement, { rule }: RuleBuild) { rule.ifMatchedSid = parseIntStrict(c, c.text, 'if_matched_sid', 1, 999999999); },
  if_matched_group(c: XmlElement, { rule, dialect }: RuleBuild) {
    rule.ifMatchedGroupText = c.text.trim();
    rule.ifMatchedGroup = compileElementPattern(c, c.text.trim(), 'osmatch', { wazuh: dialect.wazuh });
  },
  if_matched_regex(c: XmlElement, b: RuleBuild) { addPattern(b, 'if_matched_regex', c, 'osregex'); },
  if_fts(_c: XmlElement, { rule }: RuleBuild) { rule.ifFts = true; },
  decoded_as(c: XmlElement, { rule }: RuleBuild) { rule.decodedAs = c.text.trim(); },
  category(c: XmlElement, { rule }: RuleBuild) { rule.category = c.text.trim().toLowerCase(); },
  match(c: XmlElement, b: RuleBuild) { addPattern(b, 'match', c, 'osmatch'); },
  regex(c: XmlElement, b: RuleBuild) { addPattern(b, 'regex', c, 'osregex'); },
  pcre2(c: XmlElement, b: RuleBuild) { addPattern(b, 'regex', c, 'pcre2'); },
  srcip(c: XmlElement, b: RuleBuild) { addPattern(b, 'srcip', c, 'string'); },
  dstip(c: XmlElement, b: RuleBuild) { addPattern(b, 'dstip', c, 'string'); },
  field(c: XmlElement, b: RuleBuild) {
    const fname = c.attributes.name;
    if (!fname) fail(c, '<field> needs a name attribute');
    const p = compileElementPattern(c, c.text, 'osregex', { wazuh: b.dialect.wazuh });
    const negate = isNegated(c);
    const read = readerByName(fname);
    pushCheck(b, 'field', (ev) => {
      const v = read(ev);
      if (v === null) return false;
      return p.test(v) !== negate;
    }, `field:${fname}`);
  },
  list(c: XmlElement, { rule }: RuleBuild) {
    const field = c.attributes.field;
    if (!field) fail(c, '<list> needs a field attribute');
    const lookup = (c.attributes.lookup ?? 'match_key') as ListCheck['lookup'];
    const valid = ['match_key', 'not_match_key', 'match_key_value', 'address_match_key', 'not_address_match_key', 'address_match_key_value'];
    if (!valid.includes(lookup)) fail(c, `invalid lookup="${lookup}" (expected one of ${valid.join(', ')})`);
    const cv = c.attributes.check_value;
    rule.lists.push({ field, path: c.text.trim(), lookup, checkValue: cv ? compileOsMatch(cv) : null });
  },
  time(c: XmlElement, b: RuleBuild) {
    let check: (ev: LogEvent) => boolean;
    try { check = compileTimeRange(c.text); } catch (e) { fail(c, (e as Error).message); }
    pushCheck(b, 'time', check, null);
  },
  weekday(c: XmlElement, b: RuleBuild) {
    let check: (ev: LogEvent) => boolean;
    try { check = compileWeekdays(c.text); } catch (e) { fail(c, (e as Error).message); }
    pushCheck(b, 'weekday', check, null);
  },
  // Wazuh compares its own extra_data field; OSSEC's extra_data is data.
  same_extra_data(_c: XmlElement, { rule, dialect }: RuleBuild) { rule.correlate.push(sameOrDifferent(dialect.wazuh ? WAZUH_EXTRA_DATA : 'data', true)); },
  different_extra_data(_c: XmlElement, { rule, dialect }: RuleBuild) { rule.correlate.push(sameOrDifferent(dialect.wazuh ? WAZUH_EXTRA_DATA : 'data', false)); },
  same_field(c: XmlElement, { rule }: RuleBuild) { rule.correlate.push(sameOrDifferent(c.text.trim(), true)); },
  not_same_field(c: XmlElement, { rule }: RuleBuild) { rule.correlate.push(sameOrDifferent(c.text.trim(), false)); },
  different_field(c: XmlElement, { rule }: RuleBuild) { rule.correlate.push(sameOrDifferent(c.text.trim(), false)); },
  global_frequency(_c: XmlElement, { rule }: RuleBuild) { rule.globalFrequency = true; },
  check_diff(_c: XmlElement, { rule }: RuleBuild) { rule.checkDiff = true; },
  check_if_ignored(c: XmlElement, { rule }: RuleBuild) { rule.checkIfIgnored = splitList(c.text).map(normalizeField); },
  ignore(c: XmlElement, { rule }: RuleBuild) { rule.ignoreFields = splitList(c.text).map(normalizeField); },
  compiled_rule(c: XmlElement, { rule }: RuleBuild) {
    const n = c.text.trim();
    if (n !== 'is_simple_http_request' && n !== 'is_valid_crawler') fail(c, `unknown compiled rule '${n}' (known: is_simple_http_request, is_valid_crawler)`);
    rule.compiledRule = n;
  },
  options(c: XmlElement, { rule }: RuleBuild) {
    for (const o of splitList(c.text)) {
      if (!KNOWN_OPTIONS.has(o)) fail(c, `unknown option '${o}' (known: ${[...KNOWN_OPTIONS].join(', ')})`);
      rule.options.add(o);
    }
  },
  description(c: XmlElement, { rule }: RuleBuild) { rule.description += c.text; },
  group(c: XmlElement, { rule }: RuleBuild) { rule.groupString += c.text; },
  info(c: XmlElement, { rule }: RuleBuild) { rule.info.push({ type: c.attributes.type ?? 'text', value: c.text.trim() }); },
  cve(c: XmlElement, { rule }: RuleBuild) { rule.info.push({ type: 'cve', value: c.text.trim() }); },
  mitre(c: XmlElement, { rule }: RuleBuild) {
    for (const m of c.children) {
      if (m.name === 'id' || m.name === 'techniqueID') rule.mitre.push(m.text.trim());
      else if (m.name !== 'tacticID') fail(m, `unknown <mitre> element <${m.name}> (expected <id>)`);
    }
  },
  username() { /* accepted and unused, as in OSSEC */ },
  var() { /* accepted and unused, as in OSSEC */ },
}));

export function compileRule(el: XmlElement, groupAttr: string, order: number, dialect: RuleDialect): CompiledRule {
  const rule = ruleFromAttributes(el, groupAttr, order, dialect);
  const b: RuleBuild = { rule, dialect, pending: [], patterns: new Map() };
  for (const c of el.children) compileElement(c, b);
  for (const [key, { el: pel, text, dialect: d }] of b.patterns) {
    if (key === 'if_matched_regex') continue; // accepted by the parser, as in OSSEC; unused by rulesets
    const before = rule.logPatterns.length;
    const check = patternCheck(key, pel, text, d, dialect, rule);
    const pattern = rule.logPatterns.length > before ? rule.logPatterns[before] : undefined;
    b.pending.push({ rank: CHECK_RANK.get(key)!, check, reads: patternReads(key, dialect), pattern });
  }
  b.pending.sort((x, y) => x.rank - y.rank);
  rule.checks = b.pending.map((p) => p.check);
  rule.checkReads = b.pending.map((p) => p.reads);
  rule.checkPatterns = b.pending.map((p) => p.pattern ?? null);
  return finishRule(el, rule);
}

/** The rule with its attributes read (id, level, frequency, timeframe, ignore, maxsize, noalert). */
function ruleFromAttributes(el: XmlElement, groupAttr: string, order: number, dialect: RuleDialect): CompiledRule {
  const a = el.attributes;
  if (a.id === undefined) fail(el, 'missing id attribute');
  if (a.level === undefined) fail(el, 'missing level attribute');
  const id = parseIntStrict(el, a.id, 'rule id', 0, 999999999);
  const level = parseIntStrict(el, a.level, 'level', 0, 16);
  const frequency = a.frequency !== undefined ? parseIntStrict(el, a.frequency, 'frequency', 0, 9999) : 0;
  const timeframe = a.timeframe !== undefined ? parseIntStrict(el, a.timeframe, 'timeframe', 1, 99999999) : dialect.defaultTimeframe;
  const ignoreTime = a.ignore !== undefined ? parseIntStrict(el, a.ignore, 'ignore', 0, 99999999) : 0;
  const maxsize = a.maxsize !== undefined ? parseIntStrict(el, a.maxsize, 'maxsize', 1, 99999999) : 0;
  // OSSEC: the attribute's presence; Wazuh reads its value ("1" on, "0" off).
  const noalert = dialect.wazuh ? a.noalert === '1' : a.noalert !== undefined;
  return {
    id, level, description: '', groupString: groupAttr, groups: [], file: el.file, line: el.line,
    ifSid: [], ifGroup: null, ifLevel: null, category: null, children: [], childrenByDecoder: null, genericChildren: [], order,
    decodedAs: null, checks: [], checkReads: [], logPatterns: [], checkPatterns: [], maxsize, compiledRule: null, checkDiff: false, ifFts: false, lists: [],
    feedsSid: false, feedsGroups: null, frequency, correlates: false, timeframe, ifMatchedSid: null, ifMatchedGroup: null, ifMatchedGroupText: null, correlate: [],
    globalFrequency: false, ignoreTime, ignoreFields: [], checkIfIgnored: [],
    noalert, options: new Set(), noLog: false, info: [], mitre: [], dynamicDescription: false,
  };
}

function compileElement(c: XmlElement, b: RuleBuild): void {
  const name = c.name;
  if (name.endsWith('_pcre2') && name !== 'prematch_pcre2') {
    const base = name.slice(0, -'_pcre2'.length);
    if (base === 'match' || FIELD_ELEMENTS[base]) { addPattern(b, base, c, 'pcre2'); return; }
  }
  if (FIELD_ELEMENTS[name]) { addPattern(b, name, c, FIELD_ELEMENTS[name].dialect); return; }
  const handler = ELEMENTS.get(name);
  if (handler) { handler(c, b); return; }
  if (SAME_ELEMENTS[name] !== undefined) { b.rule.correlate.push(sameOrDifferent(SAME_ELEMENTS[name], true)); return; }
  if (DIFFERENT_ELEMENTS[name] !== undefined) { b.rule.correlate.push(sameOrDifferent(DIFFERENT_ELEMENTS[name], false)); return; }
  fail(c, `unknown rule element <${name}>`);
}

/** What LogEvent.getField answers for its fixed names, read by property (no name switch per event). */
const NAMED_READERS: Readonly<Record<string, (ev: LogEvent) => string | null>> = {
  srcip: (ev) => ev.srcip, dstip: (ev) => ev.dstip, srcport: (ev) => ev.srcport, dstport: (ev) => ev.dstport,
  protocol: (ev) => ev.protocol, action: (ev) => ev.action, id: (ev) => ev.id, url: (ev) => ev.url,
  data: (ev) => ev.data, extra_data: (ev) => ev.data, status: (ev) => ev.status, system_name: (ev) => ev.system_name,
  srcuser: (ev) => ev.srcuser, dstuser: (ev) => ev.dstuser, user: (ev) => ev.dstuser ?? ev.srcuser,
  hostname: (ev) => ev.hostname, program_name: (ev) => ev.programName, location: (ev) => ev.location,
  full_log: (ev) => ev.fullLog, log: (ev) => ev.log, decoder: (ev) => ev.decoderName, decoded_as: (ev) => ev.decoderName,
  [WAZUH_EXTRA_DATA]: (ev) => ev.extraData,
};

/** Reads what `ev.getField(name)` answers: by property for fixed names, else through getField (dynamic fields). */
export function readerByName(name: string): (ev: LogEvent) => string | null {
  return Object.hasOwn(NAMED_READERS, name) ? NAMED_READERS[name] : (ev) => ev.getField(name);
}

/** The field a pattern element's check reads (see fieldReader), null for the log. */
function patternReads(key: string, dialect: RuleDialect): string | null {
  if (key === 'srcip' || key === 'dstip') return key;
  if (key === 'match' || key === 'regex') return null;
  if (key === 'extra_data' && dialect.wazuh) return 'extraData';
  const field = FIELD_ELEMENTS[key].field;
  if (field === 'srcgeoip' || field === 'dstgeoip') return `field:${field}`;
  return field;
}

/** Reads the value a check with `reads` depends on (as that check reads it), by property where it can. */
export function fieldReader(reads: string): (ev: LogEvent) => string | null {
  if (reads.startsWith('field:')) return readerByName(reads.slice('field:'.length));
  if (reads === 'programName') return NAMED_READERS.program_name;
  if (reads === 'extraData') return NAMED_READERS[WAZUH_EXTRA_DATA];
  // the other property names are getField's names for the same values (srcip, id, user, ...)
  return readerByName(reads);
}

/** The check of a (joined) pattern element: an address list, the log, or one event field. */
function patternCheck(key: string, pel: XmlElement, text: string, d: Dialect, dialect: RuleDialect, rule: CompiledRule): FieldCheck {
  const negate = isNegated(pel);
  if (key === 'srcip' || key === 'dstip') {
    // Several <srcip> elements make one list, as in OSSEC.
    let list: IpList;
    try { list = compileIpList(text); } catch (e) { fail(pel, (e as Error).message); }
    const f = key;
    return (ev) => {
      const v = ev[f];
      return v !== null && list.contains(v) !== negate;
    };
  }
  const p = compileElementPattern(pel, text, d, { pcre2Caseless: dialect.pcre2Caseless, wazuh: dialect.wazuh });
  if (key === 'match' || key === 'regex') {
    if (negate) return (ev) => !p.test(ev.log);
    rule.logPatterns.push(p);
    return (ev) => p.test(ev.log);
  }
  const field = FIELD_ELEMENTS[key].field;
  if (key === 'extra_data' && dialect.wazuh) {
    return (ev) => {
      const v = ev.extraData;
      return v !== null && p.test(v) !== negate;
    };
  }
  if (field === 'user') {
    return (ev) => {
      const v = ev.dstuser ?? ev.srcuser;
      return v !== null && p.test(v) !== negate;
    };
  }
  if (field === 'srcgeoip' || field === 'dstgeoip') {
    return (ev) => {
      const v = ev.getField(field);
      return v !== null && p.test(v) !== negate;
    };
  }
  const f = field as 'id' | 'programName' | 'system_name' | 'protocol' | 'action' | 'url' | 'location' | 'srcport' | 'dstport' | 'data' | 'hostname' | 'status';
  return (ev) => {
    const v = ev[f];
    return v !== null && p.test(v) !== negate;
  };
}

/** Groups, description, and what correlation implies for the tree. */
function finishRule(el: XmlElement, rule: CompiledRule): CompiledRule {
  rule.groups = rule.groupString.split(',').map((g) => g.trim()).filter((g) => g.length > 0);
  rule.description = rule.description.trim();
  rule.dynamicDescription = rule.description.includes('$(');
  rule.noLog = rule.options.has('no_log');

  if (rule.frequency > 0 && rule.ifMatchedSid === null && rule.ifMatchedGroup === null) {
    fail(el, `rule ${rule.id} has frequency but neither <if_matched_sid> nor <if_matched_group>`);
  }
  rule.correlates = rule.ifMatchedSid !== null || rule.ifMatchedGroup !== null;
  // A correlation rule is a child of what it correlates, unless told otherwise.
  if (rule.ifMatchedSid !== null && rule.ifSid.length === 0 && rule.ifGroup === null && rule.ifLevel === null) {
    rule.ifSid = [rule.ifMatchedSid];
  }
  if (rule.ifMatchedGroupText !== null && rule.ifSid.length === 0 && rule.ifGroup === null && rule.ifLevel === null) {
    rule.ifGroup = rule.ifMatchedGroupText;
  }
  return rule;
}

function sameOrDifferent(field: string, same: boolean): SameOrDifferent {
  return { field, same, get: readerByName(field) };
}

function normalizeField(f: string): string {
  const l = f.toLowerCase();
  if (l === 'user') return 'dstuser';
  if (l === 'extra_data') return 'data';
  return l;
}

/** Builds the tree in load order. */
export class RuleTreeBuilder {
  readonly roots: CompiledRule[] = [];
  readonly byId = new Map<number, CompiledRule>();
  private readonly all: CompiledRule[] = [];
  private count = 0;
  /** What was accepted with a warning (e.g. a self-reference the dialect drops). */
  readonly warnings: string[] = [];

  constructor(private readonly dialect: RuleDialect) {}

  addFile(elements: XmlElement[]): void {
    for (const el of elements) {
      if (el.name === 'group') {
        const groupAttr = el.attributes.name ?? '';
        for (const c of el.children) {
          if (c.name === 'rule') this.add(c, groupAttr);
          else fail(c, `unexpected element <${c.name}> inside <group> (expected <rule>)`);
        }
      } else if (el.name === 'var') continue;
      else if (el.name === 'rule') this.add(el, '');
      else fail(el, `unexpected element <${el.name}> in a rule file (expected <group>)`);
    }
  }

  private warn(el: XmlElement, message: string): void {
    this.dialect.warn?.(`${el.file}:${el.line}: ${message}`);
  }

  add(el: XmlElement, groupAttr: string): void {
    const rule = compileRule(el, groupAttr, this.count++, this.dialect);
    const wazuh = this.dialect.wazuh === true;
    if (rule.invalidIfSid !== undefined) {
      this.warn(el, `(7618): Invalid 'if_sid' value: '${rule.invalidIfSid}'. Rule '${rule.id}' will be ignored.`);
      return;
    }
    const existing = this.byId.get(rule.id);
    const overwrite = (el.attributes.overwrite ?? '').toLowerCase() === 'yes';
    if (existing) {
      if (!overwrite) {
        if (wazuh) {
          this.warn(el, `(7612): Rule ID '${rule.id}' is duplicated. Only the first occurrence will be considered.`);
          return;
        }
        fail(el, `duplicate rule id ${rule.id} (first defined at ${existing.file}:${existing.line}); use overwrite="yes" to replace it`);
      }
      overwriteRule(existing, rule, wazuh);
      return;
    }
    if (overwrite) {
      if (!wazuh) fail(el, `overwrite="yes" but no rule ${rule.id} was loaded before`);
      this.warn(el, `(7613): Rule ID '${rule.id}' does not exist but 'overwrite' is set to 'yes'. Still, the rule will be loaded.`);
    }
    if (wazuh && rule.ifSid.length > 0) {
      const found = rule.ifSid.filter((sid) => {
        if (this.byId.has(sid)) return true;
        this.warn(el, `(7617): Signature ID '${sid}' was not found and will be ignored in the 'if_sid' option of rule '${rule.id}'.`);
        return false;
      });
      if (found.length === 0) return; // attached nowhere: never evaluated
      rule.ifSid = found;
    }
    this.byId.set(rule.id, rule);
    this.all.push(rule);
    if (rule.id < 10) {
      insertSorted(this.roots, rule);
      return;
    }
    let attached = 0;
    if (rule.ifSid.includes(rule.id)) {
      if (this.dialect.selfReference !== 'drop') fail(el, `if_sid names rule ${rule.id} itself (a rule cannot be its own parent)`);
      this.warnings.push(`${el.file}:${el.line}: rule ${rule.id}: if_sid names the rule itself; that id is ignored`);
      rule.ifSid = rule.ifSid.filter((sid) => sid !== rule.id);
    }
    if (rule.ifSid.length > 0) {
      for (const sid of rule.ifSid) {
        const parent = this.byId.get(sid);
        if (!parent) fail(el, `if_sid refers to rule ${sid}, which is not loaded before rule ${rule.id}`);
        if (rule.category === null) rule.category = parent.category;
        insertSorted(parent.children, rule);
        attached++;
      }
    } else if (rule.ifLevel !== null) {
      for (const r of this.all) {
        if (r !== rule && r.level >= rule.ifLevel) { insertSorted(r.children, rule); attached++; }
      }
      if (!attached) fail(el, `if_level ${rule.ifLevel}: no rule of that level or higher is loaded before rule ${rule.id}`);
    } else if (rule.ifGroup !== null) {
      const wm = compileWordMatch(rule.ifGroup);
      for (const r of this.all) {
        if (r !== rule && wm.test(r.groupString)) { insertSorted(r.children, rule); attached++; }
      }
      if (!attached) fail(el, `if_group '${rule.ifGroup}': no rule with that group is loaded before rule ${rule.id}`);
    } else {
      const category = rule.category ?? 'syslog';
      rule.category = category;
      const root = this.roots.find((r) => r.category === category);
      if (!root) fail(el, `no root rule for category '${category}' (rules_config.xml must be loaded first)`);
      insertSorted(root.children, rule);
    }
  }
}

/** Sort key: level-0 rules first, then level descending; equal keys keep load order. */
function rank(r: CompiledRule): number {
  return r.level === 0 ? 100 : r.level;
}

function insertSorted(list: CompiledRule[], rule: CompiledRule): void {
  const k = rank(rule);
  let i = 0;
  while (i < list.length && rank(list[i]) >= k) i++;
  list.splice(i, 0, rule);
}

/**
 * `overwrite="yes"`: new conditions and text, same place in the tree. Wazuh also keeps what the
 * rule correlates (if_matched_sid / if_matched_group), as its overwrite tests require.
 */
function overwriteRule(target: CompiledRule, src: CompiledRule, wazuh: boolean): void {
  const keep = { children: target.children, childrenByDecoder: target.childrenByDecoder, genericChildren: target.genericChildren, ifSid: target.ifSid, ifGroup: target.ifGroup, ifLevel: target.ifLevel, category: target.category, order: target.order };
  const correlation = wazuh
    ? { ifMatchedSid: target.ifMatchedSid, ifMatchedGroup: target.ifMatchedGroup, ifMatchedGroupText: target.ifMatchedGroupText, correlates: target.correlates }
    : {};
  Object.assign(target, src, keep, correlation);
}

export { truncate };

/** Builds the per-decoder child lists for rules with many decoded_as children. */
export function indexChildren(rules: Iterable<CompiledRule>): void {
  for (const r of rules) {
    const kids = r.children;
    const named = new Set<string>();
    for (const k of kids) if (k.decodedAs !== null) named.add(k.decodedAs);
    if (kids.length < 8 || named.size === 0) { r.childrenByDecoder = null; continue; }
    r.genericChildren = kids.filter((k) => k.decodedAs === null);
    const byDecoder = new Map<string, CompiledRule[]>();
    for (const name of named) byDecoder.set(name, kids.filter((k) => k.decodedAs === null || k.decodedAs === name));
    r.childrenByDecoder = byDecoder;
  }
}
