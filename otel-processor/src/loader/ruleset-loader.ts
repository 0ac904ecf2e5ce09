/**
 * Reads a ruleset from disk and compiles it. Three layouts are recognised:
 * - an OSSEC install root: `etc/ossec.conf` (+ `etc/decoder.xml`, `etc/local_decoder.xml`, `rules/`),
 *   files loaded in the order ossec.conf gives;
 * - a Wazuh-style tree: `ruleset/decoders`, `ruleset/rules`, `etc/decoders`, `etc/rules`
 *   (all files sorted by basename);
 * - a Warden ruleset: `decoders/*.xml` and `rules/*.xml` (sorted by basename), optional `lists/`.
 * A `local/` folder beside them (same layout) is loaded last, so local rules survive upgrades.
 *
 * The dialect (OSSEC 4.2 or Wazuh 4.x semantics where they differ) is Wazuh for a Wazuh tree
 * and for an ossec.conf with Wazuh's `<ruleset>` block, else OSSEC, unless the caller says.
 * In the Wazuh dialect: CDB lists are read from `etc/lists` (install root) or `lists/` (a
 * Wazuh `ruleset/` folder) under the names rules use (`etc/lists/...`), `<rule_exclude>` and
 * `<decoder_exclude>` drop files by name, and tolerated problems become `warnings`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseXml, type XmlElement } from '../engine/ruleset/xml';
import { parseOssecConf } from '../engine/ruleset/ossec-conf';
import { RulesetError } from '../engine/ruleset/errors';
import { compileRuleset, type CompiledRuleset, type RulesetDialect } from '../engine/ruleset';

export interface LoadedRuleset {
  ruleset: CompiledRuleset;
  /** Files read, in load order (relative to the ruleset root). */
  decoderFiles: string[];
  ruleFiles: string[];
  logAlertLevel: number;
  layout: 'ossec' | 'wazuh' | 'warden';
  dialect: RulesetDialect;
  /** Loader warnings (Wazuh's: duplicate rule ids, invalid if_sid, ...). */
  warnings: string[];
}

export interface LoadOptions {
  extraRuleFiles?: string[];
  extraDecoderFiles?: string[];
  /** Files placed as in Wazuh's etc/rules and etc/decoders: merged with the rest in basename order. */
  etcRuleFiles?: string[];
  etcDecoderFiles?: string[];
  /** Overrides the dialect the layout implies. */
  dialect?: RulesetDialect;
  /** Edits a parsed rule file before compiling (e.g. the Wazuh test runner's rule 60000). */
  editRuleFile?: (relativePath: string, elements: XmlElement[]) => void;
}

function xmlFilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((f) => path.join(dir, f));
}

function readXml(root: string, file: string, dialect: RulesetDialect): XmlElement[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    throw new RulesetError(path.relative(root, file) || file, 0, '', `cannot read file: ${(e as Error).message}`);
  }
  return parseXml(text, path.relative(root, file) || file, { dialect });
}

/** Every list file under `dir` (recursively), keyed `prefix/<relative path>`; `.cdb` builds skipped. */
function readListTree(dir: string, prefix: string, into: Map<string, Map<string, string>>): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) readListTree(p, `${prefix}/${e.name}`, into);
    else if (e.isFile() && !e.name.endsWith('.cdb')) into.set(`${prefix}/${e.name}`, readList(p));
  }
}

/** Wazuh's order for files of several directories: by basename (a later same name replaces). */
function byBasename(files: string[]): string[] {
  const seen = new Map<string, string>();
  for (const f of files) seen.set(path.basename(f), f);
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

/** CDB list sources: `key:value` lines (the text OSSEC compiles to .cdb). */
function readList(file: string): Map<string, string> {
  const m = new Map<string, string>();
  const text = fs.readFileSync(file, 'utf8');
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const i = l.indexOf(':');
    if (i < 0) m.set(l, '');
    else m.set(l.slice(0, i).replace(/^"|"$/g, ''), l.slice(i + 1).replace(/^"|"$/g, ''));
  }
  return m;
}

export function detectLayout(root: string): 'ossec' | 'wazuh' | 'warden' {
  if (fs.existsSync(path.join(root, 'etc', 'ossec.conf'))) return 'ossec';
  if (fs.existsSync(path.join(root, 'ruleset', 'rules'))) return 'wazuh';
  return 'warden';
}

/**
 * What Wazuh's default ossec.conf `<ruleset>` block excludes (the server template in
 * wazuh/etc/templates): a Wazuh tree loaded without an ossec.conf is loaded as installed.
 */
const WAZUH_DEFAULT_RULE_EXCLUDES = ['0215-policy_rules.xml'];

export function loadRuleset(rootDir: string, opts: LoadOptions = {}): LoadedRuleset {
  const root = path.resolve(rootDir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new RulesetError(rootDir, 0, '', 'ruleset directory does not exist');
  }
  const layout = detectLayout(root);
  let decoderPaths: string[] = [];
  let rulePaths: string[] = [];
  const lists = new Map<string, Map<string, string>>();
  let logAlertLevel = 1;
  let dialect: RulesetDialect = opts.dialect ?? (layout === 'wazuh' ? 'wazuh' : 'ossec');

  if (layout === 'ossec') {
    const confFile = path.join(root, 'etc', 'ossec.conf');
    const confText = fs.readFileSync(confFile, 'latin1');
    const conf = parseOssecConf(confText, 'etc/ossec.conf');
    // Wazuh names the block <ruleset>; OSSEC <rules>.
    if (opts.dialect === undefined && /<ruleset>/.test(confText)) dialect = 'wazuh';
    logAlertLevel = conf.alerts.logAlertLevel;
    const explicitDecoders = conf.rules.filter((e) => e.kind === 'decoder').map((e) => path.resolve(root, e.value));
    const implicit = path.join(root, 'etc', 'decoder.xml');
    const hasDecoderDir = conf.rules.some((e) => e.kind === 'decoder_dir');
    // OSSEC always reads etc/decoder.xml; Wazuh only what ossec.conf names.
    decoderPaths = explicitDecoders.length > 0 ? explicitDecoders
      : (dialect === 'wazuh' || hasDecoderDir) && !fs.existsSync(implicit) ? [] : [implicit];
    const local = path.join(root, 'etc', 'local_decoder.xml');
    if (fs.existsSync(local) && !decoderPaths.includes(local)) decoderPaths.push(local);
    const dirDecoders: string[] = [];
    const dirRules: string[] = [];
    for (const e of conf.rules) {
      if (e.kind === 'decoder_dir') dirDecoders.push(...xmlFilesIn(path.resolve(root, e.value)));
      else if (e.kind === 'include') rulePaths.push(path.isAbsolute(e.value) ? e.value : path.join(root, 'rules', e.value));
      else if (e.kind === 'rule_dir') dirRules.push(...xmlFilesIn(path.resolve(root, e.value)));
      else if (e.kind === 'list') {
        const p = path.resolve(root, e.value);
        if (fs.existsSync(p)) lists.set(e.value, readList(p));
      }
    }
    decoderPaths.push(...(dialect === 'wazuh' ? byBasename(dirDecoders) : dirDecoders));
    rulePaths.push(...(dialect === 'wazuh' ? byBasename(dirRules) : dirRules));
    const excluded = (kind: 'rule_exclude' | 'decoder_exclude', files: string[]) => {
      const names = conf.rules.filter((e) => e.kind === kind).map((e) => e.value);
      return files.filter((f) => !names.some((n) => n === path.basename(f) || path.resolve(root, n) === f));
    };
    rulePaths = excluded('rule_exclude', rulePaths);
    decoderPaths = excluded('decoder_exclude', decoderPaths);
  } else if (layout === 'wazuh') {
    // etc/ overrides ruleset/ by basename
    decoderPaths = [path.join(root, 'ruleset', 'decoders'), path.join(root, 'etc', 'decoders')].flatMap(xmlFilesIn);
    rulePaths = [path.join(root, 'ruleset', 'rules'), path.join(root, 'etc', 'rules')].flatMap(xmlFilesIn);
    readListTree(path.join(root, 'etc', 'lists'), 'etc/lists', lists);
  } else {
    decoderPaths = xmlFilesIn(path.join(root, 'decoders'));
    rulePaths = xmlFilesIn(path.join(root, 'rules'));
    decoderPaths.push(...xmlFilesIn(path.join(root, 'local', 'decoders')));
    rulePaths.push(...xmlFilesIn(path.join(root, 'local', 'rules')));
    for (const dir of [path.join(root, 'lists'), path.join(root, 'local', 'lists')]) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).sort()) {
        if (fs.statSync(path.join(dir, f)).isFile()) lists.set(`lists/${f}`, readList(path.join(dir, f)));
      }
    }
    if (decoderPaths.length === 0 && rulePaths.length === 0) {
      throw new RulesetError(rootDir, 0, '', 'no decoders/ or rules/ folder with .xml files (nor etc/ossec.conf) found');
    }
    // A Wazuh ruleset/ folder: rules name its lists as installed, etc/lists/...
    if (dialect === 'wazuh') readListTree(path.join(root, 'lists'), 'etc/lists', lists);
  }
  if (dialect === 'wazuh' && layout !== 'ossec') {
    rulePaths = rulePaths.filter((f) => !WAZUH_DEFAULT_RULE_EXCLUDES.includes(path.basename(f)));
  }
  const etcDecoders = (opts.etcDecoderFiles ?? []).map((f) => path.resolve(f));
  const etcRules = (opts.etcRuleFiles ?? []).map((f) => path.resolve(f));
  if (layout === 'wazuh' || etcDecoders.length > 0) decoderPaths = byBasename([...decoderPaths, ...etcDecoders]);
  if (layout === 'wazuh' || etcRules.length > 0) rulePaths = byBasename([...rulePaths, ...etcRules]);
  decoderPaths.push(...(opts.extraDecoderFiles ?? []).map((f) => path.resolve(f)));
  rulePaths.push(...(opts.extraRuleFiles ?? []).map((f) => path.resolve(f)));

  const ruleFiles = rulePaths.map((f) => {
    const elements = readXml(root, f, dialect);
    opts.editRuleFile?.(path.relative(root, f), elements);
    return elements;
  });
  const ruleset = compileRuleset({
    dialect,
    decoderFiles: decoderPaths.map((f) => readXml(root, f, dialect)),
    ruleFiles,
    lists,
  });
  return {
    dialect,
    warnings: ruleset.warnings,
    ruleset,
    decoderFiles: decoderPaths.map((f) => path.relative(root, f)),
    ruleFiles: rulePaths.map((f) => path.relative(root, f)),
    logAlertLevel,
    layout,
  };
}
