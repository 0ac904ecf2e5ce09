/**
 * Reader for `etc/ossec.conf`: the parts the analysis engine needs.
 *
 * - Every top-level `<ossec_config>` block is read, in order (a file may have several;
 *   os_xml comments, e.g. a commented-out `<include>`, are simply not there).
 * - `<rules>` (OSSEC) and `<ruleset>` (Wazuh) blocks: `<include>`/`<rule>` (a rule file),
 *   `<rule_dir>`, `<decoder>`, `<decoder_dir>` (both with an optional `pattern` attribute,
 *   an OS_Regex on the file name, default `.xml$`), `<list>`, `<rule_exclude>`,
 *   `<decoder_exclude>` — returned as one ordered list. Directory expansion, exclusion and
 *   the implicit `etc/decoder.xml` are the caller's business (no file I/O here).
 * - `<alerts>`: `log_alert_level` (default 1) and `email_alert_level` (default 7), the
 *   analysisd defaults; values must be unsigned integers, as OSSEC's OS_StrIsNum demands.
 * - `<global>`: every child kept as raw (trimmed) strings, plus a few typed settings.
 *
 * Values are trimmed (OSSEC uses the raw text; surrounding whitespace there would only make
 * a file name unusable). os_xml variables are not applied: OSSEC's ReadConfig does not.
 * Other sections (syscheck, localfile, ...) are ignored; a top-level element other than
 * `<ossec_config>` / `<agent_config>` is an error, as in OSSEC.
 */
import { RulesetError } from './errors';
import { parseXml, XmlElement } from './xml';

export type RulesEntryKind =
  | 'include' // <include> or <rule>: one rule file
  | 'rule_dir'
  | 'decoder'
  | 'decoder_dir'
  | 'list'
  | 'rule_exclude'
  | 'decoder_exclude';

export interface RulesEntry {
  kind: RulesEntryKind;
  /** Element name as written (`include` and `rule` both give kind 'include'). */
  element: string;
  /** Trimmed text: a file or directory name. */
  value: string;
  /** `pattern` attribute of `<rule_dir>` / `<decoder_dir>`, if given. */
  pattern?: string;
  attributes: Record<string, string>;
  line: number;
}

export interface OssecGlobal {
  /** `<email_notification>` yes/no (default false). */
  emailNotification: boolean;
  /** `<logall>` yes/no (default false). */
  logAll: boolean;
  /** `<jsonout_output>` yes/no (default false). */
  jsonoutOutput: boolean;
  /** `<alerts_log>` yes/no (default true). */
  alertsLog: boolean;
  /** `<memory_size>` (default 1024, minimum 64 as analysisd enforces). */
  memorySize: number;
  /** `<white_list>` entries (IP / network), in order. */
  whiteList: string[];
  /** Every `<global>` child: name -> trimmed values in order (repeated elements accumulate). */
  settings: Record<string, string[]>;
}

export interface OssecAlerts {
  /** Minimum level for an alert to be logged (default 1). */
  logAlertLevel: number;
  /** Minimum level for an e-mail (default 7). */
  emailAlertLevel: number;
}

export interface OssecConf {
  file: string;
  /** All `<rules>` / `<ruleset>` entries of all `<ossec_config>` blocks, in order. */
  rules: RulesEntry[];
  alerts: OssecAlerts;
  global: OssecGlobal;
}

const RULES_ELEMENTS: Record<string, RulesEntryKind> = {
  include: 'include',
  rule: 'include',
  rule_dir: 'rule_dir',
  decoder: 'decoder',
  decoder_dir: 'decoder_dir',
  list: 'list',
  rule_exclude: 'rule_exclude',
  decoder_exclude: 'decoder_exclude',
};

function yesNo(el: XmlElement, value: string, file: string): boolean {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw new RulesetError(file, el.line, el.name, `expected yes or no, found ${JSON.stringify(value)}`);
}

function unsigned(el: XmlElement, value: string, file: string): number {
  if (!/^[0-9]+$/.test(value)) {
    throw new RulesetError(file, el.line, el.name, `expected a non-negative integer, found ${JSON.stringify(value)}`);
  }
  return parseInt(value, 10);
}

/** Parse the text of an ossec.conf. Throws {@link RulesetError} on malformed input. */
export function parseOssecConf(text: string, file: string): OssecConf {
  const conf: OssecConf = {
    file,
    rules: [],
    alerts: { logAlertLevel: 1, emailAlertLevel: 7 },
    global: {
      emailNotification: false,
      logAll: false,
      jsonoutOutput: false,
      alertsLog: true,
      memorySize: 1024,
      whiteList: [],
      settings: {},
    },
  };

  for (const top of parseXml(text, file, { variables: false })) {
    if (top.name === 'agent_config') continue; // agent-side configuration (agent.conf)
    if (top.name !== 'ossec_config') {
      throw new RulesetError(file, top.line, top.name, 'unexpected top-level element (expected <ossec_config>)');
    }
    for (const section of top.children) {
      switch (section.name) {
        case 'rules':
        case 'ruleset':
          readRules(section, conf, file);
          break;
        case 'alerts':
          readAlerts(section, conf, file);
          break;
        case 'global':
          readGlobal(section, conf, file);
          break;
        default:
          break; // not the analysis engine's concern
      }
    }
  }
  if (conf.global.memorySize < 64) conf.global.memorySize = 64;
  return conf;
}

function readRules(section: XmlElement, conf: OssecConf, file: string): void {
  for (const el of section.children) {
    const kind = Object.prototype.hasOwnProperty.call(RULES_ELEMENTS, el.name) ? RULES_ELEMENTS[el.name] : undefined;
    if (kind === undefined) {
      throw new RulesetError(file, el.line, el.name, `unknown element in <${section.name}>`);
    }
    const value = el.text.trim();
    if (value === '') throw new RulesetError(file, el.line, el.name, 'empty value');
    const entry: RulesEntry = { kind, element: el.name, value, attributes: el.attributes, line: el.line };
    if (kind === 'rule_dir' || kind === 'decoder_dir') {
      for (const [k, v] of Object.entries(el.attributes)) {
        if (k.toLowerCase() === 'pattern') entry.pattern = v;
      }
    }
    conf.rules.push(entry);
  }
}

function readAlerts(section: XmlElement, conf: OssecConf, file: string): void {
  for (const el of section.children) {
    const value = el.text.trim();
    if (el.name === 'log_alert_level') conf.alerts.logAlertLevel = unsigned(el, value, file);
    else if (el.name === 'email_alert_level') conf.alerts.emailAlertLevel = unsigned(el, value, file);
  }
}

function readGlobal(section: XmlElement, conf: OssecConf, file: string): void {
  const g = conf.global;
  for (const el of section.children) {
    const value = el.text.trim();
    const list = Object.prototype.hasOwnProperty.call(g.settings, el.name) ? g.settings[el.name] : undefined;
    if (list) list.push(value);
    else Object.defineProperty(g.settings, el.name, { value: [value], enumerable: true, writable: true, configurable: true });
    switch (el.name) {
      case 'email_notification':
        g.emailNotification = yesNo(el, value, file);
        break;
      case 'logall':
        g.logAll = yesNo(el, value, file);
        break;
      case 'jsonout_output':
        g.jsonoutOutput = yesNo(el, value, file);
        break;
      case 'alerts_log':
        g.alertsLog = yesNo(el, value, file);
        break;
      case 'memory_size':
        g.memorySize = unsigned(el, value, file);
        break;
      case 'white_list':
        g.whiteList.push(value);
        break;
      default:
        break;
    }
  }
}
