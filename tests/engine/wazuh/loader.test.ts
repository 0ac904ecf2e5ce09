/**
 * Loading Wazuh 4.x rulesets unchanged: what Wazuh's loader accepts (or warns about and drops)
 * where OSSEC 4.2 refuses, and the OSSEC dialect left as it was.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseXml } from '../../../otel-processor/src/engine/ruleset/xml';
import { compileRuleset, type RulesetDialect } from '../../../otel-processor/src/engine/ruleset';
import { Engine, LogEvent } from '../../../otel-processor/src/engine/engine';
import { loadRuleset } from '../../../otel-processor/src/loader/ruleset-loader';
import { compilePattern } from '../../../otel-processor/src/engine/patterns';
import { ROOTS } from '../helpers';

const T0 = 1_700_000_000_000;
const DECODERS = '<decoder name="app"><program_name>^app$</program_name><regex>^(\\S+) (\\S+)</regex><order>srcuser, data</order></decoder>';

function compile(rules: string, dialect: RulesetDialect) {
  return compileRuleset({
    dialect,
    decoderFiles: [parseXml(DECODERS, 'd.xml', { dialect })],
    ruleFiles: [parseXml(ROOTS, 'roots.xml', { dialect }), parseXml(rules, 'r.xml', { dialect })],
  });
}

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-wazuh-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('os_xml in the Wazuh dialect', () => {
  test('`\\\\` is an escaped backslash: `E:\\\\</field>` closes the element (OSSEC reads `\\<` as text)', () => {
    const xml = '<rule id="1"><field name="d">E:\\\\</field></rule>';
    expect(parseXml(xml, 'x.xml', { dialect: 'wazuh' })[0].children[0].text).toBe('E:\\\\');
    expect(() => parseXml(xml, 'x.xml')).toThrow(/not closed|does not match/);
  });

  test('`\\\\\\<` (odd run) still escapes the `<`', () => {
    const el = parseXml('<m>a\\\\\\<b</m>', 'x.xml', { dialect: 'wazuh' })[0];
    expect(el.text).toBe('a\\\\\\<b');
  });

  test('an undefined $name is left as text; a defined one is replaced', () => {
    const xml = '<var name="X">yes</var><f>\\s+(\\$true|1) $X</f>';
    expect(parseXml(xml, 'x.xml', { dialect: 'wazuh' })[1].text).toBe('\\s+(\\$true|1) yes');
    expect(() => parseXml(xml, 'x.xml')).toThrow(/unknown variable \$true/);
  });
});

describe('PCRE2 (*UTF) and \\N{U+hhhh}', () => {
  test('(*UTF)\\N{U+202E} matches the right-to-left override', () => {
    const p = compilePattern('pcre2', '(*UTF)\\N{U+202E}');
    expect(p.test('invoice\u202Efdp.exe')).toBe(true);
    expect(p.test('invoice.pdf')).toBe(false);
  });

  test('\\N{U+hhhh} without (*UTF) is refused, as PCRE2 refuses it', () => {
    expect(() => compilePattern('pcre2', '\\N{U+202E}')).toThrow(/UTF mode/);
  });
});

describe('rule loading in the Wazuh dialect', () => {
  test('<different_src_port/> and <different_dst_port/> are known', () => {
    const rules = `<group name="t,"><rule id="100" level="3"><decoded_as>app</decoded_as><description>a</description></rule>
      <rule id="101" level="7" frequency="2" timeframe="60"><if_matched_sid>100</if_matched_sid><different_src_port/><different_dst_port/><description>b</description></rule></group>`;
    const rs = compile(rules, 'wazuh');
    expect(rs.rulesById.get(101)?.correlate.map((c) => `${c.same}:${c.field}`)).toEqual(['false:srcport', 'false:dstport']);
  });

  test('if_sid with an invalid value: warning 7618, the rule is dropped (OSSEC: an error)', () => {
    const rules = '<group name="t,"><rule id="100" level="3"><if_sid>999275|1</if_sid><description>a</description></rule></group>';
    const rs = compile(rules, 'wazuh');
    expect(rs.rulesById.has(100)).toBe(false);
    expect(rs.warnings).toEqual(["r.xml:1: (7618): Invalid 'if_sid' value: '999275|1'. Rule '100' will be ignored."]);
    expect(() => compile(rules, 'ossec')).toThrow(/if_sid must list rule ids/);
  });

  test('if_sid naming a rule that is not loaded: warning 7617, that parent ignored', () => {
    const rules = '<group name="t,"><rule id="100" level="3"><if_sid>1, 555</if_sid><description>a</description></rule></group>';
    const rs = compile(rules, 'wazuh');
    expect(rs.rulesById.get(100)?.ifSid).toEqual([1]);
    expect(rs.warnings[0]).toMatch(/\(7617\): Signature ID '555' was not found/);
  });

  test('a duplicate rule id: warning 7612 and the first one kept (OSSEC: an error)', () => {
    const rules = `<group name="t,"><rule id="100" level="3"><description>first</description></rule>
      <rule id="100" level="9"><description>second</description></rule></group>`;
    const rs = compile(rules, 'wazuh');
    expect(rs.rulesById.get(100)?.description).toBe('first');
    expect(rs.warnings[0]).toMatch(/\(7612\): Rule ID '100' is duplicated/);
    expect(() => compile(rules, 'ossec')).toThrow(/duplicate rule id 100/);
  });

  test('overwrite="yes" replaces everything but what the rule correlates (Wazuh)', () => {
    const rules = `<group name="t,"><rule id="100" level="3"><decoded_as>app</decoded_as><description>a</description></rule>
      <rule id="101" level="3"><decoded_as>app</decoded_as><match>never</match><description>b</description></rule>
      <rule id="102" level="10" frequency="3" timeframe="60"><if_matched_sid>100</if_matched_sid><description>c</description></rule>
      <rule id="102" level="12" frequency="3" timeframe="60" overwrite="yes"><if_matched_sid>101</if_matched_sid><description>d</description></rule></group>`;
    const r = compile(rules, 'wazuh').rulesById.get(102)!;
    expect([r.level, r.description, r.ifMatchedSid]).toEqual([12, 'd', 100]);
  });

  test('noalert="0" alerts in Wazuh; OSSEC reads any noalert as set', () => {
    const rules = '<group name="t,"><rule id="100" level="3" noalert="0"><decoded_as>app</decoded_as><description>a</description></rule></group>';
    expect(compile(rules, 'wazuh').rulesById.get(100)?.noalert).toBe(false);
    expect(compile(rules, 'ossec').rulesById.get(100)?.noalert).toBe(true);
  });

  test('frequency: Wazuh fires on the frequency-th event, OSSEC 4.2 two events later', () => {
    const rules = `<group name="t,"><rule id="100" level="3"><decoded_as>app</decoded_as><description>a</description></rule>
      <rule id="101" level="7" frequency="3" timeframe="60"><if_matched_sid>100</if_matched_sid><description>b</description></rule></group>`;
    const firstFiring = (dialect: RulesetDialect) => {
      const e = new Engine(compile(rules, dialect));
      for (let i = 1; i <= 10; i++) {
        if (e.process(new LogEvent(`Jan  1 10:00:0${i % 10} h app: u${i} x`, 'stdin', 'h', T0 + i)).rule?.id === 101) return i;
      }
      return -1;
    };
    expect(firstFiring('wazuh')).toBe(3);
    expect(firstFiring('ossec')).toBe(5);
  });
});

describe('Wazuh trees on disk', () => {
  test('an ossec.conf <ruleset> naming no decoder file needs no etc/decoder.xml; <rule_exclude> and <list> apply', () => {
    const root = tree({
      'etc/ossec.conf': `<ossec_config><ruleset>
          <decoder_dir>ruleset/decoders</decoder_dir>
          <rule_dir>ruleset/rules</rule_dir>
          <rule_exclude>0215-policy_rules.xml</rule_exclude>
          <list>etc/lists/admins</list>
        </ruleset></ossec_config>`,
      'ruleset/decoders/0010-app_decoders.xml': DECODERS,
      'ruleset/rules/0010-rules_config.xml': ROOTS,
      'ruleset/rules/0100-app_rules.xml': `<group name="app,"><rule id="100" level="3"><decoded_as>app</decoded_as><description>a</description></rule>
        <rule id="101" level="8"><if_sid>100</if_sid><list field="srcuser" lookup="match_key">etc/lists/admins</list><description>admin</description></rule></group>`,
      'ruleset/rules/0215-policy_rules.xml': '<group name="p,"><rule id="100" level="12"><description>excluded</description></rule></group>',
      'etc/lists/admins': 'root:\nalice:admin\n',
    });
    const loaded = loadRuleset(root);
    expect(loaded.dialect).toBe('wazuh');
    expect(loaded.ruleFiles.map((f) => path.basename(f))).toEqual(['0010-rules_config.xml', '0100-app_rules.xml']);
    const e = new Engine(loaded.ruleset);
    expect(e.process(new LogEvent('Jan  1 10:00:00 h app: alice x', 'stdin', 'h', T0)).rule?.id).toBe(101);
    expect(e.process(new LogEvent('Jan  1 10:00:00 h app: bob x', 'stdin', 'h', T0)).rule?.id).toBe(100);
  });

  test('a Wazuh ruleset/ folder read with the Wazuh dialect: lists under lists/ answer to etc/lists/..., 0215 excluded', () => {
    const root = tree({
      'decoders/0010-app_decoders.xml': DECODERS,
      'rules/0010-rules_config.xml': ROOTS,
      'rules/0100-app_rules.xml': `<group name="app,"><rule id="100" level="3"><decoded_as>app</decoded_as><description>a</description></rule>
        <rule id="101" level="8"><if_sid>100</if_sid><list field="srcuser" lookup="match_key">etc/lists/team/admins</list><description>admin</description></rule></group>`,
      'rules/0215-policy_rules.xml': '<group name="p,"><rule id="100" level="12"><description>excluded</description></rule></group>',
      'lists/team/admins': 'alice:admin\n',
    });
    const loaded = loadRuleset(root, { dialect: 'wazuh' });
    expect(loaded.ruleFiles.some((f) => f.includes('0215'))).toBe(false);
    expect(new Engine(loaded.ruleset).process(new LogEvent('Jan  1 10:00:00 h app: alice x', 'stdin', 'h', T0)).rule?.id).toBe(101);
    // The same folder in the default (OSSEC) dialect refuses the duplicate id.
    expect(() => loadRuleset(root)).toThrow(/duplicate rule id 100/);
  });
});
