import type { PodWire } from './wire';

/** Why a created worker pod is not running: what `kubectl describe pod` would show first. */
export interface WorkerWaiting {
  reason: 'Unschedulable' | 'ImagePullBackOff';
  message: string;
}

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']);

/** The first stuck pod's story: the scheduler's verdict, or the kubelet's image pull error. */
export function workerWaiting(pods: readonly PodWire[]): WorkerWaiting | undefined {
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Pending') continue;
    const scheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      return {
        reason: 'Unschedulable',
        message: `the worker pod cannot be scheduled: ${scheduled.message ?? 'no node fits it'}`,
      };
    }
    for (const cs of pod.status.containerStatuses ?? []) {
      const waiting = cs.state?.waiting;
      if (waiting?.reason && IMAGE_PULL.has(waiting.reason)) {
        return {
          reason: 'ImagePullBackOff',
          message: `the worker image cannot be pulled (${waiting.reason}): ${waiting.message ?? 'no detail'}`,
        };
      }
    }
  }
  return undefined;
}

/** A worker pod gets this long to start before the controller asks why it waits. */
export const WAITING_CHECK_AFTER_MS = 10_000;
const WAITING_RECHECK_MAX_MS = 300_000;

/**
 * When to look again at a Job whose pod is not running, by the Job's age: at 10 s, then every
 * half-age (15 s at least, 5 min at most), so long queues cost few pod reads.
 */
export function waitingRecheckMs(jobAgeMs: number): number {
  if (jobAgeMs < WAITING_CHECK_AFTER_MS) return WAITING_CHECK_AFTER_MS - Math.max(0, jobAgeMs);
  return Math.min(WAITING_RECHECK_MAX_MS, Math.max(15_000, Math.round(jobAgeMs / 2)));
}
