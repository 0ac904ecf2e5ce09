/**
 * Case tables for the rules a single .ini line cannot exercise: frequency correlation,
 * first-time-seen repeats, crawler exemptions, structured (OTLP) records and the roots that
 * never alert by themselves. The tests live in correlation.test.ts and structured.test.ts;
 * ruleset.test.ts counts these ids as tested.
 */

/**
 * A frequency rule: `line(i)` builds the i-th qualifying event (one second apart). OSSEC 4.x
 * semantics: with frequency="N" the rule fires on event N+2 (N+1 earlier ones qualify), so
 * events 0..N settle on `base` and event N+1 on `rule`. `other`, when given, is a near miss:
 * sent as event N+1 instead, it must not fire the rule (another source, user, ...).
 */
export interface FreqCase {
  rule: number;
  base: number;
  line: (i: number) => string;
  other?: string;
}

const ip = (i: number) => `203.0.113.${10 + (i % 200)}`;
const port = (i: number) => 40000 + i;

export const FREQ_CASES: FreqCase[] = [
  // PAM
  {
    rule: 5551, base: 5503,
    line: (i) => `Oct 11 12:00:${String(i).padStart(2, '0')} h1 login[${900 + i}]: pam_unix(login:auth): authentication failure; logname= uid=0 euid=0 tty=tty1 ruser= rhost=198.51.100.40  user=alice`,
    other: 'Oct 11 12:00:59 h1 login[999]: pam_unix(login:auth): authentication failure; logname= uid=0 euid=0 tty=tty1 ruser= rhost=198.51.100.41  user=alice',
  },
  // sshd
  {
    rule: 5703, base: 5702,
    line: (i) => `Oct 11 12:00:00 h1 sshd[${100 + i}]: reverse mapping checking getaddrinfo for host${i}.example.net [198.51.100.50] failed - POSSIBLE BREAK-IN ATTEMPT!`,
    other: 'Oct 11 12:00:00 h1 sshd[199]: reverse mapping checking getaddrinfo for x.example.net [198.51.100.51] failed - POSSIBLE BREAK-IN ATTEMPT!',
  },
  {
    rule: 5712, base: 5710,
    line: (i) => `Oct 11 12:00:00 h1 sshd[${100 + i}]: Invalid user user${i} from 198.51.100.52 port ${port(i)}`,
    other: 'Oct 11 12:00:00 h1 sshd[199]: Invalid user zed from 198.51.100.53 port 40999',
  },
  {
    rule: 5719, base: 5718,
    line: (i) => `Oct 11 12:00:00 h1 sshd[${100 + i}]: User guest${i} from 198.51.100.54 not allowed because not listed in AllowUsers`,
    other: 'Oct 11 12:00:00 h1 sshd[199]: User guest from 198.51.100.55 not allowed because not listed in AllowUsers',
  },
  {
    rule: 5720, base: 5716,
    line: (i) => `Oct 11 12:00:00 h1 sshd[${100 + i}]: Failed password for root from 198.51.100.56 port ${port(i)} ssh2`,
    other: 'Oct 11 12:00:00 h1 sshd[199]: Failed password for root from 198.51.100.57 port 40999 ssh2',
  },
  // web access logs
  {
    rule: 31151, base: 31101,
    line: (i) => `198.51.100.60 - - [11/Oct/2023:12:00:00 +0000] "GET /page${i}.php HTTP/1.1" 404 210 "-" "Mozilla/5.0"`,
    other: '198.51.100.61 - - [11/Oct/2023:12:00:00 +0000] "GET /page.php HTTP/1.1" 404 210 "-" "Mozilla/5.0"',
  },
  {
    rule: 31152, base: 31103,
    line: (i) => `198.51.100.62 - - [11/Oct/2023:12:00:00 +0000] "GET /item.php?id=${i}%27%20or%201=1-- HTTP/1.1" 403 210 "-" "Mozilla/5.0"`,
    other: '198.51.100.63 - - [11/Oct/2023:12:00:00 +0000] "GET /item.php?id=1%27%20or%201=1-- HTTP/1.1" 403 210 "-" "Mozilla/5.0"',
  },
  {
    rule: 31153, base: 31104,
    line: (i) => `198.51.100.64 - - [11/Oct/2023:12:00:00 +0000] "GET /dl.php?f=${'../'.repeat(1 + (i % 5))}etc/passwd HTTP/1.1" 403 210 "-" "Mozilla/5.0"`,
    other: '198.51.100.65 - - [11/Oct/2023:12:00:00 +0000] "GET /dl.php?f=../../etc/passwd HTTP/1.1" 403 210 "-" "Mozilla/5.0"',
  },
  {
    rule: 31154, base: 31105,
    line: (i) => `198.51.100.66 - - [11/Oct/2023:12:00:00 +0000] "GET /c?t=%3Cscript%3Ealert(${i})%3C%2Fscript%3E HTTP/1.1" 400 210 "-" "Mozilla/5.0"`,
    other: '198.51.100.67 - - [11/Oct/2023:12:00:00 +0000] "GET /c?t=%3Cscript%3Ealert(1)%3C%2Fscript%3E HTTP/1.1" 400 210 "-" "Mozilla/5.0"',
  },
  {
    rule: 31162, base: 31122,
    line: (i) => `${ip(i)} - - [11/Oct/2023:12:00:00 +0000] "POST /api/checkout HTTP/1.1" 500 612 "-" "Mozilla/5.0"`,
    other: '198.51.100.68 - - [11/Oct/2023:12:00:00 +0000] "POST /api/checkout HTTP/1.1" 502 612 "-" "Mozilla/5.0"',
  },
  {
    rule: 30116, base: 30115,
    line: (i) => `[Wed Oct 11 12:00:00.000000 2023] [core:error] [pid ${2200 + i}:tid 1] [client 198.51.100.69:${port(i)}] AH10244: invalid URI path (/cgi-bin/.%2e/.%2e/bin/sh)`,
    other: '[Wed Oct 11 12:00:00.000000 2023] [core:error] [pid 2299:tid 1] [client 198.51.100.70:40999] AH10244: invalid URI path (/cgi-bin/.%2e/.%2e/bin/sh)',
  },
  // squid
  {
    rule: 35051, base: 35005,
    line: (i) => `1697036400.${100 + i}      0 10.20.0.80 TCP_DENIED/403 3921 GET http://blocked${i}.example.net/ - HIER_NONE/- text/html`,
    other: '1697036400.999      0 10.20.0.81 TCP_DENIED/403 3921 GET http://blocked.example.net/ - HIER_NONE/- text/html',
  },
  {
    rule: 35052, base: 35007,
    line: (i) => `1697036400.${100 + i}      0 10.20.0.82 TCP_DENIED/407 3876 GET http://www${i}.example.org/ - HIER_NONE/- text/html`,
    other: '1697036400.999      0 10.20.0.83 TCP_DENIED/407 3876 GET http://www.example.org/ - HIER_NONE/- text/html',
  },
  {
    rule: 35053, base: 35003,
    line: (i) => `1697036400.${100 + i}      0 10.20.0.84 NONE_NONE/400 3500 NONE error:invalid-request - HIER_NONE/- text/html`,
    other: '1697036400.999      0 10.20.0.85 NONE_NONE/400 3500 NONE error:invalid-request - HIER_NONE/- text/html',
  },
  {
    rule: 35055, base: 35006,
    line: (i) => `1697036400.${100 + i}     40 10.20.0.86 TCP_MISS/404 512 GET http://shop.example.com/old${i}.zip - HIER_DIRECT/203.0.113.151 text/html`,
    other: '1697036400.999     40 10.20.0.87 TCP_MISS/404 512 GET http://shop.example.com/old.zip - HIER_DIRECT/203.0.113.151 text/html',
  },
  {
    rule: 35058, base: 35009,
    line: (i) => `1697036400.${100 + i}  30001 10.20.0.${90 + i} TCP_MISS/504 4100 GET http://slow.example.com/r${i} - HIER_DIRECT/203.0.113.152 text/html`,
    other: '1697036400.999     40 10.20.0.66 TCP_MISS/404 512 GET http://down.example.com/x - HIER_DIRECT/203.0.113.153 text/html',
  },
  // firewalls
  {
    rule: 4386, base: 4334,
    line: (i) => `Oct 11 17:00:00 fw1 %ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.20.0.30 : user = vpnuser${i}`,
    other: 'Oct 11 17:00:00 fw1 %ASA-6-113004: AAA user authentication Successful : server = 10.20.0.30 : user = vpnuser2',
  },
  {
    rule: 4151, base: 4101,
    line: (i) => `Oct 11 14:00:00 web01 kernel: [ 8123.44] IPTABLES-DROP: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.90 DST=10.20.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=${4000 + i} DF PROTO=TCP SPT=${port(i)} DPT=${20 + i} WINDOW=29200 RES=0x00 SYN URGP=0`,
    other: 'Oct 11 14:00:00 web01 kernel: [ 8123.44] IPTABLES-DROP: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.91 DST=10.20.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=4999 DF PROTO=TCP SPT=40999 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0',
  },
  // services
  {
    rule: 12149, base: 12108,
    line: (i) => `Oct 11 10:03:44 ns1 named[812]: client @0x7f3a2c0021b0 203.0.113.90#${4000 + i} (isc.org): query (cache) 'isc.org/ANY/IN' denied`,
    other: "Oct 11 10:03:44 ns1 named[812]: client @0x7f3a2c0021b0 203.0.113.91#4999 (isc.org): query (cache) 'isc.org/ANY/IN' denied",
  },
  {
    rule: 3357, base: 3332,
    line: (i) => `Oct 11 11:05:13 mx1 postfix/smtpd[${2216 + i}]: warning: unknown[203.0.113.101]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
    other: 'Oct 11 11:05:13 mx1 postfix/smtpd[2299]: warning: unknown[203.0.113.102]: SASL LOGIN authentication failed: UGFzc3dvcmQ6',
  },
  {
    rule: 3351, base: 3301,
    line: (i) => `Oct 11 11:00:05 mx1 postfix/smtpd[${2211 + i}]: NOQUEUE: reject: RCPT from unknown[198.51.100.8]: 554 5.7.1 <victim${i}@example.net>: Relay access denied; from=<spam@example.biz> to=<victim${i}@example.net> proto=ESMTP helo=<x>`,
    other: 'Oct 11 11:00:05 mx1 postfix/smtpd[2299]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 554 5.7.1 <v@example.net>: Relay access denied; from=<spam@example.biz> to=<v@example.net> proto=ESMTP helo=<x>',
  },
  {
    rule: 11451, base: 11403,
    line: (i) => `Oct 11 12:00:09 files1 vsftpd[${3302 + i}]: [user${i}] FAIL LOGIN: Client "198.51.100.61"`,
    other: 'Oct 11 12:00:09 files1 vsftpd[3399]: [root] FAIL LOGIN: Client "198.51.100.62"',
  },
  {
    rule: 11251, base: 11204,
    line: (i) => `Oct 11 12:01:05 files1 proftpd[${4410 + i}]: files1.example.com (198.51.100.62[198.51.100.62]) - USER bob (Login failed): Incorrect password`,
    other: 'Oct 11 12:01:05 files1 proftpd[4499]: files1.example.com (198.51.100.63[198.51.100.63]) - USER bob (Login failed): Incorrect password',
  },
  // Windows (text form), Symantec, Domino
  {
    rule: 18151, base: 18108,
    line: (i) => `WinEvtLog: Security: AUDIT_FAILURE(577): Security: jdoe: CORP: WKS07: Privileged Service Called: Server: NT Local Security Authority / Authentication Service Service: LsaRegisterLogonProcess() Primary User Name: jdoe Primary Domain: CORP Primary Logon ID: (0x0,0x2B1C${i}) Client User Name: - Privileges: SeTcbPrivilege`,
    other: 'WinEvtLog: Security: AUDIT_FAILURE(577): Security: mallory: CORP: WKS07: Privileged Service Called: Server: NT Local Security Authority / Authentication Service Service: LsaRegisterLogonProcess() Primary User Name: mallory Primary Domain: CORP Primary Logon ID: (0x0,0x2B1C9) Client User Name: - Privileges: SeTcbPrivilege',
  },
  {
    rule: 18152, base: 18130,
    line: (i) => `WinEvtLog: Security: AUDIT_FAILURE(529): Security: SYSTEM: NT AUTHORITY: WKS01: Logon Failure: Reason: Unknown user name or bad password User Name: user${i} Domain: CORP Logon Type: 3 Logon Process: NtLmSsp Authentication Package: NTLM Workstation Name: X Source Network Address: 198.51.100.71 Source Port: ${port(i)}`,
    other: 'WinEvtLog: Security: AUDIT_FAILURE(529): Security: SYSTEM: NT AUTHORITY: WKS01: Logon Failure: Reason: Unknown user name or bad password User Name: user Domain: CORP Logon Type: 3 Logon Process: NtLmSsp Authentication Package: NTLM Workstation Name: X Source Network Address: 198.51.100.72 Source Port: 40999',
  },
  {
    rule: 40113, base: 7310,
    line: (i) => `2B0A11090E${String(10 + i)},5,1,720997,WKS${i},user${i},Trojan.Gen.2,C:\\Users\\user${i}\\Downloads\\invoice_${i}.exe,5,4,4,256,570441764,"",0,,0,,0,4254,0,0,0`,
  },
  {
    rule: 170504, base: 170501,
    line: (i) => `10/11/2023 02:15:${String(10 + i)} PM  HTTP Server: Invalid user name or password for user${i} from 198.51.100.4`,
    other: '10/11/2023 02:15:59 PM  HTTP Server: Invalid user name or password for bob from 198.51.100.5',
  },
  // cross-source: authentication_failed from services whose rules no if_matched_sid references
  {
    rule: 40111, base: 11112,
    line: (i) => `Oct 11 12:03:04 oldbox ftpd[${29508 + i}]: FTP LOGIN FAILED FROM 198.51.100.64, user${i}`,
    other: 'Oct 11 12:03:04 oldbox ftpd[29599]: FTP LOGIN FAILED FROM 198.51.100.65, root',
  },
];

/** Repeats of a first-time-seen event: the first settles on `first`, the repeat on `repeat`. */
export interface RepeatCase { name: string; repeat: number; first: number; line: string }

export const REPEAT_CASES: RepeatCase[] = [
  { name: 'sshd login seen before', first: 10100, repeat: 5715, line: 'Oct 11 09:00:00 web02 sshd[811]: Accepted publickey for alice from 198.51.100.7 port 50022 ssh2: ED25519 SHA256:xyz' },
  { name: 'sudo to root by a user seen before', first: 5403, repeat: 5402, line: 'Oct 11 09:00:00 web02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx' },
  { name: 'sudo to another user by a user seen before', first: 5403, repeat: 170002, line: 'Oct 11 09:00:00 web02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=postgres ; COMMAND=/usr/bin/psql' },
  { name: 'su to root seen before', first: 5305, repeat: 5303, line: 'Oct 11 09:00:00 web02 su[4242]: (to root) alice on pts/1' },
  { name: 'su to another account seen before', first: 5305, repeat: 5304, line: 'Oct 11 09:00:00 web02 su[4242]: (to postgres) alice on pts/1' },
];

/**
 * Roots that never alert by themselves (noalert="1"): a line they take and no child matches
 * settles on no rule, yet a child under them still fires. `decoder` is what the quiet line
 * decodes as (null: no decoder), `child` a rule reached through the root by `childLine`.
 * `quiet` is null where a level-0 child catches every line the root takes (categories
 * firewall, web-log, squid, windows; Apache error lines of any level the decoder reads).
 */
export interface RootCase { root: number; quiet: string | null; decoder: string | null; childLine: string; child: number }

export const ROOT_CASES: RootCase[] = [
  { root: 1, quiet: 'Oct 11 12:00:00 h1 myapp[42]: cache warmed in 120 ms', decoder: null, childLine: 'Oct 11 12:00:00 h1 myapp[42]: login failed for user carol from 203.0.113.4', child: 2501 },
  { root: 2, quiet: null, decoder: 'pix', childLine: 'Oct 11 17:00:02 fw1 %PIX-6-605004: Login denied from 198.51.100.202/40022 to outside:192.0.2.1/ssh for user "admin"', child: 4321 },
  { root: 4, quiet: null, decoder: 'web-accesslog', childLine: '198.51.100.7 - - [11/Oct/2023:12:00:00 +0000] "GET /x HTTP/1.1" 404 10 "-" "Mozilla/5.0"', child: 31101 },
  { root: 5, quiet: null, decoder: 'squid-accesslog', childLine: '1697036403.404     45 10.20.0.63 TCP_MISS/404 512 GET http://shop.example.com/backup.zip - HIER_DIRECT/203.0.113.151 text/html', child: 35006 },
  { root: 6, quiet: null, decoder: 'windows', childLine: 'WinEvtLog: System: ERROR(7000): Service Control Manager: (no user): no domain: WKS01: The Backup Agent service failed to start.', child: 18103 },
  { root: 7, quiet: 'warden: agent web01 (id 003) reconfigured', decoder: 'warden', childLine: 'warden: agent web01 (id 003) started', child: 503 },
  { root: 500, quiet: 'warden: agent web01 (id 003) reconfigured', decoder: 'warden', childLine: 'warden: agent web01 (id 003) stopped', child: 506 },
  { root: 5500, quiet: 'Oct 11 12:00:00 h1 login[42]: pam_unix(login:account): account alice has password changed in future', decoder: 'pam', childLine: 'Oct 11 12:00:00 h1 login[42]: pam_unix(login:session): session opened for user alice by LOGIN(uid=0)', child: 5501 },
  { root: 5700, quiet: 'Oct 11 12:00:00 h1 sshd[12]: Server listening on 0.0.0.0 port 22.', decoder: 'sshd', childLine: 'Oct 11 12:00:00 h1 sshd[12]: Did not receive identification string from 198.51.100.3 port 4242', child: 5706 },
  { root: 5400, quiet: 'Oct 11 12:00:00 h1 sudo: unable to resolve host web02: Name or service not known', decoder: 'sudo', childLine: 'Oct 11 12:00:00 h1 sudo:    bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash', child: 5405 },
  { root: 5300, quiet: 'Oct 11 12:00:00 h1 su[42]: Authentication service cannot retrieve authentication info', decoder: 'su', childLine: "Oct 11 12:00:00 h1 su[42]: FAILED SU (to postgres) alice on pts/1", child: 5301 },
  { root: 5900, quiet: 'Oct 11 12:00:00 h1 useradd[42]: useradd: warning: the home directory /home/carol already exists.', decoder: 'account-admin', childLine: "Oct 11 12:00:00 h1 useradd[42]: new group: name=deploy, GID=1005", child: 5901 },
  { root: 5100, quiet: 'Oct 11 12:00:00 h1 kernel: [ 8547.5] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex', decoder: 'kernel', childLine: 'Oct 11 12:00:00 h1 kernel: [ 8333.1] device eth0 entered promiscuous mode', child: 5104 },
  { root: 2830, quiet: 'Oct 11 13:02:44 web01 crontab[9010]: (alice) END EDIT (alice)', decoder: 'cron', childLine: 'Oct 11 13:02:44 web01 crontab[9010]: (alice) REPLACE (alice)', child: 2832 },
  { root: 4300, quiet: 'Oct 11 17:00:00 fw1 %ASA-8-999999: made-up severity eight message', decoder: 'pix', childLine: 'Oct 11 17:00:19 fw1 %ASA-3-201008: Disallowing new connections.', child: 4337 },
  { root: 11400, quiet: 'Oct 11 12:00:00 files1 vsftpd[3301]: [alice] OK UPLOAD: Client "10.20.0.40", "/home/alice/a.txt", 120 bytes', decoder: 'vsftpd', childLine: 'Oct 11 12:00:09 files1 vsftpd[3302]: [root] FAIL LOGIN: Client "198.51.100.61"', child: 11403 },
  { root: 11200, quiet: 'Oct 11 12:01:00 files1 proftpd[4410]: files1.example.com - ProFTPD 1.3.8 (stable) (built Fri Jan 1 2023) standalone mode STARTUP', decoder: 'proftpd', childLine: 'Oct 11 12:01:00 files1 proftpd[4410]: files1.example.com (198.51.100.62[198.51.100.62]) - FTP session opened.', child: 11201 },
  { root: 11100, quiet: 'Oct 11 12:03:00 oldbox ftpd[29508]: FTP session closed', decoder: 'ftpd', childLine: 'Oct 11 12:03:04 oldbox ftpd[29508]: FTP LOGIN FAILED FROM 198.51.100.64, root', child: 11112 },
  { root: 7300, quiet: '2B0A11091306,12,3,7,AV-MGR01,SYSTEM,,,,,,,16777216,"Management server connection restored.",0,,0,,,,,0,,,,,', decoder: 'symantec-av', childLine: '2B0A11090E21,5,1,720997,WKS07,jdoe,Trojan.Gen.2,C:\\Users\\jdoe\\x.exe,5,4,4,256,570441764,"",0,,0,,0,4254,0,0,0', child: 7310 },
  { root: 170500, quiet: '10/11/2023 02:17:02 PM  Router: Transferred 3 messages to CN=mail02/O=Acme via NRPC', decoder: 'domino', childLine: '10/11/2023 02:18:45 PM  Server started on physical node MAIL01', child: 170503 },
  { root: 30100, quiet: null, decoder: 'apache-errorlog', childLine: '[Wed Oct 11 15:00:12.223456 2023] [mpm_event:notice] [pid 1001:tid 140100] AH00489: Apache/2.4.57 (Debian) configured -- resuming normal operations', child: 30102 },
];

/** Ids tested by structured.test.ts (Windows map records, file-integrity records, crawler). */
export const STRUCTURED_IDS = [170440, 170441, 170442, 18130, 18107, 18108, 18118, 170410, 170600, 550, 553, 554, 594, 597, 598, 170601, 31140, 40112, 40501, 3];

export const JEST_TESTED_IDS: number[] = [
  ...FREQ_CASES.map((c) => c.rule),
  ...REPEAT_CASES.map((c) => c.repeat),
  ...ROOT_CASES.map((c) => c.root),
  ...STRUCTURED_IDS,
];
