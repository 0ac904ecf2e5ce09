/**
 * `warden serve` with a ruleset it cannot load: one clear error naming file, line and element,
 * non-zero exit within seconds (no stack trace, no processor-thread restart loop).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tmpDir, writeRuleset } from '../service/helpers';

function serve(configYaml: string, dir: string) {
  const file = path.join(dir, 'warden.yaml');
  fs.writeFileSync(file, configYaml);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'otel-processor', 'bin', 'warden.js'), 'serve', '--config', file], {
    encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '' },
  });
  return { ...r, ms: Date.now() - t0 };
}

const ports = 'receiver:\n  http: { port: 0, host: 127.0.0.1 }\n  grpc: { port: 0, host: 127.0.0.1 }\nservice: { port: 0 }\n';

describe.each([['in its own thread', true], ['in the main thread', false]])('warden serve, engine %s', (_name, thread) => {
  const engine = `service: { port: 0, engine_thread: ${thread} }\n`;
  const cfg = (ruleset: string, dir: string) => `ruleset: ${ruleset}\nstate_dir: ${path.join(dir, 'var')}\n${ports.replace('service: { port: 0 }\n', engine)}`;

  test('a missing ruleset folder: the error names it, exit 2', () => {
    const d = tmpDir('serve-start');
    const r = serve(cfg('/nonexistent/warden/rules', d), d);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('warden serve: ruleset error: /nonexistent/warden/rules: ruleset directory does not exist\n');
    expect(r.ms).toBeLessThan(15_000);
  });

  test('a rule with a typo: file, line and element named, exit 2, no stack trace, no restart loop', () => {
    const d = tmpDir('serve-start');
    const rules = writeRuleset(path.join(d, 'rules'));
    fs.writeFileSync(path.join(rules, 'rules', 'local.xml'), '<group name="local,">\n  <rule id="100900" level="5">\n    <mtach>oops</mtach>\n    <description>typo</description>\n  </rule>\n</group>\n');
    const r = serve(cfg(rules, d), d);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warden serve: ruleset error: \S*local\.xml:3: <mtach>: .+\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('starting a new one');
    expect(r.ms).toBeLessThan(15_000);
  });
});

test('a port already in use: the system\'s message, exit 2, no stack trace', async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const d = tmpDir('serve-start');
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const file = path.join(d, 'warden.yaml');
      fs.writeFileSync(file, `state_dir: ${path.join(d, 'var')}\nreceiver:\n  http: { port: ${port}, host: 127.0.0.1 }\n  grpc: { port: 0, host: 127.0.0.1 }\nservice: { port: 0 }\n`);
      // asynchronous: this process must keep serving the busy port meanwhile
      const p = spawn(process.execPath, [path.join(ROOT, 'otel-processor', 'bin', 'warden.js'), 'serve', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
      const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
      p.on('exit', (status) => { clearTimeout(t); resolve({ status, stderr }); });
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`warden serve: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  } finally {
    busy.close();
  }
});
