/**
 * The ONE closed list of condition reasons (CamelCase, per the Kubernetes API conventions).
 * The CRD enumerates it, so a reason outside this list cannot be written to the status.
 */
export const CONDITION_REASONS = [
  // progress
  'Queued',
  'ConcurrencyLimited',
  'JobCreated',
  'Encoding',
  'Succeeded',
  // the worker pod waits on the cluster (the Transcode stays Pending; the deadline still runs)
  'Unschedulable',
  'ImagePullBackOff',
  // permanent failures
  'InvalidSpec',
  'NameConflict',
  'SourceNotFound',
  'InvalidInput',
  'LimitExceeded',
  'DeadlineExceeded',
  'BackoffLimitExceeded',
  'Cancelled',
  'JobFailed',
] as const;
export type ConditionReason = (typeof CONDITION_REASONS)[number];

/** Pending reasons that need someone's attention (the Transcode waits; its message says why). */
export const STUCK_REASONS: readonly ConditionReason[] = ['Unschedulable', 'ImagePullBackOff'];

export const CONDITION_TYPES = ['Ready', 'Progressing', 'Failed'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];
