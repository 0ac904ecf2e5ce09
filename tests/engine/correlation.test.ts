import { engineFor, ev } from './helpers';
import { MemoryFtsStore, ftsKey } from '../../otel-processor/src/engine/correlate/fts';
import { CorrelationState, History, OSSEC_ANALYSISD, OSSEC_LOGTEST, SidHistory, sketchBucket } from '../../otel-processor/src/engine/correlate/state';
import { LogEvent } from '../../otel-processor/src/engine/event';

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

describe('correlation memory (OSSEC 4.2 bookkeeping)', () => {
  const small = (memorySize: number, sidListMax = 128) => ({ ...OSSEC_ANALYSISD, memorySize, sidListMax });

  test('once memory is full at least ten events are freed, and freed events no longer count', () => {
    const e = engineFor(DECODERS, RULES, { model: small(3) });
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i));
    // the fourth remembered event overflows a memory of 3: all (fewer than ten) are freed
    e.process(ev(line('ok', 'x', '9.9.9.9'), T0 + 3));
    expect(e.state.eventsRemembered).toBe(0);
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 4)).rule!.id).toBe(101);
  });

  test('past ten, events older than the largest frequency (in seconds) are freed too', () => {
    // largest frequency in RULES is 2: events more than 2 s older than the new one go
    const e = engineFor(DECODERS, RULES, { model: small(12) });
    for (let i = 0; i < 12; i++) e.process(ev(line('ok', 'x', '9.9.9.9'), T0 + (i < 11 ? 0 : 5000)));
    e.process(ev(line('ok', 'x', '9.9.9.9'), T0 + 5000));
    // 13 > 12: ten freed at least, the eleventh too (5 s old), the two at T0+5s stay
    expect(e.state.eventsRemembered).toBe(2);
  });

  test('an if_matched_sid list keeps its newest entries', () => {
    const e = engineFor(DECODERS, RULES, { model: small(8192, 2) });
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i));
    // only two earlier failures are kept, frequency 2 needs three
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3)).rule!.id).toBe(101);
  });

  test('a rule that sits in several places of the tree files its events that many times', () => {
    // 302 is a child of both 300 and 301 (if_group), so OSSEC's tree holds it twice and each
    // of its events counts twice for 303 (frequency 2: three earlier entries)
    const rules = `<group name="t,">
      <rule id="300" level="3"><decoded_as>auth</decoded_as><status>a</status><description>a</description><group>twice,</group></rule>
      <rule id="301" level="3"><decoded_as>auth</decoded_as><status>b</status><description>b</description><group>twice,</group></rule>
      <rule id="302" level="5"><if_group>twice</if_group><user>bad</user><description>bad</description><group>attacks,</group></rule>
      <rule id="303" level="12" frequency="2" timeframe="60"><if_matched_group>attacks</if_matched_group><description>repeated</description></rule>
    </group>`;
    const e = engineFor(DECODERS, rules);
    expect(e.ruleset.feedsGroups.get(302)).toEqual([303, 303]);
    expect(e.process(ev(line('a', 'bad', '1.1.1.1'), T0)).rule!.id).toBe(302);
    expect(e.process(ev(line('b', 'bad', '1.1.1.1'), T0 + 1)).rule!.id).toBe(302);
    // four entries from two events: the third event fires (filed once each, it would need four)
    expect(e.process(ev(line('a', 'bad', '1.1.1.1'), T0 + 2)).rule!.id).toBe(303);
  });

  test('freeing an event filed several times deletes as many oldest nodes, and per-address counts follow', () => {
    // 302 is filed twice on 303's list; 303 wants four earlier entries from the same address
    const rules = `<group name="t,">
      <rule id="300" level="3"><decoded_as>auth</decoded_as><status>a</status><description>a</description><group>twice,</group></rule>
      <rule id="301" level="3"><decoded_as>auth</decoded_as><status>b</status><description>b</description><group>twice,</group></rule>
      <rule id="302" level="5"><if_group>twice</if_group><user>bad</user><description>bad</description><group>attacks,</group></rule>
      <rule id="303" level="12" frequency="3" timeframe="60"><if_matched_group>attacks</if_matched_group><same_source_ip /><description>repeated</description></rule>
    </group>`;
    const e = engineFor(DECODERS, rules, { model: { ...OSSEC_ANALYSISD, memorySize: 3, freeAtLeast: 1 } });
    const list = () => e.state.groupList(303, '000')!;
    const ids = ['1.1.1.1', '2.2.2.2', '1.1.1.1'].map((ip, i) => e.process(ev(line('a', 'bad', ip), T0 + i)).rule!.id);
    expect(ids).toEqual([302, 302, 302]);
    expect(list().size).toBe(6);
    // a fourth remembered event overflows memory: the first is freed, taking both its nodes
    expect(e.process(ev(line('a', 'x', '9.9.9.9'), T0 + 3)).rule!.id).toBe(300);
    expect(list().size).toBe(4);
    expect(list().countOf(0, '1.1.1.1')).toBe(2);
    // two entries from 1.1.1.1 are not four; the next event brings two more (and frees 2.2.2.2's)
    expect(e.process(ev(line('a', 'bad', '1.1.1.1'), T0 + 4)).rule!.id).toBe(302);
    expect(list().size).toBe(4);
    expect(list().countOf(0, '2.2.2.2')).toBe(0);
    expect(e.process(ev(line('a', 'bad', '1.1.1.1'), T0 + 5)).rule!.id).toBe(303);
  });

  test('a list moves its live entries down in place and keeps order and per-value counts over many values', () => {
    const byIp = { field: 'srcip', get: (e: LogEvent) => e.srcip };
    const list = new SidHistory(5, [byIp]);
    const model = new Map<string, number>();
    const kept: LogEvent[] = [];
    for (let i = 0; i < 2000; i++) {
      const e = new LogEvent(`l${i}`, 'x', 'h', T0 + i);
      e.srcip = `10.0.${i % 7}.${i % 300}`; // some values recur, most are new
      list.add(e);
      kept.push(e);
      if (kept.length > 5) kept.shift();
    }
    for (const e of kept) model.set(e.srcip!, (model.get(e.srcip!) ?? 0) + 1);
    expect(list.size).toBe(5);
    expect(list.events.slice(list.head, list.tail)).toEqual(kept);
    expect(list.events.length).toBeLessThan(200); // compacted as it goes, not grown to 2,000
    expect(list.events.slice(0, list.head).every((x) => x === undefined)).toBe(true); // dropped entries are let go
    expect(list.events.slice(list.tail).every((x) => x === undefined)).toBe(true); // the moved-from slots too
    for (const [ip, n] of model) expect(list.countOf(0, ip)).toBe(n);
    expect(list.countOf(0, '10.0.0.0')).toBe(0);
    // draining empties it; values counted before read 0
    const group = new History([byIp]);
    for (const e of kept) group.pushTimes(e, 2);
    group.dropOldestTimes(10);
    expect(group.size).toBe(0);
    for (const e of kept) expect(group.countOf(0, e.srcip!)).toBe(0);
  });

  test('per-value counts follow a plain recount through filings, drops, sweeps and the asked-value shortcut', () => {
    const byIp = { field: 'srcip', get: (e: LogEvent) => e.srcip };
    const byUser = { field: 'dstuser', get: (e: LogEvent) => e.dstuser };
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const list = new SidHistory(40, [byIp, byUser]);
    const group = new History([byIp, byUser]);
    const recount = (h: History, keyIndex: number, value: string) => {
      let n = 0;
      for (let i = h.head; i < h.tail; i++) if ((keyIndex === 0 ? h.events[i]!.srcip : h.events[i]!.dstuser) === value) n++;
      return n;
    };
    const values = (i: number) => [`10.0.0.${i % 50}`, `u${i % 9}`];
    for (let i = 0; i < 20000; i++) {
      const e = new LogEvent(`l${i}`, 'x', 'h', T0 + i);
      const r = rand(100);
      e.srcip = r < 90 ? `10.0.0.${rand(i < 10000 ? 50 : 400)}` : null; // many new values later: sweeps
      e.dstuser = r % 3 === 0 ? null : `u${rand(9)}`;
      // a rule asks first (about this event's value, or another), then the event is filed
      const [ip, user] = rand(2) === 0 ? [e.srcip ?? 'none', e.dstuser ?? 'none'] : values(rand(1000));
      expect(list.countOf(0, ip)).toBe(recount(list, 0, ip));
      expect(group.countOf(1, user)).toBe(recount(group, 1, user));
      // as a rule asks (the event's own values, remembered for its filing), the answer is the recount's
      const needed = 1 + rand(4);
      if (e.dstuser !== null) expect(group.mayReach(1, e.dstuser, needed, e)).toBe(recount(group, 1, e.dstuser) >= needed);
      if (e.srcip !== null && rand(2) === 0) expect(group.mayReach(0, e.srcip, needed, e)).toBe(recount(group, 0, e.srcip) >= needed);
      list.add(e);
      group.pushTimes(e, 1 + rand(3));
      if (rand(4) === 0) group.dropOldestTimes(1 + rand(6));
      if (rand(50) === 0) list.dropOldest();
    }
    for (const h of [list, group]) {
      for (let i = 0; i < 1000; i++) {
        const [ip, user] = values(i);
        expect(h.countOf(0, ip)).toBe(recount(h, 0, ip));
        expect(h.countOf(1, user)).toBe(recount(h, 1, user));
      }
    }
    group.dropOldestTimes(group.size);
    expect(group.countOf(0, '10.0.0.1')).toBe(0);
  });

  test('scope look-ups answer as the map does, whichever scope was looked up last', () => {
    const st = new CorrelationState();
    expect(st.findScope('001')).toBeUndefined();
    const a = st.scope('001');
    expect(st.findScope('001')).toBe(a);
    expect(st.findScope('002')).toBeUndefined();
    expect(st.findScope('002')).toBeUndefined(); // asked twice: still none
    const b = st.scope('002');
    expect(b).not.toBe(a);
    expect([st.findScope('001'), st.scope('001'), st.findScope('002'), st.scope('002')]).toEqual([a, a, b, b]);
    expect(st.findScope('0' + '01')).toBe(a); // by value, not by string object
  });

  test('a scope\'s memory frees its oldest events first as its ring grows to memory_size + 1 and wraps', () => {
    for (const memorySize of [100, 2048, 5]) {
      const st = new CorrelationState({ ...OSSEC_ANALYSISD, memorySize, freeAtLeast: 1, sidListMax: 1 << 20 });
      st.maxFrequencyMs = Infinity; // free exactly freeAtLeast
      const m = st.scope('000');
      const feeds = st.feedsOf(m, 7, true, null);
      const all: LogEvent[] = [];
      for (let i = 0; i < 3 * memorySize + 7; i++) {
        const e = new LogEvent(`l${i}`, 'x', 'h', T0 + i);
        all.push(e);
        st.remember(m, e.time, e, feeds, feeds.file(e));
        expect(m.held).toBe(Math.min(i + 1, memorySize));
      }
      // each freed event took its own sid-list node: the list holds exactly the newest events
      const list = st.sidList(7, '000')!;
      expect(list.events.slice(list.head, list.tail)).toEqual(all.slice(-memorySize));
    }
  });

  test('a count sketch never answers below the exact count: sketched and exact lists filed alike agree wherever the exact count reaches', () => {
    const byIp = { field: 'srcip', get: (e: LogEvent) => e.srcip };
    const byUser = { field: 'dstuser', get: (e: LogEvent) => e.dstuser };
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // many values (buckets are shared), long ones hashed by their ends, and values made afresh
    const ipOf = (i: number) => (i % 5 === 0 ? `fe80::${'a'.repeat(40)}:${i}` : `10.${i % 3}.0.${i}`);
    const sketched = [new SidHistory(60, [byIp, byUser]), new History([byIp, byUser], true)];
    const exact = [new History([byIp, byUser]), new History([byIp, byUser])];
    let reached = 0;
    let spared = 0;
    for (let i = 0; i < 20000; i++) {
      const e = new LogEvent(`l${i}`, 'x', 'h', T0 + i);
      e.srcip = rand(10) === 0 ? null : ipOf(rand(i < 10000 ? 40 : 2000));
      e.dstuser = rand(4) === 0 ? null : `u${rand(30)}`;
      for (let h = 0; h < 2; h++) {
        const s = sketched[h];
        const x = exact[h];
        const ip = rand(2) === 0 ? (e.srcip ?? 'none') : ipOf(rand(2000)).split('').join('');
        const needed = 1 + rand(8);
        const asker = new LogEvent('q', 'x', 'h', T0);
        const exactAnswer = x.mayReach(0, ip, needed, asker);
        expect(exactAnswer).toBe(x.countOf(0, ip) >= needed);
        if (exactAnswer) reached++;
        else if (!s.mayReach(0, ip, needed, asker)) spared++;
        if (exactAnswer) expect(s.mayReach(0, ip, needed, asker)).toBe(true);
        if (e.srcip !== null && x.countOf(0, e.srcip) >= needed) expect(s.mayReach(0, e.srcip, needed, e)).toBe(true); // then filed: its bucket reused
        if (x.countOf(1, 'u3') >= needed) expect(s.mayReach(1, 'u' + 3, needed, asker)).toBe(true);
        expect(s.countOf(0, ip)).toBe(x.countOf(0, ip));
        if (h === 0) {
          (s as SidHistory).add(e);
          x.push(e);
          if (x.size > 60) x.dropOldest();
        } else {
          const times = 1 + rand(3);
          s.pushTimes(e, times);
          x.pushTimes(e, times);
          if (rand(3) === 0 || x.size > 300) {
            const n = 1 + rand(6);
            s.dropOldestTimes(n);
            x.dropOldestTimes(n);
          }
        }
      }
      if (i % 1000 === 0) for (let h = 0; h < 2; h++) {
        const [s, x] = [sketched[h], exact[h]];
        expect(s.size).toBe(x.size);
        for (let j = 0; j < s.size; j++) expect(s.events[s.head + j] === x.events[x.head + j]).toBe(true);
      }
    }
    // both answers occur, and the sketch spares most walks the exact count spares
    expect(reached).toBeGreaterThan(1000);
    expect(spared).toBeGreaterThan(10000);
    for (const h of sketched) h.dropOldestTimes(h.size);
    for (let i = 0; i < 2000; i++) expect(sketched[1].mayReach(0, ipOf(i), 1, new LogEvent('q', 'x', 'h', T0))).toBe(false); // drained: every bucket back at 0
  });

  test('a value\'s sketch bucket depends only on its text', () => {
    const long = `${'x'.repeat(50)}:1.2.3.4`;
    expect(sketchBucket(long)).toBe(sketchBucket(`${'x'.repeat(25)}${'x'.repeat(25)}:1.2.3.${4}`));
    expect(sketchBucket('10.0.0.1')).toBe(sketchBucket(' 10.0.0.1'.slice(1)));
    const seen = new Set<number>();
    for (let i = 0; i < 256; i++) seen.add(sketchBucket(`192.168.${i >> 4}.${i}`));
    expect(seen.size).toBeGreaterThan(150); // spread over the buckets
  });

  test('a value asked about, swept at 0 and filed again is counted afresh', () => {
    const byIp = { field: 'srcip', get: (e: LogEvent) => e.srcip };
    const list = new History([byIp]);
    const file = (ip: string) => {
      const e = new LogEvent(ip, 'x', 'h', T0);
      e.srcip = ip;
      list.push(e);
    };
    file('1.1.1.1');
    list.dropOldest();
    expect(list.countOf(0, '1.1.1.1')).toBe(0); // its box is kept at 0, and remembered as asked
    for (let i = 0; i < 40; i++) {
      file(`2.2.2.${i}`); // new values: the boxes at 0 are swept
      list.dropOldest();
    }
    file('1.1.1.1');
    expect(list.countOf(0, '1.1.1.1')).toBe(1);
    // asked again and again (the remembered box), while its entries come and go
    file('1.1.1.' + '1');
    expect(list.countOf(0, '1.1.1.' + '1')).toBe(2);
    list.dropOldest();
    list.dropOldest();
    expect(list.countOf(0, '1.1.1.1')).toBe(0);
    file('1.1.1.1');
    expect(list.countOf(0, '1.1.1.1')).toBe(1);
    list.dropOldest();
    for (let i = 0; i < 40; i++) {
      file(`3.3.3.${i}`);
      list.dropOldest();
    }
    expect(list.countOf(0, '1.1.1.1')).toBe(0); // swept meanwhile
    file('1.1.1.1');
    expect(list.countOf(0, '1.1.1.1')).toBe(1);
    expect(list.countOf(0, '3.3.3.39')).toBe(0);
  });

  test('rules loaded after an if_matched_group rule do not feed it', () => {
    const rules = `<group name="t,">
      <rule id="310" level="12" frequency="1" timeframe="60"><if_sid>1</if_sid><if_matched_group>late</if_matched_group><description>x</description></rule>
      <rule id="311" level="5"><decoded_as>auth</decoded_as><description>y</description><group>late,</group></rule>
    </group>`;
    const e = engineFor(DECODERS, rules);
    expect(e.ruleset.feedsGroups.get(311)).toBeUndefined();
  });

  test('ignore windows are kept per agent; after one ends, the next event alerts (logtest) or starts the next window (analysisd)', () => {
    const e = engineFor(DECODERS, RULES);
    expect(e.process(ev(line('noisy', 'u', '1.1.1.1'), T0, 'stdin', 'a')).alert).toBe(true);
    expect(e.process(ev(line('noisy', 'u', '1.1.1.1'), T0 + 1000, 'stdin', 'b')).alert).toBe(true);
    expect(e.process(ev(line('noisy', 'u', '1.1.1.1'), T0 + 2000, 'stdin', 'a')).suppressed).toBe('ignore_window');
    const run = (model: typeof OSSEC_ANALYSISD) => {
      const x = engineFor(DECODERS, RULES, { model });
      return [0, 31_000, 32_000, 40_000].map((dt) => x.process(ev(line('noisy', 'u', '1.1.1.1'), T0 + dt)).alert);
    };
    expect(run(OSSEC_ANALYSISD)).toEqual([true, true, false, false]);
    expect(run(OSSEC_LOGTEST)).toEqual([true, true, true, false]);
  });

  test('on the event clock a late event does not count events from its future', () => {
    const e = engineFor(DECODERS, RULES);
    for (let i = 0; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3_600_000 + i));
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0)).rule!.id).toBe(101);
    for (let i = 1; i < 3; i++) e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + i));
    expect(e.process(ev(line('fail', 'u', '1.1.1.1'), T0 + 3)).rule!.id).toBe(102);
  });
});

describe('first time seen as OSSEC keys it', () => {
  test('the key has OSSEC\'s slots; "srcuser" in <fts> selects the destination user (decode-xml.c)', () => {
    const store = new MemoryFtsStore();
    const dec = DECODERS.replace('<fts>name, user, location</fts>', '<fts>name, srcuser, location</fts>');
    const e = engineFor(dec, RULES, { fts: store });
    e.process(ev(line('ok', 'alice', '1.1.1.1'), T0));
    expect([...(store as unknown as { keys: Set<string> }).keys]).toEqual(['auth  alice      stdin']);
  });

  test('keys handed out again when their parts repeat are the keys made afresh (events alternating between decoders and values)', () => {
    const fields = [['name', 'user', 'location'], ['name', 'srcip', 'id', 'extra_data', 'system_name'], [], ['location']];
    // OSSEC's key as decode-xml.c and fts.c make it, written out here on its own
    const plainKey = (e: LogEvent, f: readonly string[]) => {
      const on = (name: string) => f.some((x) => x.includes(name));
      const user = on('user') ? e.dstuser ?? '' : '';
      const key = [e.decoderName ?? '', on('id') && !on('user') ? e.id ?? '' : '', user, '', on('srcip') ? e.srcip ?? '' : '', '',
        on('data') ? e.data ?? '' : '', on('system_name') ? e.system_name ?? '' : '', on('location') ? e.location : ''].join(' ');
      return key.slice(0, 255);
    };
    const values = ['a', 'b', null, 'a'.repeat(300)];
    const wrong: unknown[] = [];
    for (let i = 0; i < 400; i++) {
      const e = new LogEvent('x', i % 3 === 0 ? 'stdin' : '/var/log/auth.log', 'h', T0);
      e.decoderName = ['auth', 'pam', null][i % 3];
      e.dstuser = values[(i >> 1) % 4];
      e.srcip = values[(i >> 2) % 3];
      e.id = values[i % 2];
      e.data = values[(i >> 3) % 4];
      e.system_name = values[(i >> 4) % 3];
      for (const f of fields) if (ftsKey(e, f) !== plainKey(e, f)) wrong.push([i, f, ftsKey(e, f), plainKey(e, f)]);
    }
    expect(wrong).toEqual([]);
  });

  test('IDS decoders: past two similar recent keys, the key is cut to 14 characters', () => {
    const decoders = `<decoder name="nids"><type>ids</type><program_name>^nids$</program_name><regex>^sig (\\d+) from (\\S+)</regex><order>id, srcip</order><fts>name, id, srcip</fts></decoder>`;
    const rules = `<group name="ids,"><rule id="3" level="0" noalert="1"><category>ids</category><description>ids</description></rule>
      <rule id="400" level="8"><category>ids</category><if_fts /><description>first</description></rule>
      <rule id="401" level="6"><category>ids</category><description>again</description></rule></group>`;
    const e = engineFor(decoders, rules);
    const got = [1, 2, 3, 4, 5].map((n) => e.process(ev(`Jan  1 10:00:00 h nids: sig 12345 from 10.0.0.${n}`, T0 + n)).rule!.id);
    // "nids 12345 " is shared: the 4th key is cut to "nids 12345  10" and is new, the 5th cut the same way is not
    expect(got).toEqual([400, 400, 400, 400, 401]);
  });
});
