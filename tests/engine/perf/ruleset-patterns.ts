/**
 * Every pattern text of the three rulesets the engine runs (stock OSSEC 4.2.0, Wazuh 4.14.7 and
 * ours in rules/), read straight from their XML, with the dialect each element compiles in.
 * Same-named pattern elements of one decoder or rule are joined, as the loaders do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED, OSSEC_ROOT } from '../../support/shared-data';

export interface RulesetPattern {
  ruleset: 'ossec' | 'wazuh' | 'warden';
  file: string;
  element: string;
  dialect: 'osregex' | 'osmatch' | 'pcre2';
  source: string;
  /** OSSEC 4.x compiles pcre2 elements caselessly (type="pcre2" does not). */
  caseless: boolean;
}

export const RULESET_DIRS: Record<RulesetPattern['ruleset'], string[]> = {
  ossec: [path.join(OSSEC_ROOT, 'etc'), path.join(OSSEC_ROOT, 'rules')],
  wazuh: [path.join(SHARED, 'wazuh-4.14.7', 'ruleset', 'decoders'), path.join(SHARED, 'wazuh-4.14.7', 'ruleset', 'rules')],
  warden: [path.resolve(__dirname, '..', '..', '..', 'rules', 'decoders'), path.resolve(__dirname, '..', '..', '..', 'rules', 'rules')],
};

const OSREGEX_ELEMENTS = new Set(['regex', 'prematch', 'field']);
const OSMATCH_ELEMENTS = new Set(['match', 'program_name', 'hostname', 'url', 'user', 'id', 'status', 'location', 'extra_data', 'data', 'system_name', 'protocol', 'srcport', 'dstport']);

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function xmlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...xmlFiles(p));
    else if (e.name.endsWith('.xml')) out.push(p);
  }
  return out.sort();
}

/** Patterns of one ruleset. */
export function rulesetPatterns(ruleset: RulesetPattern['ruleset']): RulesetPattern[] {
  const out: RulesetPattern[] = [];
  const ossecCaseless = ruleset === 'ossec' || ruleset === 'warden';
  for (const dir of RULESET_DIRS[ruleset]) {
    for (const file of xmlFiles(dir)) {
      const text = fs.readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
      for (const block of text.matchAll(/<(decoder|rule)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
        const joined = new Map<string, RulesetPattern>();
        for (const m of block[2].matchAll(/<([a-z_0-9]+)((?:\s+[a-z_]+="[^"]*")*)\s*>([^<]*)<\/\1>/g)) {
          const [, name, attrs, raw] = m;
          const type = /\btype="([^"]+)"/.exec(attrs)?.[1]?.toLowerCase();
          let dialect: RulesetPattern['dialect'] | null = null;
          let caseless = false;
          let key = name;
          if (name.endsWith('_pcre2') || name === 'pcre2') {
            dialect = 'pcre2';
            caseless = ossecCaseless;
            key = name === 'pcre2' ? 'regex' : name.replace(/_pcre2$/, '');
          } else if (OSREGEX_ELEMENTS.has(name)) dialect = 'osregex';
          else if (OSMATCH_ELEMENTS.has(name)) dialect = 'osmatch';
          if (dialect === null) continue;
          if (type === 'pcre2' || type === 'osregex' || type === 'osmatch') {
            dialect = type;
            caseless = false;
          }
          const source = decodeEntities(raw);
          const prev = joined.get(key);
          if (prev && prev.dialect === dialect && name !== 'field') prev.source += source;
          else joined.set(name === 'field' ? `${key}:${joined.size}` : key, { ruleset, file: path.basename(file), element: name, dialect, source, caseless });
        }
        out.push(...joined.values());
      }
    }
  }
  return out;
}
