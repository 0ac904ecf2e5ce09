/**
 * warden fim: configuration checks, diffs, the reg.exe reader on recorded output, and the
 * monitor against a real in-process Warden (Warden's own ruleset, file sink): create, modify
 * (content, permissions), delete and rename raise 554/550/553 with before/after values, ignored
 * paths stay silent, and a restart on the saved baseline raises nothing for unchanged files.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fimConfigFrom, FimConfigError, loadFimConfig, normalizeRegistryKey, type FimConfig } from '../../otel-processor/src/fim/config';
import { unifiedDiff, isText } from '../../otel-processor/src/fim/diff';
import { parseRegQuery, registryStates, diffRegistry } from '../../otel-processor/src/fim/registry';
import { FimMonitor, RateLimiter } from '../../otel-processor/src/fim/monitor';
import { toRecord } from '../../otel-processor/src/fim/events';
import { Baseline, BaselineError } from '../../otel-processor/src/fim/baseline';
import { Sender } from '../../otel-processor/src/fim/sender';
import type { WardenService } from '../../otel-processor/src/service/service';
import { readJsonLines, startService, tmpDir, until, ROOT } from '../service/helpers';

const FIX = path.join(__dirname, 'fixtures');

describe('fim.yaml', () => {
  test('defaults and relative paths', () => {
    const c = fimConfigFrom({ directories: ['etc', { path: '/srv/www/', realtime: true, report_changes: 'yes', check: ['size', 'sha256'] }] }, '/opt/x');
    expect(c.endpoint).toBe('http://127.0.0.1:4318');
    expect(c.maxFilesPerSecond).toBe(1000);
    expect(c.directories[0]).toMatchObject({ path: '/opt/x/etc', recursive: true, realtime: false, reportChanges: false });
    expect(c.directories[0].checks.size).toBe(9);
    expect(c.directories[1]).toMatchObject({ path: '/srv/www', realtime: true, reportChanges: true });
    expect([...c.directories[1].checks]).toEqual(['size', 'sha256']);
    expect(c.stateDir).toBe('/opt/x/var/fim');
  });

  test.each([
    [{ directories: [{ path: '' }] }, 'directories[0].path: must be a non-empty string'],
    [{ directories: [{ path: '/x', realtim: true }] }, 'directories[0].realtim: unknown key'],
    [{ directories: ['/x'], max_files_per_second: -1 }, 'max_files_per_second: must be a number from 0'],
    [{ directories: ['/x'], ignore_regex: ['(unclosed'] }, 'ignore_regex[0]: invalid regular expression'],
    [{ directories: ['/x'], endpoint: 'ftp://x' }, 'endpoint: must be an http:// or https:// URL'],
    [{ directories: ['/x'], encoding: 'xml' }, 'encoding: must be json or protobuf'],
    [{ directories: [{ path: '/x', check: ['sha512'] }] }, 'directories[0].check[0]: unknown check "sha512"'],
    [{ windows_registry: ['SOFTWARE\\x'] }, 'windows_registry[0].key: must start with a hive'],
    [{ frequency: 10 }, 'frequency: unknown key'],
    [[1, 2], 'the configuration must be a mapping'],
  ])('bad configuration %j is refused with a clear error', (doc, msg) => {
    expect(() => fimConfigFrom(doc, '/')).toThrow(FimConfigError);
    expect(() => fimConfigFrom(doc, '/')).toThrow(msg);
  });

  test('files: unreadable, not YAML, nothing to monitor', () => {
    const d = tmpDir('fimcfg');
    expect(() => loadFimConfig(path.join(d, 'missing.yaml'))).toThrow(/cannot read/);
    fs.writeFileSync(path.join(d, 'bad.yaml'), 'directories: [unclosed');
    expect(() => loadFimConfig(path.join(d, 'bad.yaml'))).toThrow(/not valid YAML/);
    fs.writeFileSync(path.join(d, 'empty.yaml'), 'endpoint: http://127.0.0.1:4318\n');
    expect(() => loadFimConfig(path.join(d, 'empty.yaml'))).toThrow(/nothing to monitor/);
  });

  test('registry keys: short hive names and slashes are normalized', () => {
    expect(normalizeRegistryKey('hklm/Software/Microsoft\\')).toBe('HKEY_LOCAL_MACHINE\\Software\\Microsoft');
    expect(normalizeRegistryKey('HKCU\\Run')).toBe('HKEY_CURRENT_USER\\Run');
  });
});

describe('diff', () => {
  test('unified hunks with context', () => {
    const a = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'].join('\n') + '\n';
    const b = a.replace('two\n', 'TWO\n').replace('eleven\n', 'eleven\nextra\n');
    expect(unifiedDiff(a, b)).toBe(['@@ -1,5 +1,5 @@', ' one', '-two', '+TWO', ' three', ' four', ' five',
      '@@ -9,4 +9,5 @@', ' nine', ' ten', ' eleven', '+extra', ' twelve'].join('\n'));
    expect(unifiedDiff(a, a)).toBe('');
    expect(unifiedDiff('', 'x\n')).toBe('@@ -0,0 +1,1 @@\n+x');
  });

  test('binary content is not text; huge diffs are truncated', () => {
    expect(isText(Buffer.from('hello\n'))).toBe(true);
    expect(isText(Buffer.from([0x41, 0x00, 0x42]))).toBe(false);
    expect(isText(Buffer.from([0xff, 0xfe, 0xfd]))).toBe(false);
    const big = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
    const d = unifiedDiff(big, big.replace(/line/g, 'LINE'), 1000);
    expect(d.endsWith('... (diff truncated)')).toBe(true);
  });
});

describe('reg.exe reader (recorded output)', () => {
  const before = parseRegQuery(fs.readFileSync(path.join(FIX, 'reg-query-run-before.txt'), 'latin1'));
  const after = parseRegQuery(fs.readFileSync(path.join(FIX, 'reg-query-run-after.txt'), 'latin1'));
  const RUN = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run';

  test('keys and values, every type, empty data and names with spaces', () => {
    expect(before.map((k) => k.key)).toEqual([RUN, `${RUN}\\AutorunsDisabled`, `${RUN}\\Updater`]);
    expect(before[0].values).toEqual([
      { name: 'SecurityHealth', type: 'REG_EXPAND_SZ', data: '%windir%\\system32\\SecurityHealthSystray.exe' },
      { name: 'VMware User Process', type: 'REG_SZ', data: '"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe" -n vmusr' },
      { name: '(Default)', type: 'REG_SZ', data: '(value not set)' },
    ]);
    expect(before[1].values).toEqual([]);
    expect(before[2].values.map((v) => [v.name, v.type, v.data])).toEqual([
      ['Interval', 'REG_DWORD', '0x3c'],
      ['Servers', 'REG_MULTI_SZ', 'a.example.com\\0b.example.com'],
      ['Blob', 'REG_BINARY', '01000000D08C9DDF0115D1118C7A00C04FC297EB'],
      ['Empty', 'REG_SZ', ''],
      ['LastRun', 'REG_QWORD', '0x1d9a1b2c3d4e5f6'],
    ]);
  });

  test('the /f form: the "End of search" line is not a value', () => {
    const k = parseRegQuery(fs.readFileSync(path.join(FIX, 'reg-query-find.txt'), 'latin1'));
    expect(k).toHaveLength(2);
    expect(k[0].values).toHaveLength(1);
    expect(k[1].values).toHaveLength(0);
  });

  test('before → after: added, deleted, modified values and a new key; ignores apply', () => {
    const roots = [{ key: RUN, recursive: true }];
    const none = () => false;
    const ev = diffRegistry(registryStates(before, roots, none), registryStates(after, roots, none), 1000);
    const summary = ev.map((e) => `${e.event} ${e.path.slice(RUN.length) || '.'} ${e.valueName ?? '(key)'}`).sort();
    expect(summary).toEqual([
      'added . Updater Agent',
      'added \\Persist (key)',
      'added \\Persist Tick',
      'deleted . VMware User Process',
      'modified \\Updater Interval',
    ]);
    const mod = ev.find((e) => e.event === 'modified')!;
    expect(mod.diff).toBe('-REG_DWORD 0x3c\n+REG_DWORD 0x1');
    const rec = toRecord(mod, 'win1');
    expect(rec.attributes['syscheck.type']).toBe('registry');
    expect(rec.attributes['syscheck.value_type']).toBe('REG_DWORD');
    expect(rec.body).toBe(`Integrity checksum changed for: '${RUN}\\Updater\\Interval' (sha256)`);
    // ignoring the Updater subtree and non-recursive roots
    const ignored = (k: string) => k.toLowerCase().startsWith(`${RUN}\\updater`.toLowerCase());
    const ev2 = diffRegistry(registryStates(before, roots, ignored), registryStates(after, roots, ignored), 1000);
    expect(ev2.some((e) => e.path.includes('Updater') && e.valueName !== 'Updater Agent')).toBe(false);
    const flat = registryStates(after, [{ key: RUN, recursive: false }], none);
    expect([...flat.values()].every((s) => s.key === RUN)).toBe(true);
  });
});

describe('rate limit', () => {
  test('at most N files per second on average', async () => {
    const l = new RateLimiter(200);
    const t0 = Date.now();
    for (let i = 0; i < 60; i++) await l.take();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250); // 60 files at 200/s take >= 300 ms (less a timer slack)
  });
});

describe('baseline', () => {
  test('a damaged baseline is an error that names the file, not a silent reset', () => {
    const d = tmpDir('fimbase');
    fs.writeFileSync(path.join(d, 'baseline.json'), '{"version":1,"files":{');
    expect(() => new Baseline(d).load()).toThrow(BaselineError);
    expect(() => new Baseline(d).load()).toThrow(/baseline\.json is damaged/);
  });
});

describe('outbox', () => {
  test('records Warden already has (outbox.ack) are not sent again after a restart', () => {
    const d = tmpDir('fim-ack');
    const rec = (i: number) => JSON.stringify({ time: i, body: `r${i}`, attributes: { 'warden.event.kind': 'syscheck' } });
    fs.writeFileSync(path.join(d, 'outbox.jsonl'), `${rec(1)}\n${rec(2)}\n${rec(3)}\n`);
    fs.writeFileSync(path.join(d, 'outbox.ack'), '2');
    const s = new Sender(d, { endpoint: 'http://127.0.0.1:9', encoding: 'json', headers: {}, timeoutMs: 100, who: { hostName: 'h', agentId: null }, version: '0' });
    expect(s.pending).toBe(1);
    fs.writeFileSync(path.join(d, 'outbox.ack'), '0');
    expect(new Sender(d, { endpoint: 'http://127.0.0.1:9', encoding: 'json', headers: {}, timeoutMs: 100, who: { hostName: 'h', agentId: null }, version: '0' }).pending).toBe(3);
  });
});

describe('monitor → Warden (in-process service, Warden ruleset, file sink)', () => {
  let svc: WardenService;
  let wardenState: string;
  let watched: string;
  let fimState: string;
  const alerts = () => readJsonLines(path.join(wardenState, 'alerts', 'alerts.json'));
  type A = { rule: { id: string }; data: Record<string, string>; agent: { name: string }; full_log: string };
  const fimAlerts = () => (alerts() as unknown as A[]).filter((a) => a.data['warden.event.kind'] === 'syscheck');

  beforeAll(async () => {
    wardenState = tmpDir('fim-warden');
    svc = await startService(wardenState, path.join(ROOT, 'rules'));
    watched = tmpDir('fim-watched');
    fimState = tmpDir('fim-state');
  });
  afterAll(async () => { await svc?.stop(); });

  const config = (extra: Record<string, unknown> = {}): FimConfig => fimConfigFrom({
    endpoint: `http://127.0.0.1:${svc.ports.http}`,
    state_dir: fimState,
    host_name: 'fim-host-1',
    max_files_per_second: 0,
    directories: [{ path: watched, report_changes: true }],
    ignore: [path.join(watched, 'cache')],
    ignore_regex: ['\\.swp$'],
    ...extra,
  }, '/');

  const write = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(watched, rel)), { recursive: true }); fs.writeFileSync(path.join(watched, rel), text); };

  test('create, modify, chmod, delete, rename; ignored paths silent; restart does not re-alert', async () => {
    write('app.conf', 'listen 80\nuser www\n');
    write('keep.txt', 'unchanged\n');
    write('old-name.txt', 'rename me\n');
    write('gone.txt', 'delete me\n');
    write('cache/tmp.dat', 'ignored\n');
    write('sub/mode.sh', '#!/bin/sh\necho hi\n');
    fs.chmodSync(path.join(watched, 'sub/mode.sh'), 0o644);

    let mon = new FimMonitor(config(), { log: () => undefined });
    const first = await mon.scan();
    expect(first.files).toBe(5); // cache/ is ignored
    expect(first.events).toBe(0); // the first scan builds the baseline
    await mon.stop();

    write('new.txt', 'brand new\n');
    write('app.conf', 'listen 8080\nuser www\n');
    fs.chmodSync(path.join(watched, 'sub/mode.sh'), 0o755);
    fs.rmSync(path.join(watched, 'gone.txt'));
    fs.renameSync(path.join(watched, 'old-name.txt'), path.join(watched, 'new-name.txt'));
    write('cache/tmp.dat', 'ignored but changed\n');
    write('editor.swp', 'swap\n');

    mon = new FimMonitor(config(), { log: () => undefined });
    const second = await mon.scan();
    expect(second.events).toBe(6);
    expect(await mon.sender.drain(10_000)).toBe(true);
    await mon.stop();

    const got = await until(() => { const a = fimAlerts(); return a.length >= 6 ? a : null; }, '6 FIM alerts in alerts.json', 20_000);
    const by = (p: string) => got.filter((a) => a.data['syscheck.path'] === path.join(watched, p));
    expect(got.map((a) => `${a.rule.id} ${path.relative(watched, a.data['syscheck.path'])}`).sort()).toEqual([
      '550 app.conf', '550 sub/mode.sh', '553 gone.txt', '553 old-name.txt', '554 new-name.txt', '554 new.txt',
    ]);
    expect(got.every((a) => a.agent.name === 'fim-host-1')).toBe(true);
    const conf = by('app.conf')[0];
    expect(conf.data['syscheck.size_before']).toBe('19');
    expect(conf.data['syscheck.size_after']).toBe('21');
    expect(conf.data['syscheck.sha256_before']).not.toBe(conf.data['syscheck.sha256_after']);
    expect(conf.data['syscheck.changed_attributes']).toContain('md5');
    expect(conf.data['syscheck.diff']).toBe('@@ -1,2 +1,2 @@\n-listen 80\n+listen 8080\n user www');
    const mode = by('sub/mode.sh')[0];
    expect(mode.data['syscheck.perm_before']).toBe('100644');
    expect(mode.data['syscheck.perm_after']).toBe('100755');
    expect(mode.data['syscheck.changed_attributes']).toBe('perm');
    expect(mode.data['syscheck.diff']).toBeUndefined();
    expect(by('gone.txt')[0].data['syscheck.md5_before']).toBe(createHash('md5').update('delete me\n').digest('hex'));
    expect(by('gone.txt')[0].data['syscheck.sha1_after']).toBeUndefined();
    expect(by('new.txt')[0].data['syscheck.size_after']).toBe('10');
    expect(by('new.txt')[0].full_log).toBe(`New file '${path.join(watched, 'new.txt')}' added to the file system.`);

    // a restart on the saved baseline: nothing changed, nothing raised, nothing sent
    mon = new FimMonitor(config(), { log: () => undefined });
    const third = await mon.scan();
    expect(third.events).toBe(0);
    expect(mon.sender.pending).toBe(0);
    await mon.stop();
    await new Promise((r) => setTimeout(r, 500));
    expect(fimAlerts()).toHaveLength(6);
  });

  test('realtime directories raise events from file watches, without a scan', async () => {
    const rt = tmpDir('fim-rt');
    fs.writeFileSync(path.join(rt, 'a.txt'), 'a\n');
    const st = tmpDir('fim-rt-state');
    const mon = new FimMonitor(fimConfigFrom({
      endpoint: `http://127.0.0.1:${svc.ports.http}`, encoding: 'protobuf', state_dir: st, host_name: 'fim-host-rt',
      frequency_seconds: 3600, realtime_delay_ms: 50, directories: [{ path: rt, realtime: true }], ignore_regex: ['\\.tmp$'],
    }, '/'), { log: () => undefined });
    await mon.start(); // first scan (baseline) + watches
    fs.writeFileSync(path.join(rt, 'b.txt'), 'b\n');
    fs.writeFileSync(path.join(rt, 'x.tmp'), 'ignored\n');
    fs.appendFileSync(path.join(rt, 'a.txt'), 'more\n');
    const rtAlerts = () => (alerts() as unknown as A[]).filter((a) => a.agent.name === 'fim-host-rt');
    const got = await until(() => { const a = rtAlerts(); return a.length >= 2 ? a : null; }, 'realtime FIM alerts', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    await mon.stop();
    expect(rtAlerts().map((a) => `${a.rule.id} ${path.basename(a.data['syscheck.path'])} ${a.data['syscheck.mode']}`).sort())
      .toEqual(['550 a.txt realtime', '554 b.txt realtime']);
    expect(got.length).toBe(2);
  });

  test('the schedule: with frequency_seconds 1 a change is found by the next scan, without watches', async () => {
    const dir = tmpDir('fim-sched');
    fs.writeFileSync(path.join(dir, 'f'), 'one\n');
    const mon = new FimMonitor(fimConfigFrom({
      endpoint: `http://127.0.0.1:${svc.ports.http}`, state_dir: tmpDir('fim-sched-state'), host_name: 'fim-host-sched',
      frequency_seconds: 1, directories: [dir],
    }, '/'), { log: () => undefined });
    await mon.start();
    fs.writeFileSync(path.join(dir, 'f'), 'two\n');
    const mine = () => (alerts() as unknown as A[]).filter((a) => a.agent.name === 'fim-host-sched');
    const got = await until(() => { const a = mine(); return a.length ? a : null; }, 'the scheduled scan\'s alert', 20_000);
    await mon.stop();
    expect(got.map((a) => `${a.rule.id} ${a.data['syscheck.mode']}`)).toEqual(['550 scheduled']);
  });

  test('registry (recorded reg.exe output): added/deleted/modified values raise 598/597/594 through Warden', async () => {
    const st = tmpDir('fim-reg-state');
    let recording = 'reg-query-run-before.txt';
    const regRunner = async (key: string) => {
      expect(key).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run');
      return fs.readFileSync(path.join(FIX, recording), 'latin1');
    };
    const cfg = fimConfigFrom({
      endpoint: `http://127.0.0.1:${svc.ports.http}`, state_dir: st, host_name: 'fim-host-win',
      windows_registry: ['HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'],
      registry_ignore: ['HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\AutorunsDisabled'],
    }, '/');
    let mon = new FimMonitor(cfg, { log: () => undefined, regRunner });
    expect((await mon.scan()).events).toBe(0);
    await mon.stop();
    recording = 'reg-query-run-after.txt';
    mon = new FimMonitor(cfg, { log: () => undefined, regRunner });
    expect((await mon.scan()).events).toBe(5);
    expect(await mon.sender.drain(10_000)).toBe(true);
    await mon.stop();
    const win = () => (alerts() as unknown as A[]).filter((a) => a.agent.name === 'fim-host-win');
    const got = await until(() => { const a = win(); return a.length >= 5 ? a : null; }, 'registry alerts', 20_000);
    expect(got.map((a) => `${a.rule.id} ${a.data['syscheck.value_name'] ?? '(key)'}`).sort()).toEqual([
      '594 Interval', '597 VMware User Process', '598 (key)', '598 Tick', '598 Updater Agent',
    ]);
    expect(got.find((a) => a.data['syscheck.value_name'] === 'Interval')!.data['syscheck.diff']).toBe('-REG_DWORD 0x3c\n+REG_DWORD 0x1');
  });

  test('Warden unreachable: events wait in the outbox and are delivered by the next run', async () => {
    const dir = tmpDir('fim-outbox');
    const st = tmpDir('fim-outbox-state');
    fs.writeFileSync(path.join(dir, 'f.txt'), '1\n');
    const cfg = (endpoint: string) => fimConfigFrom({ endpoint, state_dir: st, host_name: 'fim-host-ob', timeout_ms: 500, directories: [dir] }, '/');
    let mon = new FimMonitor(cfg('http://127.0.0.1:9'), { log: () => undefined });
    await mon.scan();
    fs.writeFileSync(path.join(dir, 'f.txt'), '2\n');
    await mon.scan();
    expect(await mon.sender.drain(1000)).toBe(false);
    await mon.sender.stop();
    expect(fs.readFileSync(path.join(st, 'outbox.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    mon = new FimMonitor(cfg(`http://127.0.0.1:${svc.ports.http}`), { log: () => undefined });
    expect(mon.sender.pending).toBe(1);
    expect(await mon.sender.drain(10_000)).toBe(true);
    await mon.stop();
    const a = await until(() => (alerts() as unknown as A[]).find((x) => x.agent.name === 'fim-host-ob'), 'outbox alert', 10_000);
    expect(a.rule.id).toBe('550');
  });
});
