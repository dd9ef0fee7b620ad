/**
 * The source is unusable: a permanent failure with a reason from the closed list. The worker
 * maps it to an exit code that the Job's podFailurePolicy never retries.
 */
export class MediaRejectedError extends Error {
  constructor(
    readonly reason: 'InvalidInput' | 'LimitExceeded',
    message: string,
  ) {
    super(message);
    this.name = 'MediaRejectedError';
  }
}

export const invalidInput = (message: string) => new MediaRejectedError('InvalidInput', message);
export const limitExceeded = (message: string) => new MediaRejectedError('LimitExceeded', message);
