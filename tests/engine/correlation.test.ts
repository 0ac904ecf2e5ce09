import { engineFor, ev } from './helpers';
import { MemoryFtsStore } from '../../otel-processor/src/engine/correlate/fts';

const DECODERS = `
<decoder name="auth">
  <program_name>^auth$</program_name>
  <regex>^(\\S+) (\\S+) from (\\S+) url (\\S+) id (\\S+)</regex>
  <order>status, user, srcip, url, id</order>
  <fts>name, user, location</fts>
</decoder>
`;
const T0 = 1_700_000_000_000;
const line = (status: string, user: string, ip: string, url = '/', id = '1') => `Jan  1 10:00:00 h auth: ${status} ${user} from ${ip} url ${url} id ${id}`;

const RULES = `<group name="auth,">
  <rule id="100" level="2"><decoded_as>auth</decoded_as><description>auth</description></rule>
  <rule id="101" level="5"><if_sid>100</if_sid><status>fail</status><description>failure</description><group>authentication_failed,</group></rule>
  <rule id="102" level="10" frequency="2" timeframe="120"><if_matched_sid>101</if_matched_sid><same_source_ip /><description>brute force</description></rule>
  <rule id="103" level="3"><if_sid>100</if_sid><status>ok</status><description>success</description></rule>
  <rule id="104" level="8"><if_sid>103</if_sid><if_fts /><description>first login of this user here</description></rule>
  <rule id="109" level="5"><if_sid>100</if_sid><status>deny</status><description>denied</description><group>authentication_failed,</group></rule>
  <rule id="105" level="9" frequency="1" timeframe="60"><if_matched_group>authentication_failed</if_matched_group><same_user /><different_url /><description>user fails on different urls</description></rule>
  <rule id="106" level="6" ignore="30"><if_sid>100</if_sid><status>noisy</status><description>noisy</description></rule>
  <rule id="107" level="7"><if_sid>100</if_sid><status>same</status><same_id /><description>x</description></rule>
</group>`;

describe('correlation', () => {
  // OSSEC 4.x: frequency="N" fires when N+1 earlier events qualify (the (N+2)th event).
  test('frequency with same_source_ip fires on the (N+2)th event inside the timeframe', () => {
    const e = engineFor(DECODERS, RULES);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i * 1000)).rule!.id);
    expect(got).toEqual([101, 101, 101, 102]);
  });

  test('other source IPs do not count; events outside the timeframe do not count', () => {
    const e = engineFor(DECODERS, RULES);
    e.process(ev(line('fail', 'u', '1.1.1.1'), T0));
    e.process(ev(line('fail', 'u', '2.2.2.2'), T0 + 1000));
    e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 2000));
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3000)).rule!.id).toBe(101);
    const late = engineFor(DECODERS, RULES);
    for (let i = 0; i < 3; i++) late.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i * 1000));
    expect(late.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 200_000)).rule!.id).toBe(101);
  });

  test('the alert carries the correlated lines; events already used do not fire again at once', () => {
    const e = engineFor(DECODERS, RULES);
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i));
    const v = e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3));
    expect(v.rule!.id).toBe(102);
    expect(v.previousOutput).toHaveLength(3);
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 4)).rule!.id).toBe(101);
  });

  test('correlation is per agent by default, global on request', () => {
    const perAgent = engineFor(DECODERS, RULES);
    for (let i = 0; i < 3; i++) perAgent.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i, 'stdin', `a${i}`));
    expect(perAgent.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3, 'stdin', 'a3')).rule!.id).toBe(101);
    const global = engineFor(DECODERS, RULES, { correlationScope: 'global' });
    for (let i = 0; i < 3; i++) global.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i, 'stdin', `a${i}`));
    expect(global.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3, 'stdin', 'a3')).rule!.id).toBe(102);
  });

  test('if_matched_group with same_user and different_url', () => {
    const e = engineFor(DECODERS, RULES);
    e.process(ev(line('deny', 'bob', '1.1.1.1', '/a'), T0));
    e.process(ev(line('deny', 'bob', '2.2.2.2', '/a'), T0 + 1));
    expect(e.process(ev(line('deny', 'bob', '3.3.3.3', '/a'), T0 + 2)).rule!.id).toBe(109);
    expect(e.process(ev(line('deny', 'bob', '4.4.4.4', '/b'), T0 + 3)).rule!.id).toBe(105);
  });

  test('a rule remembered for if_matched_sid does not also feed group correlation (as OSSEC)', () => {
    const e = engineFor(DECODERS, RULES);
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'bob', `1.1.1.${i}`, `/u${i}`), T0 + i));
    expect(e.process(ev(line('fail', 'bob', '1.1.1.9', '/z'), T0 + 4)).rule!.id).toBe(101);
  });

  test('first time seen: once per user and location, remembered by the store', () => {
    const store = new MemoryFtsStore();
    const e = engineFor(DECODERS, RULES, { fts: store });
    expect(e.process(ev(line('ok', 'alice', '1.1.1.1'), T0)).rule!.id).toBe(104);
    expect(e.process(ev(line('ok', 'alice', '2.2.2.2'), T0 + 1)).rule!.id).toBe(103);
    expect(e.process(ev(line('ok', 'carol', '1.1.1.1'), T0 + 2)).rule!.id).toBe(104);
    const again = engineFor(DECODERS, RULES, { fts: store });
    expect(again.process(ev(line('ok', 'alice', '1.1.1.1'), T0 + 3)).rule!.id).toBe(103);
  });

  test('ignore window suppresses repeats of the same rule', () => {
    const e = engineFor(DECODERS, RULES);
    expect(e.process(ev(line('noisy', 'u', '1.1.1.1'), T0)).alert).toBe(true);
    const v = e.process(ev(line('noisy', 'u', '1.1.1.1'), T0 + 10_000));
    expect(v.rule!.id).toBe(106);
    expect(v.suppressed).toBe('ignore_window');
    expect(e.process(ev(line('noisy', 'u', '1.1.1.1'), T0 + 31_000)).alert).toBe(true);
  });
});

describe('correlation memory bounds (OSSEC 4.2 bookkeeping)', () => {
  test('events that fall out of the memory no longer count', () => {
    const e = engineFor(DECODERS, RULES, { limits: { memorySize: 3, sidListMax: 128, groupListMax: 24 } });
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i));
    // three other alerted events push the failures out of a memory of 3
    for (let i = 0; i < 3; i++) e.process(ev(line('ok', `x${i}`, '9.9.9.9'), T0 + 10 + i));
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 20)).rule!.id).toBe(101);
  });

  test('a capped list keeps its newest entries', () => {
    const e = engineFor(DECODERS, RULES, { limits: { memorySize: 8192, sidListMax: 2, groupListMax: 24 } });
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i));
    // only two earlier failures are kept, frequency 2 needs three
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3)).rule!.id).toBe(101);
  });
});
