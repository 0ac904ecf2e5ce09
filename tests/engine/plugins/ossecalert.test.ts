import {
  createOssecAlertDecoder, getGeneratedRuleId, OSSEC_ALERT_CATEGORY, ossecAlertDecoder, PLUGIN_DECODERS,
} from '../../../otel-processor/src/engine/decode/plugins';
import { ev, NONE, staticOf } from './helpers';

const ORIGINAL = 'Oct 13 10:11:12 web1 sshd[411]: Failed password for root from 203.0.113.9 port 4242 ssh2';

describe('OSSECAlert_Decoder', () => {
  test('is registered', () => {
    expect(PLUGIN_DECODERS.OSSECAlert_Decoder).toBe(ossecAlertDecoder);
  });

  test('forwarded alert with srcip and user (log after the syslog header)', () => {
    const line = `Alert Level: 10; Rule: 5712 - SSHD brute force trying to get access to the system.; Location: (web1) 10.0.0.5->/var/log/secure; srcip: 203.0.113.9; user: root;  ${ORIGINAL}`;
    const e = ev(line, '192.168.0.2', 'relay');
    ossecAlertDecoder(e, 0);
    expect(e.category).toBe(OSSEC_ALERT_CATEGORY);
    expect(staticOf(e)).toEqual({ ...NONE, srcip: '203.0.113.9', dstuser: 'root' });
    expect(e.location).toBe('relay->192.168.0.2|(web1) 10.0.0.5->/var/log/secure');
    expect(e.hostname).toBe(e.location);
    expect(e.fullLog).toBe(ORIGINAL);
    expect(e.log).toBe(ORIGINAL);
    expect(getGeneratedRuleId(e)).toBe('5712');
  });

  test('"ossec: Alert Level:" form; hostname equal to location gives location|alert-location', () => {
    const line = 'ossec: Alert Level: 3; Rule: 502 - Ossec server started.; Location: ossec-server->ossec-monitord;  ossec: Ossec started.';
    const e = ev(line, 'stdin', 'stdin');
    ossecAlertDecoder(e, 0);
    expect(e.location).toBe('stdin|ossec-server->ossec-monitord');
    expect(e.hostname).toBe('stdin|ossec-server->ossec-monitord');
    expect(e.log).toBe('ossec: Ossec started.');
    expect(e.fullLog).toBe('ossec: Ossec started.');
    expect(getGeneratedRuleId(e)).toBe('502');
    expect(staticOf(e)).toEqual(NONE);
  });

  test('other entries (classification, dstip) are skipped', () => {
    const line = `Alert Level: 5; Rule: 5503 - User login failed.; Location: host2->/var/log/auth.log; classification: syslog,authentication_failed,; dstip: 10.9.9.9; user: bob;  ${ORIGINAL}`;
    const e = ev(line);
    ossecAlertDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, dstuser: 'bob' });
    expect(getGeneratedRuleId(e)).toBe('5503');
    expect(e.log).toBe(ORIGINAL);
  });

  test('a single space before the original log makes it read as an entry', () => {
    const line = `Alert Level: 5; Rule: 5503 - User login failed.; Location: host2->/var/log/auth.log; classification:  syslog,authentication_failed,; ${ORIGINAL}`;
    const e = ev(line);
    ossecAlertDecoder(e, 0);
    // "classification:  syslog..." is one entry; the next " Oct 13 ..." starts with one space, so it is
    // read as an entry too, and with no further ';' decoding stops there: no generated rule.
    expect(getGeneratedRuleId(e)).toBeNull();
    expect(e.location).toBe('warden-host->stdin|host2->/var/log/auth.log');
    expect(e.log).toBe(line);
  });

  test('unknown rule id leaves the event unchanged (with a ruleset check)', () => {
    const dec = createOssecAlertDecoder({ hasRule: (id) => id === '5712' });
    const line = `Alert Level: 10; Rule: 99999 - Custom.; Location: (web1) 10.0.0.5->/var/log/secure; srcip: 203.0.113.9;  ${ORIGINAL}`;
    const e = ev(line);
    dec(e, 0);
    expect(e.location).toBe('stdin');
    expect(e.hostname).toBe('warden-host');
    expect(e.log).toBe(line);
    expect(e.srcip).toBeNull();
    expect(getGeneratedRuleId(e)).toBeNull();
    expect(e.category).toBe(OSSEC_ALERT_CATEGORY);

    const ok = ev(line.replace('99999', '5712'));
    dec(ok, 0);
    expect(getGeneratedRuleId(ok)).toBe('5712');
  });

  test('malformed alerts: nothing decoded, no generated rule', () => {
    const cases = [
      '',
      'Alert Level',
      'Level: 10; Rule: 1 - x; Location: a; b',
      'Alert Level: 10 Rule 5712',
      'Alert Level: 10; Rule:5712 - x; Location: a;  b',
      'Alert Level: 10; Rule: 5712; Location: a;  b',
      'Alert Level: 10; Rule: 5712 - x; Loc: a;  b',
      'Alert Level: 10; Rule: 5712 - x; Location: no-semicolon',
    ];
    for (const line of cases) {
      const e = ev(line);
      expect(() => ossecAlertDecoder(e, 0)).not.toThrow();
      expect(getGeneratedRuleId(e)).toBeNull();
      expect(e.location).toBe('stdin');
      expect(e.log).toBe(line);
    }
  });

  test('an entry without ";" stops after the location was rewritten', () => {
    const e = ev('Alert Level: 7; Rule: 100 - x; Location: a; srcip: 1.2.3.4');
    ossecAlertDecoder(e, 0);
    expect(e.location).toBe('warden-host->stdin|a');
    expect(e.srcip).toBeNull();
    expect(getGeneratedRuleId(e)).toBeNull();
  });

  test('long original log and location are cut to OSSEC buffer sizes', () => {
    const long = 'x'.repeat(10000);
    const loc = 'L'.repeat(400);
    const e = ev(`Alert Level: 7; Rule: 100 - x; Location: ${loc};  ${long}`, 'stdin', 'stdin');
    ossecAlertDecoder(e, 0);
    expect(e.log.length).toBe(4094);
    expect(e.location.length).toBe(254);
    expect(getGeneratedRuleId(e)).toBe('100');
  });

  test('start offset', () => {
    const e = ev(`relay: Alert Level: 4; Rule: 31101 - Web error.; Location: w->/var/log/nginx/access.log;  GET / 404`, 'x', 'x');
    ossecAlertDecoder(e, 7);
    expect(getGeneratedRuleId(e)).toBe('31101');
    expect(e.log).toBe('GET / 404');
  });
});
