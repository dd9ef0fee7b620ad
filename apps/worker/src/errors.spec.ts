import { WORKER_EXIT } from '@kubevod/contracts';
import { MediaRejectedError } from '@kubevod/ffmpeg';
import { ConfigError } from '@kubevod/runtime';
import { ObjectNotFoundError, StorageUnavailableError } from '@kubevod/storage';
import { toWorkerFailure } from './errors';

describe('toWorkerFailure', () => {
  it.each([
    [new MediaRejectedError('InvalidInput', 'x'), WORKER_EXIT.invalidInput, 'InvalidInput', false],
    [
      new MediaRejectedError('LimitExceeded', 'x'),
      WORKER_EXIT.limitExceeded,
      'LimitExceeded',
      false,
    ],
    [new ObjectNotFoundError('b', 'k'), WORKER_EXIT.sourceNotFound, 'SourceNotFound', false],
    [new ConfigError(['A: bad']), WORKER_EXIT.invalidSpec, 'InvalidSpec', false],
    [new StorageUnavailableError('down'), WORKER_EXIT.transient, 'JobFailed', true],
    [new Error('surprise'), WORKER_EXIT.transient, 'JobFailed', true],
  ])('maps %p to exit %i (%s)', (err, exitCode, reason, retryable) => {
    const f = toWorkerFailure(err);
    expect({ exitCode: f.exitCode, reason: f.reason, retryable: f.retryable }).toEqual({
      exitCode,
      reason,
      retryable,
    });
  });
});
