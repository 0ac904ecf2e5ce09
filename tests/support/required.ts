/**
 * Suites that need a tool (Java and Maven for Elasticsearch, openssl, the collector build,
 * Chromium...) skip, saying why, when it is missing on a developer's machine. In CI
 * (`WARDEN_REQUIRE_ALL=1`, set by .ci/run) nothing may skip: the suite fails instead, naming
 * what is missing.
 */
export const requireAll = process.env.WARDEN_REQUIRE_ALL === '1';

/** `describe` when `missing` is null; otherwise a skipped suite, or in CI a failing one. */
export function describeRequiring(missing: string | null, what = 'these tests'): jest.Describe {
  if (!missing) return describe;
  if (requireAll) {
    const failing = ((name: string) => describe(name, () => {
      test(`needs ${missing}`, () => { throw new Error(`${what} cannot run: ${missing} (WARDEN_REQUIRE_ALL=1: nothing may skip)`); });
    })) as unknown as jest.Describe;
    return failing;
  }
  process.stderr.write(`skipping ${what}: ${missing}\n`);
  return describe.skip;
}
