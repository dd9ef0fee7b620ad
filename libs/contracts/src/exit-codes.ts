import type { ConditionReason } from './reasons';

/**
 * Worker exit codes. The controller's Job podFailurePolicy fails the Job at once on the
 * permanent ones (bad input never retries); any other non-zero code is retried by the Job.
 */
export const WORKER_EXIT = {
  ok: 0,
  invalidInput: 10,
  limitExceeded: 11,
  sourceNotFound: 12,
  invalidSpec: 13,
  /** storage unavailable, killed, anything worth a retry (EX_TEMPFAIL) */
  transient: 75,
} as const;

export const PERMANENT_EXIT_REASONS: Readonly<Record<number, ConditionReason>> = {
  [WORKER_EXIT.invalidInput]: 'InvalidInput',
  [WORKER_EXIT.limitExceeded]: 'LimitExceeded',
  [WORKER_EXIT.sourceNotFound]: 'SourceNotFound',
  [WORKER_EXIT.invalidSpec]: 'InvalidSpec',
};

export const PERMANENT_EXIT_CODES: readonly number[] =
  Object.keys(PERMANENT_EXIT_REASONS).map(Number);
