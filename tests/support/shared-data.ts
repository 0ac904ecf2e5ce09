/**
 * The team's reference data (`../shared` beside the repository): the stock OSSEC 4.2.0 ruleset,
 * its tests and the engine's answers, and the mixed corpus. Suites that need it skip, saying so,
 * when it is absent (e.g. outside this team).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');
export const OSSEC_ROOT = path.join(SHARED, 'ossec-4.2.0');
export const hasShared = fs.existsSync(path.join(OSSEC_ROOT, 'etc', 'ossec.conf'));

/** `describe` when ../shared exists, else `describe.skip` with a warning naming what is skipped. */
export function describeShared(what: string): jest.Describe {
  if (hasShared) return describe;
  console.warn(`skipping ${what}: ${SHARED} not found (the team's reference data)`);
  return describe.skip;
}
