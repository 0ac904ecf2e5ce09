/** Removes the run's temporary folder made by global-setup.ts. */
import * as fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.WARDEN_TEST_RUN_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
