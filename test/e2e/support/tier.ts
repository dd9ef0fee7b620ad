/**
 * The e2e tier's describe: `describe`, or `describe.skip` when test/run-all.sh decided there is no
 * time left for the tier (KUBEVOD_E2E_SKIP holds the reason) — jest then reports every test as
 * skipped, never as passed, and the run's summary counts them so.
 */
export const skipReason = process.env.KUBEVOD_E2E_SKIP;
export const describeE2e: jest.Describe = skipReason ? describe.skip : describe;
