/**
 * Correlation memory bounded across agents: a budget for the whole engine with eviction fair
 * across agents, and idle agents' state released once it can no longer fall in a window.
 */
import { engineFor, ev } from './helpers';

const DECODERS = `<decoder name="auth"><program_name>^auth$</program_name><regex>^(\\S+) from (\\S+)</regex><order>status, srcip</order></decoder>`;
const RULES = `<group name="auth,">
  <rule id="100" level="2"><decoded_as>auth</decoded_as><description>auth</description></rule>
  <rule id="101" level="5"><if_sid>100</if_sid><status>fail</status><description>failure</description><group>authentication_failed,</group></rule>
  <rule id="102" level="10" frequency="2" timeframe="120"><if_matched_sid>101</if_matched_sid><same_source_ip /><description>brute force</description></rule>
</group>`;
const T0 = 1_700_000_000_000;
const fail = (ip: string) => `Jan  1 10:00:00 h auth: fail from ${ip}`;

test('a small budget holds with many busy agents, and a quiet agent still correlates across its timeframe', () => {
  const budget = 400_000;
  const e = engineFor(DECODERS, RULES, { memoryBudgetBytes: budget });
  const quiet: number[] = [];
  let maxBytes = 0;
  for (let i = 0; i < 10_000; i++) {
    const t = T0 + i * 10; // 100 s in all
    // 50 busy agents, each from its own addresses (no brute force)
    const busy = `busy${i % 50}`;
    e.process(ev(fail(`10.0.${i % 50}.${(i >> 6) % 250}`), t, 'stdin', busy));
    maxBytes = Math.max(maxBytes, e.state.bytesRemembered);
    // the quiet agent fails three times from one address over 60 s, then once more at 100 s
    if (i % 3000 === 0 && quiet.length < 3) quiet.push(e.process(ev(fail('192.0.2.7'), t, 'stdin', 'quiet')).rule!.id);
  }
  quiet.push(e.process(ev(fail('192.0.2.7'), T0 + 100_000, 'stdin', 'quiet')).rule!.id);
  expect(maxBytes).toBeLessThanOrEqual(budget);
  expect(e.state.evictions).toBeGreaterThan(1000);
  expect(quiet).toEqual([101, 101, 101, 102]);
  expect(e.state.agentsWithState).toBe(51);
  expect(e.errors).toBe(0);
});

test('without a budget nothing is evicted (one agent keeps OSSEC\'s full memory)', () => {
  const e = engineFor(DECODERS, RULES, { memoryBudgetBytes: 0 });
  for (let i = 0; i < 20_000; i++) e.process(ev(fail(`10.0.0.${i % 250}`), T0, 'stdin', 'one'));
  expect(e.state.evictions).toBe(0);
  // memory_size 8192, ten freed per overflow when none is older than the largest frequency
  expect(e.state.eventsRemembered).toBeLessThanOrEqual(8192);
  expect(e.state.eventsRemembered).toBeGreaterThanOrEqual(8183);
});

test('an idle agent\'s state is released once its events are past every window', () => {
  const e = engineFor(DECODERS, RULES);
  for (let i = 0; i < 3; i++) e.process(ev(fail('192.0.2.9'), T0 + i, 'stdin', 'idle'));
  // another agent keeps going well past the largest timeframe (120 s) and the sweep interval
  for (let i = 0; i < 20_000; i++) e.process(ev(fail(`10.0.1.${i % 250}`), T0 + 1000 + i * 100, 'stdin', 'busy'));
  expect(e.state.scopesReleased).toBe(1);
  expect(e.state.agentsWithState).toBe(1);
  expect(e.state.sidList(101, 'idle')).toBeUndefined();
  // back later: starts afresh (the old failures are far outside the timeframe anyway)
  const later = T0 + 1000 + 20_000 * 100;
  expect(e.process(ev(fail('192.0.2.9'), later, 'stdin', 'idle')).rule!.id).toBe(101);
});

test('freeing an event the sid-list cap dropped deletes the oldest node of each group list its rule feeds (Free_Eventinfo)', () => {
  // Rule 101 goes on rule 102's if_matched_sid list (cap 2 here); rule 104 on rule 103's group
  // list; rule 101 feeds that group list too but, being on a sid list, is never filed there.
  const rules = RULES.slice(0, RULES.lastIndexOf('</group>')) + `<rule id="104" level="5"><if_sid>100</if_sid><status>deny</status><description>denied</description><group>authentication_failed,</group></rule>
  <rule id="103" level="9" frequency="50" timeframe="600"><if_matched_group>authentication_failed</if_matched_group><description>many failures</description></rule>
</group>`;
  const model = { memorySize: 10, freeAtLeast: 1, sidListMax: 2, ignoreExpiry: 'restart' as const };
  const e = engineFor(DECODERS, rules, { model });
  const groupList = () => e.state.groupList(103, '000')!;
  const deny = (ip: string) => `Jan  1 10:00:00 h auth: deny from ${ip}`;
  for (let i = 0; i < 5; i++) expect(e.process(ev(fail(`10.0.0.${i}`), T0 + i)).rule?.id).toBe(101);
  expect(e.state.sidList(101, '000')!.size).toBe(2);
  for (let i = 0; i < 5; i++) expect(e.process(ev(deny(`10.0.1.${i}`), T0 + 10 + i)).rule?.id).toBe(104);
  expect(groupList().size).toBe(5);
  expect(e.state.eventsRemembered).toBe(10);
  // Memory holds 10: the next event frees the oldest, the first rule-101 event, which the cap
  // had dropped from its sid list; so the group list loses its oldest node as it gains this one.
  e.process(ev(deny('10.0.2.1'), T0 + 30));
  expect(e.state.eventsRemembered).toBe(10);
  expect(groupList().size).toBe(5);
  // So do the second and third; the fourth, still on its sid list, takes only that node.
  for (let i = 0; i < 2; i++) e.process(ev(deny(`10.0.3.${i}`), T0 + 40 + i));
  expect(groupList().size).toBe(5);
  expect(e.state.sidList(101, '000')!.size).toBe(2);
  e.process(ev(deny('10.0.4.1'), T0 + 50));
  expect(e.state.sidList(101, '000')!.size).toBe(1);
  expect(groupList().size).toBe(6);
  expect(e.errors).toBe(0);
});

test('the idle sweep drops expired ignore windows of idle agents only, and decisions stay as before', () => {
  const rules = `${RULES.slice(0, RULES.lastIndexOf('</group>'))}
  <rule id="110" level="7" ignore="60"><if_sid>100</if_sid><status>deny</status><description>denied</description></rule>
</group>`;
  const deny = (ip: string) => `Jan  1 10:00:00 h auth: deny from ${ip}`;
  const e = engineFor(DECODERS, rules);
  expect(e.process(ev(deny('192.0.2.1'), T0, 'stdin', 'idle')).rule!.id).toBe(110);
  expect(e.process(ev(deny('192.0.2.2'), T0, 'stdin', 'steady')).rule!.id).toBe(110);
  // inside its window a second deny is ignored
  expect(e.process(ev(deny('192.0.2.2'), T0 + 1000, 'stdin', 'steady')).alert).toBe(false);
  // 'steady' keeps sending other lines, a busy agent carries the clock far past every window
  for (let i = 0; i < 20_000; i++) {
    const t = T0 + 2000 + i * 100;
    e.process(ev(fail(`10.0.1.${i % 250}`), t, 'stdin', 'busy'));
    if (i % 100 === 0) e.process(ev(`Jan  1 10:00:00 h auth: ok from 192.0.2.2`, t, 'stdin', 'steady'));
  }
  const windows = e.state.ignoredSince.get(110)!;
  expect(windows.has('idle')).toBe(false); // idle past the horizon: its expired window is gone
  expect(windows.has('steady')).toBe(true); // not idle: kept, as the sweep only clears idle agents
  const later = T0 + 2000 + 20_000 * 100;
  for (const [ip, agent] of [['192.0.2.1', 'idle'], ['192.0.2.2', 'steady']]) {
    const v = e.process(ev(deny(ip), later, 'stdin', agent));
    expect([v.rule!.id, v.alert]).toEqual([110, true]);
  }
  expect(e.errors).toBe(0);
});
