/**
 * End to end with a real OpenTelemetry Collector (the distribution built from
 * provisioning/otelcol/builder-config.yaml), Warden as its own process (`warden serve --config`)
 * and a real Elasticsearch:
 *  - the agent collector (agent.yaml as shipped) tails growing files in every seed format and
 *    receives PIX syslog over UDP; the alerts in Elasticsearch are exactly what `warden analyze`
 *    says about the same lines, with the file as location and the host as agent;
 *  - scale-out: gateway.yaml in front of two Warden replicas, two agents with different host
 *    names; brute-force correlation fires, first-time-seen is shared, nothing lost or doubled;
 *  - faults: Warden SIGKILLed mid-stream; Elasticsearch stopped (20 s instead of a minute, to keep
 *    the suite short); the collector restarted while Warden is down.
 * Run with `npm run test:e2e` (also run by .ci/run).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EsNode, freePort } from '../service/es-node';
import {
  agentCollector, analyze, appendLines, Collector, collectorBinary, compareAlerts, corpusLines, esAlerts, keyOf, logFiles, asKey, removeTmpDirs, analyzeTogether, type EsAlert,
  missingPrerequisites, OTELCOL_DIR, restamp, sendSyslog, settledAlerts, sleep, tmpDir, until, Warden, type AlertKey,
} from './harness';

const missing = missingPrerequisites();
// a missing prerequisite fails the suite, saying which (README, Prerequisites): it never skips
if (missing) throw new Error(`the end-to-end tests need: ${missing}`);
const d = describe;

const APACHE_ERRORS = [
  '[Sun Nov 29 10:00:01.123456 2026] [core:error] [pid 2211] [client 203.0.113.9:51234] AH00126: Invalid URI in request GET /../../etc/passwd HTTP/1.1',
  '[Sun Nov 29 10:00:02.000001 2026] [authz_core:error] [pid 2212] [client 203.0.113.9:51240] AH01630: client denied by server configuration: /var/www/private',
  '[Sun Nov 29 10:00:03.5 2026] [auth_basic:error] [pid 2213] [client 198.51.100.7:40000] AH01618: user admin not found: /admin',
  '[Sun Nov 29 10:00:04 2026] [mpm_prefork:notice] [pid 1000] AH00163: Apache/2.4.57 (Debian) configured -- resuming normal operations',
];

/** sshd lines with the current time (the collector's files carry no record time; Warden uses receive time). */
const sshFail = (host: string, user: string, ip: string, n: number) => restamp(`Jan  1 00:00:00 ${host} sshd[${3000 + n}]: Failed password for ${user} from ${ip} port ${40000 + n} ssh2`);
const sshOk = (host: string, user: string, ip: string, n: number) => restamp(`Jan  1 00:00:00 ${host} sshd[${5000 + n}]: Accepted password for ${user} from ${ip} port ${50000 + n} ssh2`);

/** Ids of the rules with a frequency (their firing depends on in-memory counters). */
function frequencyRules(): Set<string> {
  const ids = new Set<string>();
  const dir = path.join(__dirname, '..', '..', 'rules', 'rules');
  for (const f of fs.readdirSync(dir)) for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/<rule id="(\d+)"[^>]*frequency=/g)) ids.add(m[1]);
  return ids;
}

function expectSame(got: EsAlert[], want: AlertKey[]): void {
  const diff = compareAlerts(got.map(asKey), want);
  expect({ missing: diff.missing.slice(0, 20), extra: diff.extra.slice(0, 20) }).toEqual({ missing: [], extra: [] });
  expect(got.length).toBe(want.length);
}

d('collector → Warden → Elasticsearch', () => {
  let bin: string;
  let es: EsNode;
  const procs: Array<{ stop: (s?: NodeJS.Signals) => Promise<void> }> = [];
  const track = <T extends { stop: (s?: NodeJS.Signals) => Promise<void> }>(p: T): T => { procs.push(p); return p; };

  beforeAll(async () => {
    bin = collectorBinary();
    es = await EsNode.create();
    await es.start();
  }, 45 * 60_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL').catch(() => undefined);
    await es?.destroy();
    removeTmpDirs();
  }, 120_000);

  test('agent.yaml tails growing files in every seed format and PIX syslog; alerts are exactly analyze\'s', async () => {
    const root = tmpDir('basic');
    const files = logFiles(path.join(root, 'logs'));
    const c = corpusLines(60);
    const thirds = <T>(a: T[]) => [a.slice(0, 20), a.slice(20, 40), a.slice(40)];
    const parts = { auth: thirds(c.authlog), messages: thirds(c.messages), apacheAccess: thirds(c.apache), squid: thirds(c.squid) };
    // a third of every file exists before the collector starts
    for (const k of Object.keys(parts) as Array<keyof typeof parts>) appendLines(files[k], parts[k][0]);
    appendLines(files.apacheError, APACHE_ERRORS.slice(0, 2));

    const warden = track(await Warden.create('basic', path.join(root, 'warden'), es, 'e2e-basic'));
    await warden.start();
    const syslogPort = await freePort();
    const agent = track(await agentCollector(bin, 'agent-basic', { hostName: 'e2e-web1', logRoot: path.join(root, 'logs'), stateDir: path.join(root, 'agent-state'), endpoint: `http://127.0.0.1:${warden.ports.http}`, syslogPort }));
    await agent.start();

    // the files grow while the collector runs; the PIX sends its lines with the current time
    const pix = c.pix.map((l) => restamp(l));
    await sendSyslog(syslogPort, pix.slice(0, 30));
    for (const i of [1, 2]) {
      await sleep(1500);
      for (const k of Object.keys(parts) as Array<keyof typeof parts>) appendLines(files[k], parts[k][i]);
    }
    appendLines(files.apacheError, APACHE_ERRORS.slice(2));
    await sendSyslog(syslogPort, pix.slice(30));

    const pixFile = path.join(root, 'pix-as-sent.log');
    fs.writeFileSync(pixFile, pix.map((l) => `${l}\n`).join(''));
    const want = [
      ...analyze([files.auth]), ...analyze([files.messages]), ...analyze([files.apacheAccess]), ...analyze([files.apacheError]), ...analyze([files.squid]),
      ...analyze([pixFile], 'syslog-udp'),
    ];
    expect(want.length).toBeGreaterThan(100);
    expect(new Set(want.map((a) => a.location))).toEqual(new Set([files.auth, files.messages, files.apacheError, files.squid, 'syslog-udp']));

    const got = await settledAlerts(es, 'e2e-basic', want.length);
    expectSame(got, want);
    expect(new Set(got.map((a) => a.agent.name))).toEqual(new Set(['e2e-web1']));
    expect(new Set(got.map((a) => a._id)).size).toBe(got.length);
    // the agents index knows the host
    const agents = await es.search('e2e-basic-agents');
    expect(agents.map((h) => (h._source as { agent: { name: string } }).agent.name)).toEqual(['e2e-web1']);
    await agent.stop();
    await warden.stop();
  }, 10 * 60_000);

  test('scale-out: gateway over two replicas, two agents; brute force fires, first-time-seen shared, nothing lost or doubled', async () => {
    const root = tmpDir('scale');
    const prefix = 'e2e-scale';
    const w1 = track(await Warden.create('replica-1', path.join(root, 'w1'), es, prefix));
    const w2 = track(await Warden.create('replica-2', path.join(root, 'w2'), es, prefix));
    await Promise.all([w1.start(), w2.start()]);
    const gwHttp = await freePort();
    const gateway = track(new Collector('gateway', bin, path.join(OTELCOL_DIR, 'gateway.yaml'), {
      WARDEN_GATEWAY_GRPC: `127.0.0.1:${await freePort()}`,
      WARDEN_GATEWAY_HTTP: `127.0.0.1:${gwHttp}`,
      WARDEN_REPLICA_1: `127.0.0.1:${w1.ports.grpc}`,
      WARDEN_REPLICA_2: `127.0.0.1:${w2.ports.grpc}`,
    }));
    await gateway.start();

    // Two agents whose records the gateway routes to different replicas: host names are tried
    // until the second lands on the other replica (routing is a hash of the resource).
    const startAgent = async (host: string) => {
      const logs = path.join(root, `logs-${host}`);
      const a = track(await agentCollector(bin, host, { hostName: host, logRoot: logs, stateDir: path.join(root, `state-${host}`), endpoint: `http://127.0.0.1:${gwHttp}` }));
      await a.start();
      return { a, files: logFiles(logs), host };
    };
    const replicaOf = async (probe: () => void): Promise<number> => {
      const before = [await w1.eventsReceived(), await w2.eventsReceived()];
      probe();
      return until(async () => {
        const now = [await w1.eventsReceived(), await w2.eventsReceived()];
        return now[0] > before[0] ? 1 : now[1] > before[1] ? 2 : 0;
      }, 'the probe line to reach a replica', 30_000);
    };
    const A = await startAgent('e2e-db1');
    const rA = await replicaOf(() => appendLines(A.files.messages, [restamp('Jan  1 00:00:00 e2e-db1 kernel: probe A')]));
    let B = await startAgent('e2e-app1');
    let rB = await replicaOf(() => appendLines(B.files.messages, [restamp('Jan  1 00:00:00 e2e-app1 kernel: probe B')]));
    for (let i = 2; rB === rA && i < 12; i++) {
      await B.a.stop();
      B = await startAgent(`e2e-app${i}`);
      rB = await replicaOf(() => appendLines(B.files.messages, [restamp(`Jan  1 00:00:00 e2e-app${i} kernel: probe B`)]));
    }
    expect(rB).not.toBe(rA);

    // A: a brute force from one address against db1, then a login of a new user (first-time-seen)
    const attacker = '198.51.100.66';
    appendLines(A.files.auth, Array.from({ length: 12 }, (_, n) => sshFail('e2e-db1', 'root', attacker, n)));
    appendLines(A.files.auth, [sshOk('shared-jump', 'carol', '192.0.2.10', 1)]);
    await until(async () => (await esAlerts(es, prefix)).some((a) => a.rule.id === '10100'), 'the first login alert from A', 60_000);
    await sleep(3000); // > fts_refresh_seconds: the other replica has read the key back
    // B: the same user on the same host (seen by A's replica first): not new any more; and its own traffic
    appendLines(B.files.auth, [sshOk('shared-jump', 'carol', '192.0.2.10', 2)]);
    appendLines(B.files.auth, Array.from({ length: 5 }, (_, n) => sshFail(B.host, 'admin', '203.0.113.77', n)));
    appendLines(B.files.squid, corpusLines(20).squid);

    // expected: one engine over A's then B's files (first-time-seen shared, as across the replicas)
    const want = [...analyze([A.files.auth]), ...analyze([A.files.messages])];
    const wantB = [...analyze([B.files.auth]), ...analyze([B.files.messages]), ...analyze([B.files.squid])];
    // B alone would call carol's login new; with the shared key it is an ordinary login
    const bOk = wantB.filter((a) => a.full_log.includes('Accepted password for carol'));
    expect(bOk.map((a) => a.rule)).toEqual(['10100']);
    const bOrdinary = analyzeTogether([A.files.auth, B.files.auth]).filter((a) => a.location === B.files.auth && a.full_log.includes('Accepted password for carol'));
    // (analyze over both files in one engine: the second login is the ordinary sshd success rule)
    expect(bOrdinary).toHaveLength(1);
    expect(bOrdinary[0].rule).not.toBe('10100');
    for (const a of wantB) if (!a.full_log.includes('Accepted password for carol')) want.push(a);
    want.push(bOrdinary[0]);

    const got = await settledAlerts(es, prefix, want.length, 120_000, 4000);
    expectSame(got, want);
    const brute = got.filter((a) => a.rule.id === '5712' || a.rule.id === '5720');
    expect(brute.length).toBeGreaterThanOrEqual(1);
    expect(brute.every((a) => a.agent.name === 'e2e-db1' && a.data.srcip === attacker)).toBe(true);
    expect(got.filter((a) => a.rule.id === '10100').map((a) => a.agent.name)).toEqual(['e2e-db1']);
    expect(new Set(got.map((a) => a._id)).size).toBe(got.length);
    // each host's records stayed on one replica: stats documents name one instance per agent
    await B.a.stop();
    await A.a.stop();
    await gateway.stop();
    await Promise.all([w1.stop(), w2.stop()]);
  }, 10 * 60_000);

  test('warden fim → Warden → Elasticsearch: 554/550/553 with before/after values; ignored paths and a restart stay silent', async () => {
    const root = tmpDir('fim');
    const prefix = 'e2e-fim';
    const warden = track(await Warden.create('fim', path.join(root, 'warden'), es, prefix));
    await warden.start();
    const dir = path.join(root, 'watched');
    const put = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true }); fs.writeFileSync(path.join(dir, rel), text); };
    put('etc/app.conf', 'port = 80\nuser = www\n');
    put('etc/run.sh', '#!/bin/sh\nexec app\n');
    fs.chmodSync(path.join(dir, 'etc/run.sh'), 0o644);
    put('etc/old.txt', 'renamed later\n');
    put('etc/gone.txt', 'deleted later\n');
    put('etc/same.txt', 'never changes\n');
    put('cache/blob', 'ignored\n');
    const cfg = path.join(root, 'fim.yaml');
    fs.writeFileSync(cfg, [
      `endpoint: http://127.0.0.1:${warden.ports.http}`,
      'encoding: protobuf',
      'state_dir: fim-state',
      'host_name: e2e-fim-host',
      'directories:',
      `  - { path: ${dir}, report_changes: true }`,
      `ignore: [${path.join(dir, 'cache')}]`,
      "ignore_regex: ['\\.swp$']",
      '',
    ].join('\n'));
    const fim = () => execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'otel-processor', 'bin', 'warden.js'), 'fim', '--config', cfg, '--once'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    fim(); // baseline
    put('etc/app.conf', 'port = 8080\nuser = www\n');
    fs.chmodSync(path.join(dir, 'etc/run.sh'), 0o750);
    fs.rmSync(path.join(dir, 'etc/gone.txt'));
    fs.renameSync(path.join(dir, 'etc/old.txt'), path.join(dir, 'etc/new.txt'));
    put('etc/added.txt', 'hello\n');
    put('cache/blob', 'ignored, changed\n');
    put('etc/.app.conf.swp', 'editor swap\n');
    fim();
    const got = await settledAlerts(es, prefix, 6, 60_000, 3000);
    const rel = (a: EsAlert) => path.relative(dir, a.data['syscheck.path'] ?? (a.data as unknown as { syscheck: { path: string } }).syscheck?.path);
    expect(got.map((a) => `${a.rule.id} ${rel(a)} ${a.data['syscheck.event']}`).sort()).toEqual([
      '550 etc/app.conf modified', '550 etc/run.sh modified', '553 etc/gone.txt deleted', '553 etc/old.txt deleted',
      '554 etc/added.txt added', '554 etc/new.txt added',
    ]);
    expect(new Set(got.map((a) => a.agent.name))).toEqual(new Set(['e2e-fim-host']));
    const one = (p: string) => got.find((a) => rel(a) === p)!;
    expect(one('etc/app.conf').data['syscheck.size_before']).toBe('21');
    expect(one('etc/app.conf').data['syscheck.size_after']).toBe('23');
    expect(one('etc/app.conf').data['syscheck.diff']).toBe('@@ -1,2 +1,2 @@\n-port = 80\n+port = 8080\n user = www');
    expect(one('etc/run.sh').data['syscheck.perm_before']).toBe('100644');
    expect(one('etc/run.sh').data['syscheck.perm_after']).toBe('100750');
    expect(one('etc/gone.txt').data['syscheck.sha256_before']).toMatch(/^[0-9a-f]{64}$/);
    expect(one('etc/added.txt').data['syscheck.sha1_after']).toMatch(/^[0-9a-f]{40}$/);
    expect(one('etc/added.txt').rule.level).toBeGreaterThan(0);
    // a run on the saved baseline with nothing changed raises nothing
    fim();
    await sleep(3000);
    expect(await esAlerts(es, prefix)).toHaveLength(6);
    await warden.stop();
  }, 5 * 60_000);

  describe('faults', () => {
    /** A Warden and an agent for one host, with a single growing auth file (one engine, one order). */
    const setup = async (name: string) => {
      const root = tmpDir(name);
      const warden = track(await Warden.create(name, path.join(root, 'warden'), es, `e2e-${name}`));
      await warden.start();
      const files = logFiles(path.join(root, 'logs'));
      const agent = track(await agentCollector(bin, `agent-${name}`, { hostName: `e2e-${name}`, logRoot: path.join(root, 'logs'), stateDir: path.join(root, 'agent-state'), endpoint: `http://127.0.0.1:${warden.ports.http}` }));
      return { root, warden, files, agent, prefix: `e2e-${name}` };
    };
    const lines = (host: string, from: number, n: number) => Array.from({ length: n }, (_, i) => {
      const k = from + i;
      return k % 3 === 0 ? sshOk(host, `user${k % 7}`, `192.0.2.${k % 250}`, k) : sshFail(host, `user${k % 5}`, `198.51.100.${k % 200}`, k);
    });

    test('Warden SIGKILLed mid-stream and restarted: the persistent queue and the spool lose nothing', async () => {
      const s = await setup('kill');
      await s.agent.start();
      appendLines(s.files.auth, lines('e2e-kill', 0, 100));
      await until(async () => (await esAlerts(es, s.prefix)).length > 0, 'the first alerts', 60_000);
      appendLines(s.files.auth, lines('e2e-kill', 100, 100));
      await sleep(300);
      await s.warden.stop('SIGKILL');
      appendLines(s.files.auth, lines('e2e-kill', 200, 100)); // written while Warden is dead: queued by the collector
      await sleep(2000);
      await s.warden.start();
      appendLines(s.files.auth, lines('e2e-kill', 300, 100));
      const want = analyze([s.files.auth]);
      const got = await settledAlerts(es, s.prefix, want.length, 180_000, 5000);
      // Correlation counters live in the killed process' memory (as in OSSEC), so a line that
      // completed a frequency rule may alert under its base rule after the restart. Every line
      // must alert exactly once, and with analyze's rule unless a frequency rule is involved.
      expect(new Set(got.map((a) => a._id)).size).toBe(got.length);
      expect(new Set(got.map((a) => a.full_log)).size).toBe(got.length); // no line alerted twice
      expect(new Set(got.map((a) => a.full_log))).toEqual(new Set(want.map((a) => a.full_log)));
      const freq = frequencyRules();
      const wantRule = new Map(want.map((a) => [a.full_log, a.rule]));
      const mismatched = got.filter((a) => !freq.has(a.rule.id) && !freq.has(wantRule.get(a.full_log)!) && wantRule.get(a.full_log) !== a.rule.id);
      expect(mismatched.map((a) => keyOf(asKey(a)))).toEqual([]);
      expect(got.filter((a) => a.location === s.files.auth)).toHaveLength(got.length);
      await s.agent.stop();
      await s.warden.stop();
    }, 10 * 60_000);

    test('Elasticsearch stopped for 20 s (instead of a minute) while lines arrive: all alerts land once it is back', async () => {
      const s = await setup('esdown');
      await s.agent.start();
      appendLines(s.files.auth, lines('e2e-esdown', 0, 60));
      await until(async () => (await esAlerts(es, s.prefix)).length > 0, 'the first alerts', 60_000);
      await es.stop();
      appendLines(s.files.auth, lines('e2e-esdown', 60, 60));
      await sleep(20_000);
      // Warden accepted everything meanwhile (its spool holds it)
      expect(await s.warden.eventsReceived()).toBeGreaterThanOrEqual(120);
      await es.start();
      appendLines(s.files.auth, lines('e2e-esdown', 120, 60));
      const want = analyze([s.files.auth]);
      const got = await settledAlerts(es, s.prefix, want.length, 180_000, 5000);
      expectSame(got, want);
      await s.agent.stop();
      await s.warden.stop();
    }, 10 * 60_000);

    test('collector restarted while Warden is down: its on-disk queue is delivered once Warden is back', async () => {
      const s = await setup('restart');
      await s.agent.start();
      appendLines(s.files.auth, lines('e2e-restart', 0, 50));
      await until(async () => (await esAlerts(es, s.prefix)).length > 0, 'the first alerts', 60_000);
      await sleep(2000);
      await s.warden.stop();
      appendLines(s.files.auth, lines('e2e-restart', 50, 50)); // read and queued while Warden is down
      await sleep(3000);
      await s.agent.stop(); // graceful: the queue is on disk
      appendLines(s.files.auth, lines('e2e-restart', 100, 50)); // written while both are down
      await s.agent.start();
      await sleep(2000);
      await s.warden.start();
      const want = analyze([s.files.auth]);
      const got = await settledAlerts(es, s.prefix, want.length, 180_000, 5000);
      expectSame(got, want);
      await s.agent.stop();
      await s.warden.stop();
    }, 10 * 60_000);
  });
});
