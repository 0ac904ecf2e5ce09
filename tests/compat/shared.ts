/** Kept for the compat suites: the reference data helpers live in tests/support/shared-data.ts. */
import { describeShared as describeSharedFor } from '../support/shared-data';

export { SHARED, OSSEC_ROOT, hasShared } from '../support/shared-data';
export const describeShared = describeSharedFor('the OSSEC compatibility suites');
