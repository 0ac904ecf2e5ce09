/**
 * Every test run gets a temporary folder of its own (TMPDIR for the workers and the processes
 * they start), removed by global-teardown.ts: `npm test` leaves nothing behind in /tmp.
 * Caches that outlive a run (the unpacked Elasticsearch) stay in the real temporary folder,
 * named by WARDEN_TEST_TMP_PARENT. The folder is world-readable: Elasticsearch runs as nobody.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export default async function globalSetup(): Promise<void> {
  const parent = os.tmpdir();
  const dir = fs.mkdtempSync(path.join(parent, 'warden-test-run-'));
  fs.chmodSync(dir, 0o755);
  process.env.WARDEN_TEST_TMP_PARENT = parent;
  process.env.WARDEN_TEST_RUN_DIR = dir;
  process.env.TMPDIR = dir;
}
