import * as fs from 'fs';
import * as path from 'path';
import { catchRulesetError } from '../../support/errors';
import { parseOssecConf } from '../../../otel-processor/src/engine/ruleset/ossec-conf';

const catchError = catchRulesetError;

describe('ossec.conf reader', () => {
  test('rules entries in order across several <ossec_config> blocks; comments ignored', () => {
    const conf = parseOssecConf(
      [
        '<ossec_config>',
        '  <rules>',
        '    <include>rules_config.xml</include>',
        '    <!-- <include>policy_rules.xml</include> -->',
        '    <decoder>etc/decoder.xml</decoder>',
        '    <rule>extra.xml</rule>',
        '  </rules>',
        '  <syscheck><frequency>79200</frequency></syscheck>',
        '</ossec_config>',
        '<ossec_config>',
        '  <ruleset>',
        '    <decoder_dir>ruleset/decoders</decoder_dir>',
        '    <rule_dir pattern="_rules.xml$">ruleset/rules</rule_dir>',
        '    <rule_exclude>0215-policy_rules.xml</rule_exclude>',
        '    <decoder_exclude>x_decoders.xml</decoder_exclude>',
        '    <list>etc/lists/audit-keys</list>',
        '  </ruleset>',
        '  <alerts>',
        '    <log_alert_level>3</log_alert_level>',
        '    <email_alert_level> 12 </email_alert_level>',
        '  </alerts>',
        '</ossec_config>',
      ].join('\n'),
      'etc/ossec.conf',
    );
    expect(conf.rules.map((r) => [r.kind, r.element, r.value, r.line])).toEqual([
      ['include', 'include', 'rules_config.xml', 3],
      ['decoder', 'decoder', 'etc/decoder.xml', 5],
      ['include', 'rule', 'extra.xml', 6],
      ['decoder_dir', 'decoder_dir', 'ruleset/decoders', 12],
      ['rule_dir', 'rule_dir', 'ruleset/rules', 13],
      ['rule_exclude', 'rule_exclude', '0215-policy_rules.xml', 14],
      ['decoder_exclude', 'decoder_exclude', 'x_decoders.xml', 15],
      ['list', 'list', 'etc/lists/audit-keys', 16],
    ]);
    expect(conf.rules[4].pattern).toBe('_rules.xml$');
    expect(conf.rules[3].pattern).toBeUndefined();
    expect(conf.alerts).toEqual({ logAlertLevel: 3, emailAlertLevel: 12 });
  });

  test('defaults and <global> settings', () => {
    const empty = parseOssecConf('<ossec_config/>', 'c');
    expect(empty.rules).toEqual([]);
    expect(empty.alerts).toEqual({ logAlertLevel: 1, emailAlertLevel: 7 });
    expect(empty.global).toEqual({
      emailNotification: false, logAll: false, jsonoutOutput: false, alertsLog: true,
      memorySize: 1024, whiteList: [], settings: {},
    });
    const conf = parseOssecConf(
      '<ossec_config><global>\n<email_notification>yes</email_notification>\n<logall>yes</logall>' +
      '<white_list>127.0.0.1</white_list><white_list>10.0.0.0/8</white_list>' +
      '<memory_size>10</memory_size><jsonout_output>yes</jsonout_output><email_to>a@b</email_to>' +
      '</global></ossec_config>',
      'c',
    );
    expect(conf.global).toEqual({
      emailNotification: true, logAll: true, jsonoutOutput: true, alertsLog: true,
      memorySize: 64, whiteList: ['127.0.0.1', '10.0.0.0/8'],
      settings: {
        email_notification: ['yes'], logall: ['yes'], white_list: ['127.0.0.1', '10.0.0.0/8'],
        memory_size: ['10'], jsonout_output: ['yes'], email_to: ['a@b'],
      },
    });
  });

  test('variables are not applied in ossec.conf (OSSEC ReadConfig does not)', () => {
    const conf = parseOssecConf('<ossec_config><rules><include>$X.xml</include></rules></ossec_config>', 'c');
    expect(conf.rules[0].value).toBe('$X.xml');
  });

  test('errors', () => {
    let e = catchError(() => parseOssecConf('<ossec_config>\n<rules>\n<includes>a.xml</includes>\n</rules></ossec_config>', 'etc/ossec.conf'));
    expect(e.toString()).toBe('etc/ossec.conf:3: <includes>: unknown element in <rules>');
    e = catchError(() => parseOssecConf('<ossec_config><rules>\n<include> </include></rules></ossec_config>', 'etc/ossec.conf'));
    expect(e.toString()).toBe('etc/ossec.conf:2: <include>: empty value');
    e = catchError(() => parseOssecConf('<ossec_config><alerts>\n<log_alert_level>high</log_alert_level></alerts></ossec_config>', 'c'));
    expect(e.toString()).toBe('c:2: <log_alert_level>: expected a non-negative integer, found "high"');
    e = catchError(() => parseOssecConf('<ossec_config><global><logall>maybe</logall></global></ossec_config>', 'c'));
    expect(e.toString()).toBe('c:1: <logall>: expected yes or no, found "maybe"');
    e = catchError(() => parseOssecConf('<ossec_config/>\n<rules/>', 'c'));
    expect(e.toString()).toBe('c:2: <rules>: unexpected top-level element (expected <ossec_config>)');
    e = catchError(() => parseOssecConf('<ossec_config>\n<rules>\n</ossec_config>', 'c'));
    expect(e.toString()).toBe('c:3: <rules>: closing tag </ossec_config> does not match <rules> opened at line 2');
  });
});

const CONF = path.resolve(__dirname, '../../../../shared/ossec-4.2.0/etc/ossec.conf');
const haveShared = fs.existsSync(CONF);
const describeShared = haveShared ? describe : describe.skip;
if (!haveShared) {
  console.warn(`skipping stock ossec.conf test: ${CONF} not found`);
}

describeShared('stock OSSEC 4.2.0 etc/ossec.conf', () => {
  test('rule files in load order, policy_rules.xml commented out, log_alert_level 1', () => {
    const conf = parseOssecConf(fs.readFileSync(CONF, 'utf8'), 'etc/ossec.conf');
    const includes = conf.rules.filter((r) => r.kind === 'include').map((r) => r.value);
    expect(conf.rules.every((r) => r.kind === 'include')).toBe(true);
    expect(includes).toHaveLength(68);
    expect(includes.slice(0, 3)).toEqual(['rules_config.xml', 'pam_rules.xml', 'sshd_rules.xml']);
    expect(includes[includes.length - 1]).toBe('local_rules.xml');
    expect(includes).not.toContain('policy_rules.xml');
    expect(includes.indexOf('zeus_rules.xml')).toBe(includes.indexOf('ms-se_rules.xml') + 1);
    expect(conf.rules[0].line).toBe(7);
    expect(conf.alerts).toEqual({ logAlertLevel: 1, emailAlertLevel: 7 });
    expect(conf.global.emailNotification).toBe(false);
    // every listed file exists in rules/ (local_rules.xml included)
    const dir = path.join(path.dirname(CONF), '..', 'rules');
    for (const f of includes) expect([f, fs.existsSync(path.join(dir, f))]).toEqual([f, true]);
  });
});
