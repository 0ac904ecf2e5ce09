/**
 * Reads a ruleset from disk and compiles it. Three layouts are recognised:
 * - an OSSEC install root: `etc/ossec.conf` (+ `etc/decoder.xml`, `etc/local_decoder.xml`, `rules/`),
 *   files loaded in the order ossec.conf gives;
 * - a Wazuh-style tree: `ruleset/decoders`, `ruleset/rules`, `etc/decoders`, `etc/rules`
 *   (all files sorted by basename);
 * - a Warden ruleset: `decoders/*.xml` and `rules/*.xml` (sorted by basename), optional `lists/`.
 * A `local/` folder beside them (same layout) is loaded last, so local rules survive upgrades.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseXml, type XmlElement } from '../engine/ruleset/xml';
import { parseOssecConf } from '../engine/ruleset/ossec-conf';
import { RulesetError } from '../engine/ruleset/errors';
import { compileRuleset, type CompiledRuleset } from '../engine/ruleset';

export interface LoadedRuleset {
  ruleset: CompiledRuleset;
  /** Files read, in load order (relative to the ruleset root). */
  decoderFiles: string[];
  ruleFiles: string[];
  logAlertLevel: number;
  layout: 'ossec' | 'wazuh' | 'warden';
}

function xmlFilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((f) => path.join(dir, f));
}

function readXml(root: string, file: string): XmlElement[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    throw new RulesetError(path.relative(root, file) || file, 0, '', `cannot read file: ${(e as Error).message}`);
  }
  return parseXml(text, path.relative(root, file) || file);
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
  if (fs.existsSync(path.join(root, 'ruleset', 'rules'))) return 'wazuh';
  if (fs.existsSync(path.join(root, 'etc', 'ossec.conf'))) return 'ossec';
  return 'warden';
}

export function loadRuleset(rootDir: string, opts: { extraRuleFiles?: string[]; extraDecoderFiles?: string[] } = {}): LoadedRuleset {
  const root = path.resolve(rootDir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new RulesetError(rootDir, 0, '', 'ruleset directory does not exist');
  }
  const layout = detectLayout(root);
  let decoderPaths: string[] = [];
  let rulePaths: string[] = [];
  const lists = new Map<string, Map<string, string>>();
  let logAlertLevel = 1;

  if (layout === 'ossec') {
    const confFile = path.join(root, 'etc', 'ossec.conf');
    const conf = parseOssecConf(fs.readFileSync(confFile, 'latin1'), 'etc/ossec.conf');
    logAlertLevel = conf.alerts.logAlertLevel;
    const explicitDecoders = conf.rules.filter((e) => e.kind === 'decoder').map((e) => path.resolve(root, e.value));
    decoderPaths = explicitDecoders.length > 0 ? explicitDecoders : [path.join(root, 'etc', 'decoder.xml')];
    const local = path.join(root, 'etc', 'local_decoder.xml');
    if (fs.existsSync(local) && !decoderPaths.includes(local)) decoderPaths.push(local);
    for (const e of conf.rules) {
      if (e.kind === 'decoder_dir') decoderPaths.push(...xmlFilesIn(path.resolve(root, e.value)));
      else if (e.kind === 'include') rulePaths.push(path.isAbsolute(e.value) ? e.value : path.join(root, 'rules', e.value));
      else if (e.kind === 'rule_dir') rulePaths.push(...xmlFilesIn(path.resolve(root, e.value)));
      else if (e.kind === 'list') {
        const p = path.resolve(root, e.value);
        if (fs.existsSync(p)) lists.set(e.value, readList(p));
      }
    }
  } else if (layout === 'wazuh') {
    const byBase = (dirs: string[]) => {
      const files = dirs.flatMap(xmlFilesIn);
      const seen = new Map<string, string>();
      for (const f of files) seen.set(path.basename(f), f); // etc/ overrides ruleset/ by basename
      return [...seen.keys()].sort().map((k) => seen.get(k)!);
    };
    decoderPaths = byBase([path.join(root, 'ruleset', 'decoders'), path.join(root, 'etc', 'decoders')]);
    rulePaths = byBase([path.join(root, 'ruleset', 'rules'), path.join(root, 'etc', 'rules')]);
  } else {
    decoderPaths = xmlFilesIn(path.join(root, 'decoders'));
    rulePaths = xmlFilesIn(path.join(root, 'rules'));
    decoderPaths.push(...xmlFilesIn(path.join(root, 'local', 'decoders')));
    rulePaths.push(...xmlFilesIn(path.join(root, 'local', 'rules')));
    for (const dir of [path.join(root, 'lists'), path.join(root, 'local', 'lists')]) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).sort()) lists.set(`lists/${f}`, readList(path.join(dir, f)));
    }
    if (decoderPaths.length === 0 && rulePaths.length === 0) {
      throw new RulesetError(rootDir, 0, '', 'no decoders/ or rules/ folder with .xml files (nor etc/ossec.conf) found');
    }
  }
  decoderPaths.push(...(opts.extraDecoderFiles ?? []).map((f) => path.resolve(f)));
  rulePaths.push(...(opts.extraRuleFiles ?? []).map((f) => path.resolve(f)));

  const ruleset = compileRuleset({
    decoderFiles: decoderPaths.map((f) => readXml(root, f)),
    ruleFiles: rulePaths.map((f) => readXml(root, f)),
    lists,
    ftsKeys: layout === 'ossec' ? 'ossec' : 'listed',
  });
  return {
    ruleset,
    decoderFiles: decoderPaths.map((f) => path.relative(root, f)),
    ruleFiles: rulePaths.map((f) => path.relative(root, f)),
    logAlertLevel,
    layout,
  };
}
