/**
 * Warden's ruleset, rules that need several events in one engine: frequency rules (OSSEC 4.x
 * counting), first-time-seen repeats, cross-source correlation, roots that never alert.
 */
import { engine, feed, line, record, ruleset } from './helpers';
import { FREQ_CASES, REPEAT_CASES, ROOT_CASES } from './jest-cases';

const SEC = 1000;

describe('frequency rules', () => {
  test.each(FREQ_CASES.map((c) => [c.rule, c] as const))('%i fires on the (frequency+2)th qualifying event', (_id, c) => {
    const rule = ruleset().ruleset.rulesById.get(c.rule)!;
    expect(rule).toBeDefined();
    const n = rule.frequency;
    expect(n).toBeGreaterThan(0);
    // all events inside the timeframe
    expect((n + 1) * SEC).toBeLessThan(rule.timeframe * 1000);
    const e = engine();
    const got = feed(e, Array.from({ length: n + 2 }, (_, i) => line(c.line(i), i * SEC)));
    expect(got).toEqual([...Array(n + 1).fill(c.base), c.rule]);
  });

  test.each(FREQ_CASES.map((c) => [c.rule, c] as const))('%i does not fire one event early, nor on a near miss', (_id, c) => {
    const n = ruleset().ruleset.rulesById.get(c.rule)!.frequency;
    const e = engine();
    const got = feed(e, Array.from({ length: n + 1 }, (_, i) => line(c.line(i), i * SEC)));
    expect(got).not.toContain(c.rule);
    if (c.other) {
      const last = feed(e, [line(c.other, (n + 1) * SEC)]);
      expect(last).not.toContain(c.rule);
    }
  });

  test.each(FREQ_CASES.map((c) => [c.rule, c] as const))('%i does not count events older than its timeframe', (_id, c) => {
    const rule = ruleset().ruleset.rulesById.get(c.rule)!;
    const n = rule.frequency;
    const e = engine();
    const gap = (rule.timeframe + 1) * SEC;
    // N+1 events, then a pause longer than the timeframe, then one more: nothing fires
    const events = Array.from({ length: n + 1 }, (_, i) => line(c.line(i), i * SEC));
    events.push(line(c.line(n + 1), n * SEC + gap));
    expect(feed(e, events)).not.toContain(c.rule);
  });

  test('5712 writes no alert for its ignore window after firing, then alerts again', () => {
    const c = FREQ_CASES.find((x) => x.rule === 5712)!;
    const e = engine();
    const alerts5712 = (from: number, count: number, t0: number) =>
      Array.from({ length: count }, (_, i) => e.process(line(c.line(from + i), t0 + i * SEC))).filter((v) => v.rule?.id === 5712 && v.alert).length;
    expect(alerts5712(0, 10, 0)).toBe(1);
    // 10 more inside the 60 s ignore window: 5712 matches again on the 10th, but writes no alert
    expect(alerts5712(10, 10, 10 * SEC)).toBe(0);
    expect(alerts5712(20, 10, 80 * SEC)).toBe(1);
  });

  test('a rule referenced by if_matched_sid does not feed if_matched_group lists (sshd failures do not raise 40111)', () => {
    const e = engine();
    const got = feed(e, Array.from({ length: 20 }, (_, i) => line(`Oct 11 12:00:00 h1 sshd[${100 + i}]: Failed password for root from 198.51.100.56 port ${40000 + i} ssh2`, i * SEC)));
    expect(got).toContain(5720);
    expect(got).not.toContain(40111);
  });
});

describe('first-time-seen rules', () => {
  test.each(REPEAT_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const e = engine();
    expect(feed(e, [line(c.line, 0), line(c.line, 5 * SEC)])).toEqual([c.first, c.repeat]);
  });

  test('10100 fires again for another user on the same host, and for the same user on another host', () => {
    // The key holds the location (as in OSSEC): each host's lines come from its own agent.
    const web02 = '(web02) 10.0.0.2->/var/log/auth.log';
    const web03 = '(web03) 10.0.0.3->/var/log/auth.log';
    const e = engine();
    const got = feed(e, [
      line('Oct 11 09:00:00 web02 sshd[811]: Accepted password for alice from 198.51.100.7 port 50022 ssh2', 0, web02),
      line('Oct 11 09:00:01 web02 sshd[812]: Accepted password for bob from 198.51.100.7 port 50023 ssh2', SEC, web02),
      line('Oct 11 09:00:02 web03 sshd[813]: Accepted password for alice from 198.51.100.7 port 50024 ssh2', 2 * SEC, web03),
      line('Oct 11 09:00:03 web02 sshd[814]: Accepted password for alice from 198.51.100.8 port 50025 ssh2', 3 * SEC, web02),
    ]);
    expect(got).toEqual([10100, 10100, 10100, 5715]);
  });

  test('through the receiver each agent is a host: the same login is new on another agent, seen on the same one', () => {
    const auth = { 'log.file.path': '/var/log/auth.log' };
    const web02 = { id: 'web02', name: 'web02', ips: ['10.0.0.2'] };
    const web03 = { id: 'web03', name: 'web03', ips: ['10.0.0.3'] };
    const text = (host: string, pid: number) => `Oct 11 09:00:00 ${host} sshd[${pid}]: Accepted password for alice from 198.51.100.7 port 50022 ssh2`;
    const e = engine();
    const got = feed(e, [record(text('web02', 1), auth, 0, web02), record(text('web03', 2), auth, SEC, web03), record(text('web02', 3), auth, 2 * SEC, web02)]);
    expect(got).toEqual([10100, 10100, 5715]);
  });
});

describe('cross-source correlation', () => {
  const fail = (i: number, ip = '198.51.100.77') => `Oct 11 12:00:00 h1 sshd[${100 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2`;
  const ok = (ip = '198.51.100.77') => `Oct 11 12:01:00 h1 sshd[999]: Accepted password for root from ${ip} port 41000 ssh2`;

  test('40112: a login from an address right after its brute force', () => {
    const e = engine();
    // 5720 (frequency 6, as OSSEC's) fires on the 8th failure
    const got = feed(e, [...Array.from({ length: 8 }, (_, i) => line(fail(i), i * SEC)), line(ok(), 30 * SEC)]);
    expect(got[7]).toBe(5720);
    expect(got[8]).toBe(40112);
  });

  test('40112 near miss: a login from another address is an ordinary (first-time) login', () => {
    const e = engine();
    const got = feed(e, [...Array.from({ length: 8 }, (_, i) => line(fail(i), i * SEC)), line(ok('198.51.100.78'), 30 * SEC)]);
    expect(got[7]).toBe(5720);
    expect(got[8]).not.toBe(40112);
  });

  test('40501: an account created right after attacks on the host', () => {
    const e = engine();
    const attack = (i: number) => line(`198.51.100.90 - - [11/Oct/2023:12:00:00 +0000] "GET /cgi-bin/x${i} HTTP/1.1" 404 10 "-" "() { :; }; /bin/bash -c id"`, i * SEC);
    const useradd = line('Oct 11 12:00:30 h1 useradd[4242]: new user: name=sysbackup, UID=0, GID=0, home=/root, shell=/bin/bash', 30 * SEC);
    const got = feed(e, [attack(0), attack(1), attack(2), useradd]);
    expect(got[0]).toBe(170200);
    expect(got[3]).toBe(40501);
  });

  test('40501 near miss: an account created on a quiet host is 5902', () => {
    const e = engine();
    expect(feed(e, [line('Oct 11 12:00:30 h1 useradd[4242]: new user: name=carol, UID=1004, GID=1004, home=/home/carol, shell=/bin/bash', 0)])).toEqual([5902]);
  });
});

describe('roots that never alert by themselves', () => {
  test.each(ROOT_CASES.map((c) => [c.root, c] as const))('%i', (_id, c) => {
    const rs = ruleset().ruleset;
    const root = rs.rulesById.get(c.root)!;
    expect(root.noalert).toBe(true);
    expect(root.level).toBe(0);
    if (c.quiet !== null) {
      const quiet = line(c.quiet);
      const v = engine().process(quiet);
      expect(v.rule?.id ?? null).toBeNull();
      expect(quiet.decoderName ?? null).toBe(c.decoder);
    }
    expect(feed(engine(), [line(c.childLine)])).toEqual([c.child]);
    // the child is reached through the root
    const parents = new Set<number>();
    const walk = (id: number) => { for (const p of rs.rulesById.get(id)!.ifSid) if (!parents.has(p)) { parents.add(p); walk(p); } };
    walk(c.child);
    const viaCategory = root.category !== null && parents.size === 0 ? true : parents.has(c.root) || [...parents].some((p) => rs.rulesById.get(p)!.ifSid.length === 0 && root.category !== null);
    expect(viaCategory).toBe(true);
  });

  test('3 is the root for category ids (no Warden decoder has that type yet)', () => {
    const r = ruleset().ruleset.rulesById.get(3)!;
    expect(r.noalert).toBe(true);
    expect(r.category).toBe('ids');
    expect(ruleset().ruleset.roots.map((x) => x.id)).toContain(3);
  });
});
