/**
 * Wazuh's additions to the rule language load and behave as Wazuh documents them:
 * type=/negate= on matchers, <field>, dynamic <order> names, JSON decoding after a syslog
 * header, $(field) descriptions, <mitre>, <list> lookups, <same_field>/<different_field>,
 * <if_group>/<if_level>, overwrite=, and decoder directories in basename order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseXml } from '../../otel-processor/src/engine/ruleset/xml';
import { compileRuleset } from '../../otel-processor/src/engine/ruleset';
import { Engine, LogEvent } from '../../otel-processor/src/engine/engine';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { buildAlert } from '../../otel-processor/src/alert/alert';
import { ROOTS } from './helpers';

const DECODERS = `
<decoder name="json">
  <prematch>^{\\s*"</prematch>
  <plugin_decoder>JSON_Decoder</plugin_decoder>
</decoder>
<decoder name="app">
  <program_name>^myapp$</program_name>
</decoder>
<decoder name="app-json">
  <parent>app</parent>
  <prematch>^{</prematch>
  <plugin_decoder offset="after_parent">JSON_Decoder</plugin_decoder>
</decoder>
<decoder name="audit">
  <prematch type="pcre2">^type=\\w+ </prematch>
  <regex type="pcre2">key="([^"]+)" user=(\\S+)</regex>
  <order>audit.key, user</order>
</decoder>
`;

const RULES = `
<group name="json,">
  <rule id="100100" level="3">
    <decoded_as>json</decoded_as>
    <field name="win.system.channel">^Security$</field>
    <description>Windows security event $(win.system.eventID)</description>
  </rule>
  <rule id="100101" level="9">
    <if_sid>100100</if_sid>
    <field name="win.system.eventID" type="pcre2">^(4625|529)$</field>
    <field name="win.eventdata.targetUserName" negate="yes">^SYSTEM$</field>
    <description>Logon failure for $(win.eventdata.targetUserName)</description>
    <mitre><id>T1110</id></mitre>
    <group>authentication_failed,</group>
  </rule>
  <rule id="100102" level="12" frequency="2" timeframe="60">
    <if_matched_sid>100101</if_matched_sid>
    <same_field>win.eventdata.targetUserName</same_field>
    <different_field>win.eventdata.ipAddress</different_field>
    <description>Same user failing from several addresses</description>
  </rule>
  <rule id="100110" level="5">
    <decoded_as>app</decoded_as>
    <field name="action">^delete$</field>
    <list field="user" lookup="match_key">lists/admins</list>
    <description>Admin $(user) deleted $(object)</description>
  </rule>
  <rule id="100111" level="4">
    <decoded_as>app</decoded_as>
    <field name="action" type="osmatch">delete|drop</field>
    <description>Deletion by $(user)</description>
  </rule>
  <rule id="100120" level="6">
    <decoded_as>audit</decoded_as>
    <field name="audit.key">^watch_etc$</field>
    <description>Audit key $(audit.key) by $(dstuser)</description>
  </rule>
  <rule id="100130" level="14">
    <if_level>12</if_level>
    <description>Escalation of a level 12+ rule</description>
  </rule>
  <rule id="100111" level="7" overwrite="yes">
    <decoded_as>app</decoded_as>
    <field name="action" type="osmatch">delete|drop</field>
    <description>Deletion (overwritten) by $(user)</description>
  </rule>
</group>
`;

function build(): Engine {
  const rs = compileRuleset({
    decoderFiles: [parseXml(DECODERS, 'wazuh_decoders.xml')],
    ruleFiles: [parseXml(ROOTS, 'roots.xml'), parseXml(RULES, 'wazuh_rules.xml')],
    lists: new Map([['lists/admins', new Map([['alice', 'admin']])]]),
  });
  return new Engine(rs);
}

const T0 = 1_700_000_000_000;
const winFail = (user: string, ip: string) =>
  JSON.stringify({ win: { system: { channel: 'Security', eventID: '4625' }, eventdata: { targetUserName: user, ipAddress: ip } } });

describe('Wazuh dialect', () => {
  test('JSON decoding, <field> with type=pcre2 and negate, $(field) and <mitre>', () => {
    const e = build();
    const ev = new LogEvent(winFail('bob', '10.0.0.1'), 'EventChannel', 'h', T0);
    const v = e.process(ev);
    expect(ev.decoderName).toBe('json');
    expect(ev.getField('win.eventdata.targetUserName')).toBe('bob');
    expect(v.rule?.id).toBe(100101);
    const alert = buildAlert(ev, v, 'x');
    expect(alert.rule.description).toBe('Logon failure for bob');
    expect(alert.rule.mitre).toEqual(['T1110']);
    const sys = e.process(new LogEvent(winFail('SYSTEM', '10.0.0.1'), 'EventChannel', 'h', T0));
    expect(sys.rule?.id).toBe(100100);
  });

  test('same_field / different_field correlation, and if_level escalation of what it fires', () => {
    const e = build();
    const at = (user: string, ip: string, t: number) => e.process(new LogEvent(winFail(user, ip), 'EventChannel', 'h', T0 + t)).rule?.id;
    expect(at('bob', '10.0.0.1', 0)).toBe(100101);
    expect(at('bob', '10.0.0.1', 1)).toBe(100101);
    expect(at('carol', '10.0.0.2', 2)).toBe(100101);
    // three earlier failures of bob from other addresses than 10.0.0.3: only two so far
    expect(at('bob', '10.0.0.1', 3)).toBe(100101);
    // now bob .1 (x3) qualify for .4: the frequency rule fires, and its if_level child (>= 12) escalates
    expect(at('bob', '10.0.0.4', 4)).toBe(100130);
  });

  test('JSON after a syslog header (offset="after_parent") and <list> lookups', () => {
    const e = build();
    const line = 'Jan  1 10:00:00 web1 myapp[22]: {"action":"delete","user":"alice","object":"/etc/passwd"}';
    const ev = new LogEvent(line, 'stdin', 'h', T0);
    const v = e.process(ev);
    expect(ev.decoderName).toBe('app');
    expect(v.rule?.id).toBe(100110);
    expect(buildAlert(ev, v, 'x').rule.description).toBe('Admin alice deleted /etc/passwd');
    const other = e.process(new LogEvent(line.replace('alice', 'mallory'), 'stdin', 'h', T0));
    expect(other.rule?.id).toBe(100111);
    expect(other.rule?.level).toBe(7); // overwritten
  });

  test('dynamic <order> names with dots', () => {
    const e = build();
    const ev = new LogEvent('type=SYSCALL msg=audit(1.2:3): key="watch_etc" user=root', 'stdin', 'h', T0);
    const v = e.process(ev);
    expect(ev.getField('audit.key')).toBe('watch_etc');
    expect(v.rule?.id).toBe(100120);
    expect(buildAlert(ev, v, 'x').rule.description).toBe('Audit key watch_etc by root');
  });

  test('a Wazuh-style tree loads decoder and rule files from ruleset/ and etc/ in basename order', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-wazuh-'));
    const w = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    w('ruleset/decoders/0010-app_decoders.xml', '<decoder name="app"><program_name>^myapp$</program_name></decoder>');
    w('etc/decoders/local_decoder.xml', '<decoder name="app-x"><parent>app</parent><regex>^x=(\\S+)</regex><order>extra_data</order></decoder>');
    w('ruleset/rules/0010-rules_config.xml', ROOTS);
    w('ruleset/rules/0100-app_rules.xml', '<group name="app,"><rule id="100200" level="3"><decoded_as>app</decoded_as><description>app</description></rule></group>');
    w('etc/rules/local_rules.xml', '<group name="local,"><rule id="100201" level="8"><if_sid>100200</if_sid><extra_data>secret</extra_data><description>local</description></rule></group>');
    const loaded = loadRuleset(root);
    fs.rmSync(root, { recursive: true, force: true });
    expect(loaded.layout).toBe('wazuh');
    expect(loaded.decoderFiles.map((f) => path.basename(f))).toEqual(['0010-app_decoders.xml', 'local_decoder.xml']);
    const v = new Engine(loaded.ruleset).process(new LogEvent('Jan  1 10:00:00 h myapp: x=secret', 'stdin', 'h', T0));
    expect(v.rule?.id).toBe(100201);
  });
});
