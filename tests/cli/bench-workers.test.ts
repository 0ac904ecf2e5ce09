/**
 * bench:vs-ossec's two Warden children on the same lines: the warm worker (warm-up, then one
 * timed pass per `pass` command on stdin, interleaved by the parent with OSSEC's runs) and the
 * whole-run worker (one cold pass right after opening the ruleset, OSSEC's one
 * run). Both open the ruleset as `warden serve` does and must see every line and the same alerts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tmpDir } from '../service/helpers';
import { describeShared } from '../support/shared-data';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../generator/index.js') as { generate: (o: { seed: number; lines: number; formats?: string[] }) => { lines: string[] } };

const bench = path.join(ROOT, 'bench', 'vs-ossec.mjs');
const runLines = (input: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 60_000, input });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
};
const run = (...args: string[]) => runLines('', ...args).pop() as Record<string, number>;

describeShared('bench:vs-ossec workers')('bench:vs-ossec workers', () => {
  test('the whole run sees every line of the corpus once and raises the alerts a timed run raises', () => {
    const d = tmpDir('bench-workers');
    const corpus = path.join(d, 'sshd.log');
    const warm = path.join(d, 'sshd-warm.log');
    fs.writeFileSync(corpus, generate({ seed: 11, lines: 400, formats: ['sshd', 'su'] }).lines.join('\n') + '\n', 'latin1');
    fs.writeFileSync(warm, generate({ seed: 1011, lines: 400, formats: ['sshd', 'su'] }).lines.join('\n') + '\n', 'latin1');
    const whole = run('--whole-run-worker', corpus);
    // ready after the warm-up, one answer per `pass`, then the peak RSS when stdin ends
    const [ready, first, second, end, ...more] = runLines('pass\npass\n', '--worker', corpus, warm);
    expect(more).toEqual([]);
    expect(ready.lines).toBe(400);
    expect(whole.lines).toBe(400);
    expect(whole.alerts).toBeGreaterThan(100);
    expect(first.alerts).toBe(whole.alerts);
    expect(second.alerts).toBe(whole.alerts);
    expect(first.rate).toBeGreaterThan(0);
    expect(end.peak_rss_mb).toBeGreaterThan(0);
    expect(whole.whole_run_lines_per_cpu_sec).toBeGreaterThan(0);
    expect(whole.peak_rss_mb).toBeGreaterThan(0);
  });
});
