import { LogEvent } from '../../../otel-processor/src/engine/event';
import {
  predecode, createPredecoder, isHostnameChar, stripControlChars, refsParentFolder,
  PredecodeOptions,
} from '../../../otel-processor/src/engine/predecode';

const DEFAULT_HOST = 'manager';

interface Expect {
  host?: string;
  prog?: string | null;
  log: string;
  ts?: string | null;
}
type Case = [name: string, line: string, ossec: Expect, wazuh?: Expect];

function run(line: string, opts?: PredecodeOptions, location = 'stdin'): LogEvent {
  const ev = new LogEvent(line, location, DEFAULT_HOST, 0);
  expect(predecode(ev, opts)).toBe(true);
  return ev;
}

function check(ev: LogEvent, e: Expect): void {
  expect({ host: ev.hostname, prog: ev.programName, log: ev.log }).toEqual({
    host: e.host ?? DEFAULT_HOST,
    prog: e.prog === undefined ? null : e.prog,
    log: e.log,
  });
  if (e.ts !== undefined) expect(ev.headerTimestamp).toBe(e.ts);
}

const WIN = '2016 Sep 27 07:51:56 WinEvtLog: Security: AUDIT_FAILURE(577): Microsoft-Windows-Security-Auditing: SYSTEM: NT AUTHORITY: WIN-R4: Special privileges assigned.';
const ASL = '[Time 2006.12.28 15:53:55 UTC] [Facility auth] [Sender sshd] [PID 483] [Message error: PAM: Authentication failure for username from 192.168.0.2] [Level 3] [UID -2] [GID -2] [Host Hostname]';
const XFER = 'Mon Apr 17 18:27:14 2006 1 64.160.42.130 5882 /home/user/x.txt b _ o r user ftp 0 * c';

// [name, line, OSSEC 4.2.0 result, Wazuh result when different]
const CASES: Case[] = [
  // ---- RFC 3164 and hostname / program name extraction
  ['rfc3164 name[pid]:', 'Feb  9 11:44:56 someserver sshd[1234]: error: Could not load host key',
    { host: 'someserver', prog: 'sshd', log: 'error: Could not load host key', ts: 'Feb  9 11:44:56' }],
  ['rfc3164 name:', "Oct 10 10:10:10 myhost su: 'su root' failed for lonely on /dev/pts/0",
    { host: 'myhost', prog: 'su', log: "'su root' failed for lonely on /dev/pts/0" }],
  ['positional test only (any letters/digits)', 'abc 12 34:56:78 host prog: msg',
    { host: 'host', prog: 'prog', log: 'msg', ts: 'abc 12 34:56:78' }],
  ['no hostname, name[pid]: (scan stops at [)', 'Jun 21 10:00:00 sshd[99]: msg',
    { log: 'sshd[99]: msg' }],
  ['program with parentheses', 'Jul 18 23:01:27 combo sshd(pam_unix)[28987]: authentication failure',
    { host: 'combo', prog: 'sshd(pam_unix)', log: 'authentication failure' }],
  ['no program name (PIX)', 'Aug 17 17:38:36 PIXName %PIX-6-305011: Built dynamic TCP translation',
    { host: 'PIXName', log: '%PIX-6-305011: Built dynamic TCP translation' }],
  ['name[pid]: without space', 'Dec 19 17:20:08 ubuntu test_osregex_3[12345]:test_action x',
    { host: 'ubuntu', log: 'test_osregex_3[12345]:test_action x' },
    { host: 'ubuntu', prog: 'test_osregex_3', log: 'test_action x' }],
  ['name: without space', 'Dec  1 00:00:00 h a:b',
    { host: 'h', log: 'a:b' }, { host: 'h', prog: 'a', log: 'b' }],
  ['name[pid] without colon', 'Dec  1 00:00:00 h prog[12] msg',
    { host: 'h', prog: 'prog', log: 'msg' }],
  ['name[non-digit]', 'Dec  1 00:00:00 h prog[x]: msg', { host: 'h', log: 'prog[x]: msg' }],
  ['name[pid] followed by junk', 'Dec  1 00:00:00 h prog[12]x msg', { host: 'h', log: 'prog[12]x msg' }],
  ['hostname_map: @ / ( ) allowed', 'Dec  1 00:00:00 user@host/x(1) prog: m',
    { host: 'user@host/x(1)', prog: 'prog', log: 'm' }],
  ['invalid hostname keeps the timestamp stripped', 'Dec  1 00:00:00 host,x prog: msg',
    { log: 'host,x prog: msg', ts: 'Dec  1 00:00:00' }],
  ['hostname at end of line', 'Dec  1 00:00:00 h', { log: 'h' }],
  ['too short for rfc3164', 'Dec  1 00:00:00 ', { log: 'Dec  1 00:00:00 ', ts: null }],
  ['extra space after the timestamp', 'Dec  1 00:00:00  host prog: msg',
    { host: 'host', prog: 'prog', log: 'msg' }],
  ['empty hostname (two extra spaces)', 'Dec  1 00:00:00   p: m', { host: '', prog: 'p', log: 'm' }],
  ['program other terminator', 'Dec  1 00:00:00 host prog - msg', { host: 'host', log: 'prog - msg' }],
  ['JSON after a syslog header', 'Dec  1 00:00:00 host app[1]: {"k":1}',
    { host: 'host', prog: 'app', log: '{"k":1}' }],
  // ---- Solaris
  ['solaris without hostname', 'Dec  1 00:00:00 sshd: Failed password', { prog: 'sshd', log: 'Failed password' }],
  ['solaris empty program name', 'Dec  1 00:00:00 : msg', { prog: '', log: 'msg' }],
  ['solaris [ID ...] tag', 'Dec  1 00:00:00 host sshd[123]: [ID 800047 auth.info] Accepted publickey',
    { host: 'host', prog: 'sshd', log: 'Accepted publickey' }],
  ['[ID ...] with ] inside', 'Dec  1 00:00:00 host sshd[1]: [ID 1 a.b]x y] z',
    { host: 'host', prog: 'sshd', log: 'z' }, { host: 'host', prog: 'sshd', log: ' y] z' }],
  ['[ID ...] unterminated', 'Dec  1 00:00:00 host sshd[1]: [ID 1 a.b',
    { host: 'host', prog: 'sshd', log: '[ID 1 a.b' }],
  // ---- AIX
  ['AIX name[pid]:', 'Dec  1 00:00:00 aixhost |auth:info sshd[123]: Failed password',
    { host: 'aixhost', prog: 'sshd', log: 'Failed password' }],
  ['AIX name:', 'Dec  1 00:00:00 aixhost |auth:info su: BAD SU', { host: 'aixhost', prog: 'su', log: 'BAD SU' }],
  ['AIX unterminated name (OSSEC quirk)', 'Dec  1 00:00:00 aixhost |auth:info foo bar',
    { host: 'aixhost', prog: 'foo bar', log: ' bar' }],
  ['AIX name[pid] without colon', 'Dec  1 00:00:00 aixhost |auth:info foo[1] bar',
    { host: 'aixhost', prog: 'foo', log: '|auth:info foo[1] bar' }],
  ['AIX bad severity', 'Dec  1 00:00:00 aixhost |auth:info:x su: y', { host: 'aixhost', log: '|auth:info:x su: y' }],
  ['AIX no severity', 'Dec  1 00:00:00 aixhost |auth su: y', { host: 'aixhost', log: '|auth su: y' }],
  ['AIX upper-case facility is not AIX', 'Dec  1 00:00:00 aixhost |Auth:info su: y', { host: 'aixhost', log: '|Auth:info su: y' }],
  // ---- year first / Windows agent
  ['Windows eventlog (year first, WinEvtLog)', WIN,
    { prog: 'WinEvtLog', log: WIN.slice(32), ts: '2016 Sep 27 07:51:56' }],
  ['year first with host', '2015 Dec 29 10:00:01 host prog[1]: m', { host: 'host', prog: 'prog', log: 'm' }],
  ['year first must start with a digit', 'x015 Dec 29 10:00:01 host prog[1]: m',
    { log: 'x015 Dec 29 10:00:01 host prog[1]: m' }],
  // ---- proftpd
  ['proftpd', '2015-04-16 21:51:02,805 myhost proftpd[16329] myhost (1.2.3.4[1.2.3.4]): USER x: Login successful.',
    { host: 'myhost', prog: 'proftpd', log: 'myhost (1.2.3.4[1.2.3.4]): USER x: Login successful.', ts: '2015-04-16 21:51:02,805' }],
  ['proftpd with double space (skip 23 vs 24)', '2015-04-16 21:51:02,805  h p: m',
    { host: '', log: 'h p: m' }, { host: 'h', prog: 'p', log: 'm' }],
  // ---- ISO 8601
  ['ISO without fraction', '2007-06-14T15:48:55-04:00 host sshd[1]: m',
    { host: 'host', prog: 'sshd', log: 'm', ts: '2007-06-14T15:48:55-04:00' }],
  ['ISO milliseconds', '2022-12-19T15:02:53.288+00:00 host app: m',
    { host: 'host', prog: 'app', log: 'm', ts: '2022-12-19T15:02:53.288+00:00' }],
  ['ISO microseconds', '2009-05-22T09:36:46.214994-07:00 host app[1]: m',
    { host: 'host', prog: 'app', log: 'm', ts: '2009-05-22T09:36:46.214994-07:00' }],
  ['ISO 1 fraction digit', '2007-06-14T15:48:55.3-04:00 myhost app: message',
    { host: 'myhost', prog: 'app', log: 'message' },
    { host: 'st', prog: 'app', log: 'message' }], // Wazuh: no colon at 26/29 -> skip 32
  ['ISO 4 fraction digits', '2007-06-14T15:48:55.3352-04:00 myhost app: message',
    { host: 'myhost', prog: 'app', log: 'message' },
    { host: 'yhost', prog: 'app', log: 'message' }], // Wazuh: skip 32
  ['ISO comma fraction', '2009-05-22T09:36:46,214994-07:00 host app: m',
    { host: 'host', prog: 'app', log: 'm' }, { log: '2009-05-22T09:36:46,214994-07:00 host app: m' }],
  ['ISO fraction with Z', '2022-12-19T15:02:53.288Z host app: m',
    { log: '2022-12-19T15:02:53.288Z host app: m', ts: null }, { prog: 'p', log: 'm' }],
  ['ISO too short', '2007-06-14T15:48:55-04:00 h: m', { log: '2007-06-14T15:48:55-04:00 h: m' }],
  // ---- macOS ULS (Wazuh only)
  ['macOS ULS', '2021-04-21 10:16:09.404756-0700  localhost sshd[3186]: Invalid user',
    { log: '2021-04-21 10:16:09.404756-0700  localhost sshd[3186]: Invalid user' },
    { host: 'localhost', prog: 'sshd', log: 'Invalid user', ts: '2021-04-21 10:16:09.404756-0700' }],
  // ---- 2019:11:06-00:08:03 (OSSEC only)
  ['colon date (OSSEC only)', '2019:11:06-00:08:03 host prog: msg',
    { host: 'host', prog: 'prog', log: 'msg', ts: '2019:11:06-00:08:03' },
    { log: '2019:11:06-00:08:03 host prog: msg' }],
  // ---- non-syslog formats
  ['xferlog', XFER, { log: XFER.slice(24), ts: 'Mon Apr 17 18:27:14 2006' }, { log: XFER.slice(25) }],
  ['snort', '01/28-09:13:16.240702  [**] [1:2003:8] SCAN [**]',
    { log: '[**] [1:2003:8] SCAN [**]', ts: '01/28-09:13:16.240702' }],
  ['suricata', '01/28/1979-09:13:16.240702  [**] [1:2003:8] SCAN [**]',
    { log: '[**] [1:2003:8] SCAN [**]', ts: '01/28/1979-09:13:16.240702' }],
  ['suricata too short (skip past the end)', '01/28/1979-09:13:16.240702 ', { log: '' }, { log: '01/28/1979-09:13:16.240702 ' }],
  ['apache error', '[Fri Dec 13 06:59:54 2013] [error] [client 12.34.65.78] PHP Notice:',
    { log: '[error] [client 12.34.65.78] PHP Notice:', ts: 'Fri Dec 13 06:59:54 2013' }],
  ['apache 2.4 error (fraction) is not stripped', '[Tue Sep 30 11:30:13.262255 2014] [core:error] [pid 1] x',
    { log: '[Tue Sep 30 11:30:13.262255 2014] [core:error] [pid 1] x' }],
  ['ASL', ASL, { host: 'Hostname', prog: 'sshd', log: 'error: PAM: Authentication failure for username from 192.168.0.2', ts: '2006.12.28 15:53:55' }],
  ['ASL without host', '[Time 2006.11.02 14:02:11 UTC] [Facility auth] [Sender sshd] [PID 856] [Message refused connect from 59.124.44.34] [Level 4]',
    { prog: 'sshd', log: 'refused connect from 59.124.44.34' }],
  ['ASL only first Message and first Sender', '[Time 2006.11.02 14:02:11 UTC] [Sender a] [Sender b] [Message one] [Message two] [Host h]',
    { host: 'h', prog: 'a', log: 'one' }],
  ['ASL unterminated message', '[Time 2006.11.02 14:02:11 UTC] [Sender a] [Message one two',
    { prog: 'a', log: 'one two' }],
  ['ASL unterminated sender', '[Time 2006.11.02 14:02:11 UTC] [Message m] [Sender abc',
    { log: 'm' }],
  ['ASL without Message', '[Time 2006.11.02 14:02:11 UTC] [Sender a] [Host h]', { host: 'h', prog: 'a', log: ' UTC] [Sender a] [Host h]' }],
  ['squid', '1140804070.368  11623 10.1.1.1 TCP_MISS/200 1234 GET http://x/ - DIRECT/1.2.3.4 text/html',
    { log: '11623 10.1.1.1 TCP_MISS/200 1234 GET http://x/ - DIRECT/1.2.3.4 text/html', ts: '1140804070.368' }],
  ['not squid', '1292 52.211.68.15 TCP_CLIENT_REFRESH_MISS/404 4456 GET http://www.ossec.net/x2 - DIRECT/183.218.114.216 text/html',
    { log: '1292 52.211.68.15 TCP_CLIENT_REFRESH_MISS/404 4456 GET http://www.ossec.net/x2 - DIRECT/183.218.114.216 text/html' }],
  // ---- no header
  ['JSON', '{"win":{"system":{"eventID":"4625"}}}', { log: '{"win":{"system":{"eventID":"4625"}}}', ts: null }],
  ['apache access', '66.249.73.135 - - [18/May/2015:04:05:55 +0000] "GET / HTTP/1.1" 200 37932 "-" "x"',
    { log: '66.249.73.135 - - [18/May/2015:04:05:55 +0000] "GET / HTTP/1.1" 200 37932 "-" "x"' }],
  ['windows date format is not a header', '2015-04-16 21:51:02 W3SVC1 1.2.3.4 GET /',
    { log: '2015-04-16 21:51:02 W3SVC1 1.2.3.4 GET /' }],
  ['empty line', '', { log: '' }],
  // ---- non-ASCII (positions are UTF-8 bytes in OSSEC)
  ['German Mär', 'Mär  2 17:30:52 host prog: msg', { host: 'host', prog: 'prog', log: 'msg', ts: 'Mär  2 17:30:52' }],
  ['other non-ASCII month does not match', 'Déc  2 17:30:52 host prog: msg', { log: 'Déc  2 17:30:52 host prog: msg' }],
  ['non-ASCII hostname is invalid', 'Dec  1 00:00:00 hé prog: msg', { log: 'hé prog: msg' }],
  ['non-ASCII after header', 'Dec  1 00:00:00 host prog: héllo wörld', { host: 'host', prog: 'prog', log: 'héllo wörld' }],
  ['byte length crosses the ISO threshold', '2007-06-14T15:48:55-04:00 h: éé', { prog: 'h', log: 'éé' }],
];

describe('predecode: recognisers and edge cases', () => {
  describe.each(CASES)('%s', (_name, line, ossec, wazuh) => {
    test('ossec', () => check(run(line), ossec));
    test('wazuh', () => check(run(line, { dialect: 'wazuh' }), wazuh ?? ossec));
  });
});

describe('predecode: compiled predecoders agree with predecode()', () => {
  test.each(['ossec', 'wazuh'] as const)('%s', (dialect) => {
    const pd = createPredecoder({ dialect });
    for (const [, line] of CASES) {
      const a = new LogEvent(line, 'stdin', DEFAULT_HOST, 0);
      const b = new LogEvent(line, 'stdin', DEFAULT_HOST, 0);
      expect(pd(a)).toBe(predecode(b, { dialect }));
      expect(a).toEqual(b);
    }
  });
});

describe('predecode: without stripping (no whole-line scan, only the leading units tested for non-ASCII)', () => {
  test.each(['ossec', 'wazuh'] as const)('%s: lines without control characters read as with stripping', (dialect) => {
    const fast = createPredecoder({ dialect, stripControlChars: false });
    const plain = createPredecoder({ dialect, stripControlChars: true });
    let nonAscii = 0;
    for (const [, line] of CASES) {
      if (/[\x00-\x1f\x7f]/.test(line)) continue;
      if (/[^\x00-\x7f]/.test(line)) nonAscii++;
      const a = new LogEvent(line, 'stdin', DEFAULT_HOST, 0);
      const b = new LogEvent(line, 'stdin', DEFAULT_HOST, 0);
      expect(fast(a)).toBe(plain(b));
      expect(a).toEqual(b);
    }
    expect(nonAscii).toBeGreaterThan(0);
  });
});

describe('predecode: one predecoder over consecutive lines', () => {
  // each line's timestamp, host and program name are its own, whatever the previous line had
  test.each(['ossec', 'wazuh'] as const)('%s: timestamps, hosts and program names of the same length but other text are read afresh', (dialect) => {
    const pd = createPredecoder({ dialect });
    const lines: [string, string, string, string][] = [
      ['Dec  1 00:00:00 hosta sshd[1]: a', 'Dec  1 00:00:00', 'hosta', 'sshd'],
      ['Dec  1 00:00:00 hosta sshd[2]: b', 'Dec  1 00:00:00', 'hosta', 'sshd'],
      ['Dec  1 00:00:02 hostb sshe[3]: c', 'Dec  1 00:00:02', 'hostb', 'sshe'],
      ['Dec 11 00:00:02 hostb sshd: d', 'Dec 11 00:00:02', 'hostb', 'sshd'],
      ['Dec 11 00:00:02 host sshd2: e', 'Dec 11 00:00:02', 'host', 'sshd2'],
      ['Dec  1 00:00:05 hosta sshd: f', 'Dec  1 00:00:05', 'hosta', 'sshd'],
    ];
    for (const [line, ts, host, prog] of lines) {
      const ev = new LogEvent(line, 'stdin', DEFAULT_HOST, 0);
      expect(pd(ev)).toBe(true);
      expect([ev.headerTimestamp, ev.hostname, ev.programName]).toEqual([ts, host, prog]);
    }
  });
});

describe('predecode: control characters', () => {
  const line = 'Dec  1 00:00:00 host prog: a\tb\u001b[0m\u007fc';
  test('ossec deletes them from full_log and log', () => {
    const ev = run(line);
    expect(ev.fullLog).toBe('Dec  1 00:00:00 host prog: ab[0mc');
    expect(ev.log).toBe('ab[0mc');
  });
  test('stripping happens before the header tests', () => {
    const ev = run('Dec\u0000  1 00:00:00 host prog: m');
    expect(ev.fullLog).toBe('Dec  1 00:00:00 host prog: m');
    expect(ev.programName).toBe('prog');
  });
  test('wazuh keeps them', () => {
    const ev = run(line, { dialect: 'wazuh' });
    expect(ev.fullLog).toBe(line);
    expect(ev.log).toBe('a\tb\u001b[0m\u007fc');
  });
  test('option overrides the dialect default', () => {
    expect(run(line, { stripControlChars: false }).log).toBe('a\tb\u001b[0m\u007fc');
    expect(run(line, { dialect: 'wazuh', stripControlChars: true }).log).toBe('ab[0mc');
  });
  test('control characters and non-ASCII in one line: stripped, then the header read byte-wise', () => {
    const ev = run('M\u00e4r\t  2 17:30:52 host prog: m\u00fcll~\u007f');
    expect(ev.fullLog).toBe('M\u00e4r  2 17:30:52 host prog: m\u00fcll~');
    expect([ev.hostname, ev.programName, ev.log, ev.headerTimestamp]).toEqual(['host', 'prog', 'm\u00fcll~', 'M\u00e4r  2 17:30:52']);
  });
  test('stripControlChars()', () => {
    expect(stripControlChars('abc')).toBe('abc');
    expect(stripControlChars('\u0001a\u001fb\u007f')).toBe('ab');
    expect(stripControlChars('é\u0085')).toBe('é\u0085'); // C1 controls are 2 UTF-8 bytes, not iscntrl
  });
});

describe('predecode: location rules', () => {
  const line = 'Dec 10 07:51:15 LabSZ sshd[24324]: Failed password';
  test('ossec: (agent) ip->path makes the hostname the whole location', () => {
    const ev = run(line, undefined, '(web01) 10.0.0.5->/var/log/auth.log');
    expect(ev.hostname).toBe('(web01) 10.0.0.5->/var/log/auth.log');
    expect(ev.location).toBe('(web01) 10.0.0.5->/var/log/auth.log');
    expect(ev.agentName).toBe('web01');
    expect(ev.programName).toBe('sshd');
  });
  test('ossec: header-less agent line', () => {
    const ev = run('{"a":1}', undefined, '(web01) 10.0.0.5->/var/log/x.json');
    expect(ev.hostname).toBe('(web01) 10.0.0.5->/var/log/x.json');
  });
  test('ossec: local location keeps the header host, else the default', () => {
    expect(run(line, undefined, '/var/log/auth.log').hostname).toBe('LabSZ');
    expect(run('no header', undefined, '/var/log/auth.log').hostname).toBe(DEFAULT_HOST);
  });
  test('ossec: rejects locations referencing a parent folder', () => {
    for (const loc of ['../x', '..', '/var/log/../etc/shadow', '(a) 1.2.3.4->/x/..']) {
      expect(predecode(new LogEvent(line, loc, DEFAULT_HOST, 0))).toBe(false);
    }
    for (const loc of ['/var/log/..x', '.../x', '/var/log/x..']) {
      expect(predecode(new LogEvent(line, loc, DEFAULT_HOST, 0))).toBe(true);
    }
    expect(predecode(new LogEvent(line, '../x', DEFAULT_HOST, 0), { rejectParentRefs: false })).toBe(true);
    expect(refsParentFolder('a/../b')).toBe(true);
  });
  test('wazuh: [id] (name) ip->path', () => {
    const ev = run(line, { dialect: 'wazuh' }, '[001] (web01) 10.0.0.5->/var/log/auth.log');
    expect(ev.agentId).toBe('001');
    expect(ev.location).toBe('(web01) 10.0.0.5->/var/log/auth.log');
    expect(ev.hostname).toBe('web01');
    expect(ev.agentName).toBe('web01');
    expect(ev.programName).toBe('sshd');
  });
  test('wazuh: [id] without agent name / rest', () => {
    const a = run(line, { dialect: 'wazuh' }, '[002] 10.0.0.5->/x');
    expect([a.agentId, a.location, a.hostname]).toEqual(['002', '10.0.0.5->/x', '']);
    const b = run(line, { dialect: 'wazuh' }, '[003]');
    expect([b.agentId, b.location, b.hostname]).toEqual(['003', '', '']);
  });
  test('wazuh: malformed [ location is rejected', () => {
    expect(predecode(new LogEvent(line, '[001 x', DEFAULT_HOST, 0), { dialect: 'wazuh' })).toBe(false);
  });
  test('wazuh: local event', () => {
    const ev = run(line, { dialect: 'wazuh' }, '/var/log/auth.log');
    expect([ev.agentId, ev.hostname]).toEqual(['000', 'LabSZ']);
  });
});

describe('hostname_map', () => {
  test('character class', () => {
    const valid = 'azAZ09-._@/()';
    for (const ch of valid) expect(isHostnameChar(ch.charCodeAt(0))).toBe(true);
    for (const ch of ' :[]|,;\t\u00e9') expect(isHostnameChar(ch.charCodeAt(0))).toBe(false);
    expect(isHostnameChar(NaN)).toBe(false);
  });
});
