/** `warden fim` as a command: usage and configuration errors are clear and exit 2; --once exits 1 when Warden is unreachable. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tmpDir, until } from '../service/helpers';

const warden = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'otel-processor', 'bin', 'warden.js'), 'fim', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('warden fim (command)', () => {
  test('no --config: usage, exit 2', () => {
    const r = warden([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: warden fim --config fim.yaml [--once]');
  });

  test('configuration errors name the key, exit 2, no stack trace', () => {
    const d = tmpDir('fimcli');
    const f = path.join(d, 'fim.yaml');
    fs.writeFileSync(f, 'directories:\n  - { path: /etc, check: [crc32] }\n');
    const r = warden(['--config', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('warden fim: configuration error: directories[0].check[0]: unknown check "crc32" (known: all, size, perm, owner, group, mtime, inode, md5, sha1, sha256)\n');
  });

  test('a damaged baseline is refused with its path, exit 2', () => {
    const d = tmpDir('fimcli');
    fs.mkdirSync(path.join(d, 'state'));
    fs.writeFileSync(path.join(d, 'state', 'baseline.json'), 'not json');
    fs.writeFileSync(path.join(d, 'fim.yaml'), `state_dir: state\ndirectories: [${d}]\n`);
    const r = warden(['--config', path.join(d, 'fim.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/baseline error: .*state\/baseline\.json is damaged/);
  });

  test('--once with Warden unreachable: changes stay in the outbox, exit 1', () => {
    const d = tmpDir('fimcli');
    const watched = path.join(d, 'w');
    fs.mkdirSync(watched);
    fs.writeFileSync(path.join(watched, 'a'), '1');
    fs.writeFileSync(path.join(d, 'fim.yaml'), `endpoint: http://127.0.0.1:9\ntimeout_ms: 200\nstate_dir: state\ndirectories: [${watched}]\n`);
    expect(warden(['--config', path.join(d, 'fim.yaml'), '--once']).status).toBe(0); // baseline: nothing to send
    fs.writeFileSync(path.join(watched, 'a'), '2');
    const r = warden(['--config', path.join(d, 'fim.yaml'), '--once']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('1 events not delivered yet (kept in the outbox for the next run)');
    expect(fs.readFileSync(path.join(d, 'state', 'outbox.jsonl'), 'utf8')).toContain('"syscheck.event":"modified"');
  });

  test('running: realtime changes reach the outbox while Warden is down; SIGTERM stops cleanly (exit 0)', async () => {
    const d = tmpDir('fimcli');
    const watched = path.join(d, 'w');
    fs.mkdirSync(watched);
    fs.writeFileSync(path.join(watched, 'a'), '1');
    fs.writeFileSync(path.join(d, 'fim.yaml'), `endpoint: http://127.0.0.1:9\ntimeout_ms: 200\nstate_dir: state\nrealtime_delay_ms: 50\ndirectories:\n  - { path: ${watched}, realtime: true }\n`);
    const p = spawn(process.execPath, [path.join(ROOT, 'otel-processor', 'bin', 'warden.js'), 'fim', '--config', path.join(d, 'fim.yaml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    await until(() => err.includes('scan: 1 files'), `the first scan (stderr: ${err})`, 30_000);
    fs.writeFileSync(path.join(watched, 'b'), 'new');
    const outbox = path.join(d, 'state', 'outbox.jsonl');
    await until(() => fs.existsSync(outbox) && fs.readFileSync(outbox, 'utf8').includes('"syscheck.mode":"realtime"'), 'the realtime event in the outbox', 20_000);
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('SIGTERM: stopping');
    expect(fs.readFileSync(outbox, 'utf8')).toContain('"syscheck.event":"added"');
  });
});
