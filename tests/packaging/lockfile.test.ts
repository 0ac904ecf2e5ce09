/**
 * `npm install` on a fresh clone must not rewrite package-lock.json: npm resolves the manifests
 * (root and workspaces) against the lock in a scratch copy, offline, and the lock must come out
 * byte for byte the same. (It did not when a workspace's version in the lock was stale.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../service/helpers';

const ROOT = path.resolve(__dirname, '..', '..');

test('npm install leaves package-lock.json as committed', () => {
  const dir = tmpDir('lockfile');
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  for (const f of ['package.json', 'package-lock.json', '.npmrc', ...pkg.workspaces.map((w) => path.join(w, 'package.json'))]) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  const r = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  expect(r.stderr.split('\n').filter((l) => /ERR/.test(l))).toEqual([]);
  expect(r.status).toBe(0);
  const before = fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8');
  const after = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  if (after !== before) {
    const a = before.split('\n');
    const b = after.split('\n');
    const first = a.findIndex((l, i) => l !== b[i]);
    throw new Error(`npm install rewrites package-lock.json from line ${first + 1}: ${JSON.stringify(a[first])} -> ${JSON.stringify(b[first])}`);
  }
});
