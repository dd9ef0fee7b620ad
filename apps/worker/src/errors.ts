import { WORKER_EXIT, type ConditionReason } from '@kubevod/contracts';
import { MediaRejectedError } from '@kubevod/ffmpeg';
import { ConfigError } from '@kubevod/runtime';
import { ObjectNotFoundError } from '@kubevod/storage';

/** How a run ended: the exit code (the Job's podFailurePolicy reads it) and a reason for humans. */
export class WorkerFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly reason: ConditionReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WorkerFailure';
  }

  get retryable(): boolean {
    return this.exitCode === WORKER_EXIT.transient;
  }
}

export const sourceNotFound = (message: string) =>
  new WorkerFailure(WORKER_EXIT.sourceNotFound, 'SourceNotFound', message);

/**
 * Maps anything thrown to a WorkerFailure. Only what is known to be the input's fault is
 * permanent; everything else (storage down, killed, a bug) is transient and the Job retries it.
 * The reason of a transient failure is JobFailed: the closed list has no better word for it,
 * and the controller only shows it once retries are exhausted.
 */
export function toWorkerFailure(err: unknown): WorkerFailure {
  if (err instanceof WorkerFailure) return err;
  if (err instanceof MediaRejectedError) {
    return new WorkerFailure(
      err.reason === 'LimitExceeded' ? WORKER_EXIT.limitExceeded : WORKER_EXIT.invalidInput,
      err.reason,
      err.message,
      { cause: err },
    );
  }
  if (err instanceof ConfigError) {
    return new WorkerFailure(WORKER_EXIT.invalidSpec, 'InvalidSpec', err.message, { cause: err });
  }
  if (err instanceof ObjectNotFoundError) {
    return new WorkerFailure(WORKER_EXIT.sourceNotFound, 'SourceNotFound', err.message, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new WorkerFailure(WORKER_EXIT.transient, 'JobFailed', message, { cause: err });
}
