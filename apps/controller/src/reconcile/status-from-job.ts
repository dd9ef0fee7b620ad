import {
  objectKeys,
  PERMANENT_EXIT_REASONS,
  type Condition,
  type ConditionReason,
  type Phase,
  type ProgressRecord,
  type ReadyRecord,
  type TranscodeStatus,
} from '@kubevod/contracts';
import { setCondition } from '@kubevod/kube';
import { jobOutcome, type JobWire } from './wire';
import type { WorkerWaiting } from './worker-waiting';

/** Why a worker pod failed, read from its container status. */
export interface WorkerFailure {
  exitCode?: number;
  /** the termination message: the worker's {reason,message} JSON, or the log tail */
  terminationMessage?: string;
}

/** Everything the status is computed from: read by the reconciler, no I/O here. */
export interface Observation {
  generation: number;
  previous: TranscodeStatus | undefined;
  now: Date;
  /** the spec is invalid: these are the problems */
  invalid?: string[];
  /** another Transcode of this name (in another namespace) holds the video id: it, as namespace/name */
  nameTakenBy?: string;
  /** no Job yet: why it waits */
  waiting?: 'Queued' | 'ConcurrencyLimited';
  jobName?: string;
  attempt: number;
  job?: JobWire;
  failure?: WorkerFailure;
  /** the Job's pod is stuck before it runs: why */
  workerWaiting?: WorkerWaiting;
  /** the worker's progress record of THIS attempt */
  progress?: ProgressRecord;
  /**
   * the ready record: read once the Job succeeded, or when the recorded Job is gone (removed
   * by its TTL while the controller was away): then the record alone says Succeeded
   */
  ready?: ReadyRecord;
  /** the controller deleted the Job because the Transcode is going away */
  cancelled?: boolean;
}

const TERMINAL: ReadonlySet<Phase> = new Set(['Succeeded', 'Failed']);
export const isTerminal = (phase: Phase | undefined) => phase !== undefined && TERMINAL.has(phase);

/** Parses the worker's termination message: {reason,message} JSON, or plain text (logs). */
export function parseTerminationMessage(text: string | undefined): {
  reason?: string;
  message?: string;
} {
  if (!text?.trim()) return {};
  try {
    const parsed = JSON.parse(text) as { reason?: unknown; message?: unknown };
    return {
      reason: typeof parsed.reason === 'string' ? parsed.reason : undefined,
      message: typeof parsed.message === 'string' ? parsed.message : undefined,
    };
  } catch {
    return { message: text.trim().slice(-2048) };
  }
}

/** The failure reason and message of a failed Job. */
export function failureOf(
  job: JobWire,
  failure: WorkerFailure | undefined,
): { reason: ConditionReason; message: string } {
  const cond = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  const term = parseTerminationMessage(failure?.terminationMessage);
  // The exit code is the contract; the Job condition's message names it too when a
  // podFailurePolicy rule matched (e.g. "... failed with exit code 12 matching FailJob rule").
  const exitCode =
    failure?.exitCode ?? Number(/exit code (\d+)/.exec(cond?.message ?? '')?.[1] ?? NaN);
  const permanent = Number.isNaN(exitCode) ? undefined : PERMANENT_EXIT_REASONS[exitCode];
  let reason: ConditionReason;
  if (permanent) reason = permanent;
  else if (cond?.reason === 'DeadlineExceeded') reason = 'DeadlineExceeded';
  else if (cond?.reason === 'BackoffLimitExceeded') reason = 'BackoffLimitExceeded';
  else reason = 'JobFailed';
  const detail = term.message || cond?.message || 'the worker Job failed';
  const code = Number.isNaN(exitCode) ? '' : ` (exit code ${exitCode})`;
  return { reason, message: `${detail}${code}` };
}

interface Verdict {
  phase: Phase;
  reason: ConditionReason;
  message: string;
}

function verdict(o: Observation): Verdict {
  if (o.invalid) {
    return { phase: 'Failed', reason: 'InvalidSpec', message: o.invalid.join('; ') };
  }
  if (o.nameTakenBy) {
    return {
      phase: 'Failed',
      reason: 'NameConflict',
      message: `the video id is taken: ${o.nameTakenBy} holds it (video ids are Transcode names, unique across the watched namespaces)`,
    };
  }
  if (o.cancelled) {
    return { phase: 'Failed', reason: 'Cancelled', message: 'the Transcode is being deleted' };
  }
  if (!o.job && o.ready) {
    return {
      phase: 'Succeeded',
      reason: 'Succeeded',
      message: `published ${o.ready.renditions.length} renditions (${o.ready.formats.join(', ')}); its Job was already removed`,
    };
  }
  if (!o.job) {
    return o.waiting === 'ConcurrencyLimited'
      ? {
          phase: 'Pending',
          reason: 'ConcurrencyLimited',
          message: 'waiting for a free slot under the concurrency cap',
        }
      : { phase: 'Pending', reason: 'Queued', message: 'waiting for the worker Job' };
  }
  const outcome = jobOutcome(o.job);
  if (outcome === 'succeeded') {
    if (o.ready) {
      return {
        phase: 'Succeeded',
        reason: 'Succeeded',
        message: `published ${o.ready.renditions.length} renditions (${o.ready.formats.join(', ')})`,
      };
    }
    return {
      phase: 'Failed',
      reason: 'JobFailed',
      message: 'the worker Job completed but published no ready record',
    };
  }
  if (outcome === 'failed') return { phase: 'Failed', ...failureOf(o.job, o.failure) };
  if ((o.job.status?.ready ?? 0) > 0 || o.progress) {
    const stage = o.progress
      ? `${o.progress.stage}, ${Math.floor(o.progress.percent)}%`
      : 'started';
    return { phase: 'Running', reason: 'Encoding', message: `the worker is running (${stage})` };
  }
  if (o.workerWaiting) return { phase: 'Pending', ...o.workerWaiting };
  return { phase: 'Pending', reason: 'JobCreated', message: `Job ${o.jobName} created` };
}

/**
 * The Transcode's status from what was observed. Pure and total: the reconciler writes the
 * result through the status subresource when it differs from the current status.
 * Ready always carries the current reason (the printer column shows it).
 */
export function statusFromObservation(o: Observation): TranscodeStatus {
  const prev = o.previous ?? {};
  const v = verdict(o);
  const terminal = isTerminal(v.phase);
  const gen = o.generation;
  const cond = (
    type: Condition['type'],
    status: Condition['status'],
    list: Condition[] | undefined,
  ) =>
    setCondition<Condition>(
      list,
      { type, status, reason: v.reason, message: v.message, observedGeneration: gen },
      o.now,
    );
  let conditions = cond('Ready', v.phase === 'Succeeded' ? 'True' : 'False', prev.conditions);
  conditions = cond('Progressing', terminal ? 'False' : 'True', conditions);
  if (v.phase === 'Failed') conditions = cond('Failed', 'True', conditions);
  else conditions = conditions.filter((c) => c.type !== 'Failed');

  const status: TranscodeStatus = {
    phase: v.phase,
    conditions,
    observedGeneration: gen,
    attempt: o.attempt,
  };
  if ((o.job || o.ready) && o.jobName) status.jobName = o.jobName;
  const startTime = o.job?.status?.startTime ?? prev.startTime;
  if (startTime) status.startTime = startTime;
  if (terminal) {
    status.completionTime =
      prev.completionTime ??
      o.job?.status?.completionTime ??
      (o.job ? undefined : o.ready?.publishedAt) ??
      o.now.toISOString();
  }

  if (v.phase === 'Succeeded' && o.ready) {
    const r = o.ready;
    status.progress = { percent: 100, updatedAt: r.publishedAt };
    status.source = r.source;
    status.outputs = {
      bucket: r.bucket,
      prefix: r.prefix,
      manifests: r.manifests,
      readyRecord: objectKeys.ready(r.videoId),
      renditions: r.renditions,
    };
    status.renditionCount = r.renditions.length;
  } else if (o.progress) {
    const p = o.progress;
    status.progress = {
      percent: Math.max(0, Math.min(100, Math.floor(p.percent))),
      ...(p.speed !== undefined ? { speed: p.speed } : {}),
      ...(p.renditions ? { renditions: p.renditions } : {}),
      updatedAt: p.updatedAt,
    };
    if (p.source) status.source = p.source;
  } else if (prev.progress && !terminal) {
    status.progress = prev.progress;
    if (prev.source) status.source = prev.source;
  }
  return status;
}
