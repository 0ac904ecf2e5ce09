/**
 * Where Wazuh 4.x and OSSEC 4.2 answer differently, each dialect answers as its engine does:
 * OS_Regex edges, PCRE2 groups that did not take part, JSON nulls and arrays, child decoders'
 * category, several <match> elements with type=/negate=, and Wazuh's test runner.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compilePattern } from '../../../otel-processor/src/engine/patterns';
import { parseXml } from '../../../otel-processor/src/engine/ruleset/xml';
import { compileRuleset, type RulesetDialect } from '../../../otel-processor/src/engine/ruleset';
import { Engine, LogEvent } from '../../../otel-processor/src/engine/engine';
import { parseWazuhIniTests, wazuhCaseOk } from '../../../otel-processor/src/engine/ruleset/ini-tests';
import { collectWazuhIniFiles, decodeRule60000AsJson } from '../../../otel-processor/src/cli/test-rules';
import { ROOTS } from '../helpers';

const T0 = 1_700_000_000_000;

function engine(decoders: string, rules: string, dialect: RulesetDialect): Engine {
  return new Engine(compileRuleset({
    dialect,
    decoderFiles: [parseXml(decoders, 'd.xml', { dialect })],
    ruleFiles: [parseXml(ROOTS, 'roots.xml', { dialect }), parseXml(rules, 'r.xml', { dialect })],
  }));
}

describe('OS_Regex', () => {
  const osr = (p: string, wazuh: boolean) => compilePattern('osregex', p, { wazuh });
  test('`\\w*` matches a non-empty value in Wazuh (the classic matcher does not)', () => {
    expect(osr('\\w*', true).test('Project')).toBe(true);
    expect(osr('\\w*', false).test('Project')).toBe(false);
  });
  test('`\\.+` does not match an empty value in Wazuh; `\\.*` does', () => {
    expect(osr('\\.+', true).test('')).toBe(false);
    expect(osr('\\.*', true).test('')).toBe(true);
    expect(osr('\\.+', false).test('')).toBe(true);
  });
  test('ordinary patterns answer alike in both', () => {
    for (const wazuh of [true, false]) {
      expect(osr('^(\\S+) from (\\d+)', wazuh).exec('bob from 10')?.captures).toEqual(['bob', '10']);
      expect(osr('\\d+', wazuh).test('abc')).toBe(false);
    }
  });
});

describe('PCRE2 captures', () => {
  test('Wazuh keeps a group that did not take part in its place, empty; OSSEC packs', () => {
    const src = '(a)?(b) (c)?(d)?';
    expect(compilePattern('pcre2', src, { wazuh: true }).exec('b c')?.captures).toEqual(['', 'b', 'c']);
    expect(compilePattern('pcre2', src).exec('b c')?.captures).toEqual(['b', 'c']);
  });
  test('the same through the linear matcher (ambiguous `.+` chains, groups of another alternative)', () => {
    const src = '(.+):(.+)|(.+) (.+)';
    expect(compilePattern('pcre2', src, { wazuh: true }).exec('a b')?.captures).toEqual(['', '', 'a', 'b']);
    expect(compilePattern('pcre2', src).exec('a b')?.captures).toEqual(['a', 'b']);
  });
});

describe('JSON decoding', () => {
  const DEC = '<decoder name="json"><prematch>^{\\s*"</prematch><plugin_decoder>JSON_Decoder</plugin_decoder></decoder>';
  const line = '{"a":null,"b":[],"c":[{"k":"v"}],"d":[1,"x"]}';
  const fields = (dialect: RulesetDialect) => {
    const ev = new LogEvent(line, 'stdin', 'h', T0);
    engine(DEC, '<group name="j,"><rule id="100" level="3"><decoded_as>json</decoded_as><description>j</description></rule></group>', dialect).process(ev);
    return ['a', 'b', 'c', 'd'].map((k) => ev.getField(k));
  };
  test('Wazuh keeps null as "null" and arrays it cannot join as their JSON text', () => {
    const [a, b, c, d] = fields('wazuh');
    expect(a).toBe('null');
    expect(b).toBe('[]');
    expect(c).toContain('"k":');
    expect(d).toBe('1,x');
  });
  test('the OSSEC dialect keeps the plugin defaults (nulls and unjoinable arrays dropped)', () => {
    expect(fields('ossec')).toEqual([null, null, null, '1,x']);
  });
});

describe('rules and decoders', () => {
  test('a child decoder without <type> keeps its root\'s category in Wazuh', () => {
    const dec = `<decoder name="sq"><type>firewall</type><prematch>^SQ </prematch></decoder>
      <decoder name="sq-x"><parent>sq</parent><regex offset="after_parent">^(\\d+)</regex><order>id</order></decoder>`;
    const rules = '<group name="f,"><rule id="100" level="5"><category>firewall</category><id>^4</id><description>fw</description></rule></group>';
    const line = 'SQ 404';
    expect(engine(dec, rules, 'wazuh').process(new LogEvent(line, 'stdin', 'h', T0)).rule?.id).toBe(100);
    expect(engine(dec, rules, 'ossec').process(new LogEvent(line, 'stdin', 'h', T0)).rule).toBeNull();
  });

  test('if_fts sees the <fts> of a same-name decoder chain whichever member decoded last (Wazuh)', () => {
    const dec = `<decoder name="sudo"><program_name>^sudo</program_name></decoder>
      <decoder name="sudo-fields"><parent>sudo</parent><prematch>\\s</prematch><regex>^\\s*(\\S+)\\s*:</regex><order>srcuser</order><fts>name,srcuser,location</fts></decoder>
      <decoder name="sudo-fields"><parent>sudo</parent><regex offset="after_regex">USER=(\\S+)</regex><order>dstuser</order></decoder>`;
    const rules = `<group name="s,"><rule id="100" level="0" noalert="1"><decoded_as>sudo</decoded_as><description>g</description></rule>
      <rule id="101" level="4"><if_sid>100</if_sid><if_fts/><description>first time</description></rule>
      <rule id="102" level="3"><if_sid>100</if_sid><match>USER=root</match><description>root</description></rule></group>`;
    const line = 'Apr 27 15:22:23 niban sudo:     dcid : TTY=pts/4 ; PWD=/home/dcid ; USER=root ; COMMAND=/bin/ls';
    const e = engine(dec, rules, 'wazuh');
    expect(e.process(new LogEvent(line, 'stdin', 'h', T0)).rule?.id).toBe(101);
    expect(e.process(new LogEvent(line, 'stdin', 'h', T0 + 1)).rule?.id).toBe(102);
    expect(engine(dec, rules, 'ossec').process(new LogEvent(line, 'stdin', 'h', T0)).rule?.id).toBe(102);
  });

  test('several <match> elements: joined, and the last one\'s type= and negate= apply', () => {
    const dec = '<decoder name="app"><program_name>^app$</program_name></decoder>';
    const rules = `<group name="m,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><match>test_match </match><match type="pcre2">(?i)EXAMPLE_1</match><description>pcre2</description></rule>
      <rule id="101" level="3"><decoded_as>app</decoded_as><match negate="yes">one</match><match negate="no">|two</match><description>last negate</description></rule>
    </group>`;
    const e = engine(dec, rules, 'wazuh');
    expect(e.process(new LogEvent('Jan  1 10:00:00 h app: test_match example_1', 'stdin', 'h', T0)).rule?.id).toBe(100);
    expect(e.process(new LogEvent('Jan  1 10:00:00 h app: two', 'stdin', 'h', T0)).rule?.id).toBe(101);
  });
});

describe('pre-decoding follows the ruleset\'s dialect', () => {
  const dec = '<decoder name="app"><program_name>^app$</program_name></decoder>';
  const rules = '<group name="a,"><rule id="100" level="3"><decoded_as>app</decoded_as><description>a</description></rule></group>';
  test('`app[12]:message` (no space) names the program in Wazuh, not in OSSEC', () => {
    const line = 'Jan  1 10:00:00 host app[12]:message';
    expect(engine(dec, rules, 'wazuh').process(new LogEvent(line, 'stdin', 'h', T0)).rule?.id).toBe(100);
    expect(engine(dec, rules, 'ossec').process(new LogEvent(line, 'stdin', 'h', T0)).rule).toBeNull();
  });
  test('a macOS unified-log header is stripped in Wazuh', () => {
    const ev = new LogEvent('2020-03-23 06:47:42.801612-0700  localhost app[3186]: hello', 'stdin', 'h', T0);
    expect(engine(dec, rules, 'wazuh').process(ev).rule?.id).toBe(100);
    expect(ev.log).toBe('hello');
  });
});

describe('Wazuh\'s test runner', () => {
  test('repeated `log N pass` keys are one session; rule/alert/decoder kept as written', () => {
    const cases = parseWazuhIniTests('[s]\nlog 1 pass = a\nlog 1 pass = b\nlog 2 fail = c\nrule = 5\nalert =\ndecoder = d\n', 's.ini');
    expect(cases.map((c) => [c.name, c.lines])).toEqual([['log 1 pass', ['a', 'b']], ['log 2 fail', ['c']]]);
    expect([cases[0].rule, cases[0].alert, cases[0].decoder]).toEqual(['5', '', 'd']);
  });

  test('wazuh-logtest -U verdicts: an empty expected field never passes a pass case, always passes a fail case', () => {
    const base = { file: 'f', section: 's', name: 'log 1 pass', lines: ['x'], line: 1 };
    const pass = { ...base, kind: 'pass' as const, rule: '5', alert: '3', decoder: 'd' };
    expect(wazuhCaseOk(pass, { rule: '5', alert: '3', decoder: 'd' })).toBe(true);
    expect(wazuhCaseOk(pass, { rule: '6', alert: '3', decoder: 'd' })).toBe(false);
    const emptyPass = { ...pass, alert: '', rule: '' };
    expect(wazuhCaseOk(emptyPass, { rule: '', alert: '', decoder: 'd' })).toBe(false);
    const emptyFail = { ...emptyPass, kind: 'fail' as const };
    expect(wazuhCaseOk(emptyFail, { rule: '', alert: '', decoder: 'd' })).toBe(true);
    expect(wazuhCaseOk(emptyFail, { rule: '7', alert: '3', decoder: 'd' })).toBe(true);
    expect(wazuhCaseOk({ ...pass, kind: 'fail' }, { rule: '5', alert: '3', decoder: 'd' })).toBe(false);
  });

  test('*geoip.ini files are skipped unless asked for', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-ini-'));
    for (const f of ['a.ini', 'b_geoip.ini', 'c.txt']) fs.writeFileSync(path.join(dir, f), '');
    expect(collectWazuhIniFiles([dir], false).map((f) => path.basename(f))).toEqual(['a.ini']);
    expect(collectWazuhIniFiles([dir], true).map((f) => path.basename(f))).toEqual(['a.ini', 'b_geoip.ini']);
  });

  test('rule 60000 of 0575-win-base_rules.xml is decoded as JSON, with no category', () => {
    const els = parseXml('<group name="w,"><rule id="60000" level="0"><category>ossec</category><decoded_as>windows_eventchannel</decoded_as><description>w</description></rule></group>', 'x');
    decodeRule60000AsJson('ruleset/rules/0575-win-base_rules.xml', els);
    const kids = els[0].children[0].children.map((c) => `${c.name}=${c.text}`);
    expect(kids).toEqual(['description=w', 'decoded_as=json']);
  });
});
