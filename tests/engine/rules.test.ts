import { engineFor, ev } from './helpers';
import { parseXml } from '../../otel-processor/src/engine/ruleset/xml';
import { compileRuleset } from '../../otel-processor/src/engine/ruleset';
import { RulesetError } from '../../otel-processor/src/engine/ruleset/errors';
import { ROOTS } from './helpers';

const DECODERS = `
<decoder name="app">
  <program_name>^app$</program_name>
</decoder>
<decoder name="app-login">
  <parent>app</parent>
  <regex>^login (\\S+) from (\\S+) status (\\S+)</regex>
  <order>user, srcip, status</order>
</decoder>
`;

function build(rules: string) {
  return engineFor(DECODERS, rules);
}
const line = (rest: string) => `Jan  1 10:00:00 h app: ${rest}`;

describe('phase 3: rules', () => {
  test('if_sid tree, children first match wins, level order with level 0 first', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="2"><decoded_as>app</decoded_as><description>app event</description></rule>
      <rule id="101" level="5"><if_sid>100</if_sid><match>status fail</match><description>failed</description><group>authentication_failed,</group></rule>
      <rule id="102" level="7"><if_sid>100</if_sid><user>root</user><description>root</description></rule>
      <rule id="103" level="0"><if_sid>100</if_sid><srcip>192.168.0.0/16</srcip><description>ignored lan</description></rule>
    </group>`);
    expect(e.process(ev(line('login bob from 10.0.0.1 status ok'))).rule?.id).toBe(100);
    expect(e.process(ev(line('login bob from 10.0.0.1 status fail'))).rule?.id).toBe(101);
    expect(e.process(ev(line('login root from 10.0.0.1 status fail'))).rule?.id).toBe(102); // level 7 before 5
    const lan = e.process(ev(line('login root from 192.168.1.1 status fail')));
    expect(lan.rule?.id).toBe(103); // level 0 sorted first
    expect(lan.alert).toBe(false);
    expect(lan.suppressed).toBe('level0');
  });

  test('group string and groups of the alert', () => {
    const e = build(`<group name="app,auth,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><description>d</description><group>extra,</group></rule></group>`);
    const v = e.process(ev(line('login a from 1.1.1.1 status ok')));
    expect(v.rule?.groupString).toBe('app,auth,extra,');
    expect(v.rule?.groups).toEqual(['app', 'auth', 'extra']);
  });

  test('if_group links to earlier rules whose groups contain the text', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><description>base</description><group>authentication_failed,</group></rule>
      <rule id="110" level="9"><if_group>authentication_failed</if_group><srcip>!10.0.0.0/8</srcip><description>outside failure</description></rule>
    </group>`);
    expect(e.process(ev(line('login a from 8.8.8.8 status x'))).rule?.id).toBe(110);
    expect(e.process(ev(line('login a from 10.1.1.1 status x'))).rule?.id).toBe(100);
  });

  test('negate, field, pcre2 and osregex matchers', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><description>base</description></rule>
      <rule id="101" level="6"><if_sid>100</if_sid><field name="status" type="pcre2">^(?:ok|fine)$</field><description>ok</description></rule>
      <rule id="102" level="5"><if_sid>100</if_sid><regex>from \\d+.\\d+.\\d+.\\d+ </regex><match negate="yes">status ok</match><description>not ok</description></rule>
    </group>`);
    expect(e.process(ev(line('login a from 1.2.3.4 status fine'))).rule?.id).toBe(101);
    expect(e.process(ev(line('login a from 1.2.3.4 status bad'))).rule?.id).toBe(102);
    expect(e.process(ev(line('login a from host.example status bad'))).rule?.id).toBe(100);
  });

  test('noalert parent: children evaluated, parent itself never the answer', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="3" noalert="1"><decoded_as>app</decoded_as><description>base</description></rule>
      <rule id="101" level="5"><if_sid>100</if_sid><status>fail</status><description>fail</description></rule>
    </group>`);
    expect(e.process(ev(line('login a from 1.1.1.1 status fail'))).rule?.id).toBe(101);
    expect(e.process(ev(line('login a from 1.1.1.1 status ok'))).rule).toBeNull();
  });

  test('alert threshold: log_alert_level and no_log', () => {
    const e = engineFor(DECODERS, `<group name="app,">
      <rule id="100" level="2"><decoded_as>app</decoded_as><description>low</description></rule>
      <rule id="101" level="8"><if_sid>100</if_sid><status>nolog</status><options>no_log</options><description>x</description></rule>
    </group>`, { logAlertLevel: 3 });
    const low = e.process(ev(line('login a from 1.1.1.1 status ok')));
    expect(low.alert).toBe(false);
    expect(low.suppressed).toBe('below_log_level');
    expect(e.process(ev(line('login a from 1.1.1.1 status nolog'))).suppressed).toBe('no_log');
  });

  test('overwrite replaces conditions and keeps the tree position', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><description>base</description></rule>
      <rule id="101" level="5"><if_sid>100</if_sid><status>a</status><description>old</description></rule>
      <rule id="101" level="6" overwrite="yes"><if_sid>100</if_sid><status>b</status><description>new</description></rule>
    </group>`);
    expect(e.process(ev(line('login x from 1.1.1.1 status a'))).rule?.id).toBe(100);
    const v = e.process(ev(line('login x from 1.1.1.1 status b')));
    expect(v.rule?.id).toBe(101);
    expect(v.rule?.description).toBe('new');
  });

  test('time and weekday conditions use the event time', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><description>base</description></rule>
      <rule id="101" level="5"><if_sid>100</if_sid><time>6 pm - 8:30 am</time><description>after hours</description></rule>
      <rule id="102" level="4"><if_sid>100</if_sid><weekday>weekends</weekday><description>weekend</description></rule>
    </group>`);
    const night = new Date(2024, 0, 3, 23, 0, 0).getTime(); // a Wednesday
    const noonSat = new Date(2024, 0, 6, 12, 0, 0).getTime(); // a Saturday
    const noonWed = new Date(2024, 0, 3, 12, 0, 0).getTime();
    expect(e.process(ev(line('login a from 1.1.1.1 status x'), night)).rule?.id).toBe(101);
    expect(e.process(ev(line('login a from 1.1.1.1 status x'), noonSat)).rule?.id).toBe(102);
    expect(e.process(ev(line('login a from 1.1.1.1 status x'), noonWed)).rule?.id).toBe(100);
  });

  test('pure checks run cheapest first (fields before the log) and all must pass', () => {
    const e = build(`<group name="app,">
      <rule id="100" level="3"><decoded_as>app</decoded_as><description>base</description></rule>
      <rule id="101" level="5"><if_sid>100</if_sid><match>status fail</match><time>0:00 - 23:59</time><user>root</user><hostname>^h$</hostname><description>x</description></rule>
    </group>`);
    const rule = e.ruleset.rulesById.get(101)!;
    // OSSEC tests match before user, time and hostname; the answer is the same in any order.
    expect(rule.checkReads).toEqual(['hostname', 'user', null, null]);
    expect(rule.checks).toHaveLength(4);
    const events = [
      ev(line('login root from 1.1.1.1 status fail')), ev(line('login bob from 1.1.1.1 status fail')),
      ev(line('login root from 1.1.1.1 status ok')),
    ];
    for (const event of events) {
      e.predecode(event);
      e.decode(event);
    }
    expect(events.map((event) => rule.checks.every((c) => c(event)))).toEqual([true, false, false]);
    // The log is not read when a field check fails.
    let logReads = 0;
    const spy = events[1];
    const log = spy.log;
    Object.defineProperty(spy, 'log', { get: () => { logReads++; return log; } });
    expect(rule.checks.every((c) => c(spy))).toBe(false);
    expect(logReads).toBe(0);
  });
});

describe('broken rules name the file, line and element', () => {
  const compile = (rules: string) => () =>
    compileRuleset({ decoderFiles: [parseXml(DECODERS, 'd.xml')], ruleFiles: [parseXml(ROOTS, 'roots.xml'), parseXml(rules, 'bad_rules.xml')] });

  test('unknown element', () => {
    expect(compile('<group name="a,">\n<rule id="100" level="3">\n  <bogus>x</bogus>\n</rule></group>')).toThrow(/bad_rules\.xml:3: <bogus>: unknown rule element/);
  });
  test('bad regex', () => {
    expect(compile('<group name="a,">\n<rule id="100" level="3">\n  <regex>\\z(</regex>\n</rule></group>')).toThrow(RulesetError);
  });
  test('if_sid to a missing rule', () => {
    expect(compile('<group name="a,">\n<rule id="100" level="3">\n  <if_sid>999</if_sid>\n</rule></group>')).toThrow(/bad_rules\.xml:2: <rule>: if_sid refers to rule 999/);
  });
  test('level out of range', () => {
    expect(compile('<group name="a,"><rule id="100" level="17"><description>x</description></rule></group>')).toThrow(/level must be between 0 and 16/);
  });
  test('duplicate id', () => {
    expect(compile('<group name="a,"><rule id="100" level="1"><description>x</description></rule><rule id="100" level="1"><description>x</description></rule></group>')).toThrow(/duplicate rule id 100/);
  });
});
