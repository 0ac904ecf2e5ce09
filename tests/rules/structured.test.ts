/**
 * Warden's ruleset on structured records, mapped by the OTLP receiver's own mapping
 * (receiver/otlp/mapping.ts): Windows events from the collector's windowseventlog receiver
 * (a `WinEvtLog:` line plus `win.*` fields) and file-integrity records from `warden fim`.
 * Also the crawler exemption, which needs the engine's is_valid_crawler resolver.
 */
import { engine, feed, fimEvent, line, record, verdictOf, winEvent } from './helpers';

const one = (ev: ReturnType<typeof line>) => verdictOf(ev, engine().process(ev));

const logonFailure = (i: number, ip: string, subStatus = '0xC000006A') =>
  winEvent(4625, 'Audit Failure', {
    SubjectUserSid: 'S-1-0-0', TargetUserName: `user${i}`, TargetDomainName: 'CORP', Status: '0xC000006D', SubStatus: subStatus,
    LogonType: '3', WorkstationName: 'KALI', IpAddress: ip, IpPort: String(40000 + i),
  }, { ms: i * 1000 });

describe('Windows structured records', () => {
  test('the receiver maps them to a WinEvtLog line and win.* fields', () => {
    const ev = logonFailure(0, '198.51.100.7');
    expect(ev.log).toMatch(/WinEvtLog: Security: AUDIT_FAILURE\(4625\): Microsoft-Windows-Security-Auditing: /);
    expect(ev.getField('win.eventdata.ipAddress')).toBe('198.51.100.7');
    expect(ev.getField('win.system.eventID')).toBe('4625');
  });

  test('4625 with a bad password: 18130', () => {
    expect(one(logonFailure(0, '198.51.100.7'))).toMatchObject({ rule: 18130, level: 5, decoder: 'windows', alert: true });
  });

  test('4625 on a locked-out account (SubStatus 0xC0000234): 170441; other SubStatus values are not', () => {
    expect(one(logonFailure(0, '198.51.100.7', '0xC0000234'))).toMatchObject({ rule: 170441, level: 7 });
    expect(one(logonFailure(0, '198.51.100.7', '0xC0000064')).rule).toBe(18130);
  });

  test('4624 remote desktop logon (LogonType 10): 170442; a network logon (3) stays 18107', () => {
    const logon = (type: string) => winEvent(4624, 'Audit Success', { TargetUserName: 'alice', TargetDomainName: 'CORP', LogonType: type, IpAddress: '10.20.0.50' });
    expect(one(logon('10'))).toMatchObject({ rule: 170442, level: 4 });
    expect(one(logon('3'))).toMatchObject({ rule: 18107, level: 3 });
  });

  test('4673 privileged service refused: 18108', () => {
    expect(one(winEvent(4673, 'Audit Failure', { SubjectUserName: 'jdoe', Service: 'LsaRegisterLogonProcess()', PrivilegeList: 'SeTcbPrivilege' })).rule).toBe(18108);
  });

  test('1102 audit log cleared: 18118; 7045 and 4697 service installed: 170410', () => {
    expect(one(winEvent(1102, 'Audit Success', { SubjectUserName: 'admin' }, { provider: 'Microsoft-Windows-Eventlog' })).rule).toBe(18118);
    expect(one(winEvent(7045, null, { ServiceName: 'evil', ImagePath: 'C:\\x.exe' }, { channel: 'System', provider: 'Service Control Manager' })).rule).toBe(170410);
    expect(one(winEvent(4697, 'Audit Success', { ServiceName: 'evil', ServiceFileName: 'C:\\x.exe' })).rule).toBe(170410);
  });

  test('170440: many logon failures from one IpAddress fire on the 10th (frequency 8)', () => {
    const e = engine();
    const got = feed(e, Array.from({ length: 10 }, (_, i) => logonFailure(i, '198.51.100.7')));
    expect(got.slice(0, 9)).toEqual(Array(9).fill(18130));
    expect(got[9]).toBe(170440);
  });

  test('170440 near miss: failures spread over several addresses do not', () => {
    const e = engine();
    const got = feed(e, Array.from({ length: 12 }, (_, i) => logonFailure(i, `198.51.100.${i % 2 === 0 ? 7 : 8 + i}`)));
    expect(got).not.toContain(170440);
  });
});

describe('file-integrity records', () => {
  test.each([
    ['modified', '/var/www/html/index.html', {}, 550, 7],
    ['deleted', '/srv/data/report.csv', {}, 553, 7],
    ['added', '/srv/data/new.csv', {}, 554, 5],
    ['modified', 'HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', { registry: true, valueName: 'Updater' }, 594, 5],
    ['deleted', 'HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\WinDefend', { registry: true }, 597, 5],
    ['added', 'HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', { registry: true, valueName: 'Evil' }, 598, 5],
    ['modified', '/etc/passwd', {}, 170601, 10],
    ['modified', '/etc/sudoers.d/90-cloud', {}, 170601, 10],
    ['deleted', '/usr/bin/ssh', {}, 170601, 10],
  ] as const)('%s %s: %i', (kind, p, opts, id, level) => {
    const ev = fimEvent(kind, p, opts);
    expect(one(ev)).toMatchObject({ rule: id, level, alert: true });
  });

  test('an added file in a critical place is 554, not 170601 (only changes and deletions are critical)', () => {
    expect(one(fimEvent('added', '/etc/sudoers.d/99-new')).rule).toBe(554);
  });

  test('170600: a syscheck record of a kind no rule knows settles on no rule; a plain line with the same text is not syscheck', () => {
    const odd = record("File '/srv/a' renamed.", { 'warden.event.kind': 'syscheck', 'syscheck.event': 'renamed', 'syscheck.path': '/srv/a' });
    expect(one(odd).rule).toBeNull();
    expect(one(line("Integrity checksum changed for: '/etc/passwd' (size, sha256)")).rule).toBeNull();
  });
});

describe('crawlers', () => {
  const notFound = '66.249.66.1 - - [11/Oct/2023:12:00:00 +0000] "GET /old/page.php HTTP/1.1" 404 210 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"';
  test('31140: a 4xx for a verified crawler is ignored', () => {
    const ev = line(notFound);
    const v = engine({ isCrawler: (ip) => ip === '66.249.66.1' }).process(ev);
    expect(v.rule?.id).toBe(31140);
    expect(v.alert).toBe(false);
  });
  test('31140 near miss: the same request from an address the resolver does not confirm is 31101', () => {
    expect(feed(engine(), [line(notFound)])).toEqual([31101]);
  });
});
