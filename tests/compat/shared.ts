/** Where the team's reference data lives; tests that need it skip when it is absent. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');
export const OSSEC_ROOT = path.join(SHARED, 'ossec-4.2.0');
export const hasShared = fs.existsSync(path.join(OSSEC_ROOT, 'etc', 'ossec.conf'));
/** `describe` when ../shared exists, else `describe.skip` (with a note why). */
export const describeShared = hasShared ? describe : describe.skip;
if (!hasShared) {
  console.warn(`skipping OSSEC compatibility tests: ${SHARED} not found (it is the team's reference data)`);
}
