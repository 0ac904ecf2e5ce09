/** The remaining correlation elements: same_id, same_location, ignore/check_if_ignored, check_diff, and the two clocks. */
import { engineFor, ev } from './helpers';
import { runLine } from '../../otel-processor/src/engine/run-line';
import { LogEvent } from '../../otel-processor/src/engine/engine';

const DECODERS = `
<decoder name="ids">
  <program_name>^ids$</program_name>
  <regex>^sig (\\S+) from (\\S+)</regex>
  <order>id, srcip</order>
</decoder>
<decoder name="cmd">
  <program_name>^cmd$</program_name>
</decoder>
`;
const RULES = `<group name="ids,">
  <rule id="200" level="3"><decoded_as>ids</decoded_as><description>ids</description></rule>
  <rule id="201" level="6"><if_sid>200</if_sid><check_if_ignored>srcip, id</check_if_ignored><description>ids event</description></rule>
  <rule id="202" level="10" frequency="1" timeframe="120"><if_matched_sid>201</if_matched_sid><same_id /><description>same signature</description></rule>
  <rule id="203" level="11" frequency="1" timeframe="3800"><if_matched_sid>202</if_matched_sid><same_id /><ignore>srcip, id</ignore><description>repeated, now ignoring</description></rule>
  <rule id="210" level="2"><decoded_as>cmd</decoded_as><description>cmd output</description></rule>
  <rule id="211" level="7"><if_sid>210</if_sid><match>netstat</match><check_diff /><description>output changed</description></rule>
  <rule id="212" level="9" frequency="1" timeframe="60"><if_matched_sid>211</if_matched_sid><same_location /><description>changed twice here</description></rule>
</group>`;
const T0 = 1_700_000_000_000;
const sig = (id: string, ip: string) => `Jan  1 10:00:00 h ids: sig ${id} from ${ip}`;

describe('correlation elements', () => {
  test('same_id counts only events with the same id', () => {
    const e = engineFor(DECODERS, RULES);
    expect(e.process(ev(sig('1:100', '1.1.1.1'), T0)).rule!.id).toBe(201);
    expect(e.process(ev(sig('1:200', '1.1.1.1'), T0 + 1)).rule!.id).toBe(201);
    expect(e.process(ev(sig('1:200', '2.2.2.2'), T0 + 2)).rule!.id).toBe(201);
    expect(e.process(ev(sig('1:200', '3.3.3.3'), T0 + 3)).rule!.id).toBe(202);
  });

  test('<ignore> records fields that check_if_ignored then silences', () => {
    const e = engineFor(DECODERS, RULES);
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push(e.process(ev(sig('9:9', '5.5.5.5'), T0 + i)).rule!.id);
    // 202 fires on every third event (used events stop the search), 203 on the third 202
    expect(ids).toEqual([201, 201, 202, 201, 201, 202, 201, 201, 203]);
    const after = e.process(ev(sig('9:9', '5.5.5.5'), T0 + 100));
    expect(after.rule!.id).toBe(201);
    expect(after.suppressed).toBe('ignored_fields');
    expect(after.alert).toBe(false);
    // another source with the same signature is not ignored
    expect(e.process(ev(sig('9:9', '6.6.6.6'), T0 + 101)).suppressed).not.toBe('ignored_fields');
  });

  test('check_diff alerts only when a command output changes, and same_location correlates per location', () => {
    const e = engineFor(DECODERS, RULES);
    const out = (text: string, t: number, loc = 'netstat -tan') => e.process(new LogEvent(`Jan  1 10:00:00 h cmd: netstat ${text}`, loc, 'h', T0 + t));
    expect(out('a', 0).rule!.id).toBe(210); // first output: baseline only
    expect(out('a', 1).rule!.id).toBe(210); // unchanged
    expect(out('b', 2).rule!.id).toBe(211); // changed
    expect(out('b', 3, 'other').rule!.id).toBe(210); // baseline for another location
    expect(out('c', 4).rule!.id).toBe(211); // changed again
    expect(out('d', 5).rule!.id).toBe(212); // third change at this location: two earlier ones here
    expect(out('e', 6, 'other').rule!.id).toBe(211); // the other location has had no change before
  });

  test('event clock: records far apart in their own time do not correlate; processing clock: they do', () => {
    const lines = [0, 1, 2].map((m) => `Jan  1 10:0${m * 4}:00 h ids: sig 7:7 from 9.9.9.9`);
    const run = (clock: 'event' | 'processing') => {
      const e = engineFor(DECODERS, RULES);
      return lines.map((l) => runLine(e, new LogEvent(l, 'stdin', 'h', Date.now()), clock).rule!.id);
    };
    // 4 minutes apart > timeframe 120 s on the event clock
    expect(run('event')).toEqual([201, 201, 201]);
    expect(run('processing')).toEqual([201, 201, 202]);
  });
});

describe('accumulate', () => {
  const DEC = `
<decoder name="slapd">
  <program_name>^slapd$</program_name>
  <accumulate />
</decoder>
<decoder name="slapd-conn">
  <parent>slapd</parent>
  <prematch>^conn=\\d+ fd=\\d+ ACCEPT</prematch>
  <regex>^conn=(\\d+) fd=\\d+ ACCEPT from IP=(\\S+):</regex>
  <order>id, srcip</order>
  <accumulate />
</decoder>
<decoder name="slapd-bind">
  <parent>slapd</parent>
  <prematch>^conn=\\d+ op=\\d+ RESULT</prematch>
  <regex>^conn=(\\d+) op=\\d+ RESULT tag=97 err=49</regex>
  <order>id</order>
  <accumulate />
</decoder>`;
  const RUL = `<group name="ldap,">
  <rule id="300" level="2"><decoded_as>slapd</decoded_as><description>slapd</description></rule>
  <rule id="301" level="5"><if_sid>300</if_sid><match>err=49</match><srcip>10.0.0.0/8</srcip><description>bind failure from inside</description></rule>
</group>`;
  test('a later line of the same connection gets the address decoded earlier', () => {
    const e = engineFor(DEC, RUL);
    e.process(ev('Jan  1 10:00:00 h slapd: conn=7 fd=12 ACCEPT from IP=10.1.2.3:5555 (IP=0.0.0.0:389)', T0));
    const bind = ev('Jan  1 10:00:01 h slapd: conn=7 op=1 RESULT tag=97 err=49 text=', T0 + 1000);
    expect(e.process(bind).rule!.id).toBe(301);
    expect(bind.srcip).toBe('10.1.2.3');
    const other = ev('Jan  1 10:00:02 h slapd: conn=8 op=1 RESULT tag=97 err=49 text=', T0 + 2000);
    expect(e.process(other).rule!.id).toBe(300);
  });

  test('as accumulator.c: the first value stored for a field is kept; an entry idle for 120 s starts afresh', () => {
    const e = engineFor(DEC, RUL);
    e.process(ev('Jan  1 10:00:00 h slapd: conn=7 fd=12 ACCEPT from IP=10.1.2.3:5555 (IP=0.0.0.0:389)', T0));
    e.process(ev('Jan  1 10:00:00 h slapd: conn=7 fd=13 ACCEPT from IP=192.0.2.1:5555 (IP=0.0.0.0:389)', T0 + 1000));
    const bind = ev('Jan  1 10:00:01 h slapd: conn=7 op=1 RESULT tag=97 err=49 text=', T0 + 2000);
    e.process(bind);
    expect(bind.srcip).toBe('10.1.2.3');
    const late = ev('Jan  1 10:03:00 h slapd: conn=7 op=2 RESULT tag=97 err=49 text=', T0 + 2000 + 120_001);
    expect(e.process(late).rule!.id).toBe(300);
    expect(late.srcip).toBeNull();
  });
});
