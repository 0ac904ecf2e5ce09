/**
 * `npm start` stopped the way systemd, Docker and CI stop services (SIGTERM to the process they
 * started, npm): Warden gets the signal, shuts down gracefully, and no process is left behind.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ROOT, tmpDir, until } from '../service/helpers';

/** Every live descendant of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parentOf) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('SIGTERM to `npm start` stops Warden: graceful shutdown, no process left', async () => {
  const state = tmpDir('npm-start');
  const env = {
    ...process.env,
    WARDEN_STATE_DIR: state,
    WARDEN_RECEIVER_HTTP_PORT: '0', WARDEN_RECEIVER_GRPC_PORT: '0', WARDEN_SERVICE_PORT: '0',
    WARDEN_RECEIVER_HTTP_HOST: '127.0.0.1', WARDEN_RECEIVER_GRPC_HOST: '127.0.0.1',
  };
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (b: Buffer) => { output += b.toString(); });
  npm.stderr.on('data', (b: Buffer) => { output += b.toString(); });
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  let started: number[] = [];
  try {
    await until(() => /warden: listening/.test(output), `npm start to listen (output: ${output})`, 60_000);
    started = descendants(npm.pid!);
    expect(started.length).toBeGreaterThan(0);
    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('warden: SIGTERM: shutting down');
    await until(() => started.every((p) => !alive(p)), 'every process npm started to exit', 15_000);
  } finally {
    for (const p of [npm.pid!, ...started]) if (alive(p)) process.kill(p, 'SIGKILL');
  }
});
