import { WORKER_EXIT } from '@kubevod/contracts';
import { assertNodeVersion, createLogger, loadConfig } from '@kubevod/runtime';
import { MinioObjectStore } from '@kubevod/storage';
import { limitsOf, WorkerConfigSchema } from './config';
import { toWorkerFailure } from './errors';
import { FfmpegRepository } from './ffmpeg.repository';
import { ProgressReporter } from './progress.reporter';
import { PublisherService } from './publisher.service';
import { ScratchRepository } from './scratch.repository';
import { writeTerminationMessage } from './termination-message';
import { TranscodeService } from './transcode.service';

const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

/**
 * The worker is a command: it runs one transcode and exits with a code from WORKER_EXIT
 * (documented in apps/worker/README.md), after writing {reason, message} to the pod's
 * termination message file.
 */
async function main(): Promise<number> {
  const abort = new AbortController();
  // SIGTERM (pod deleted, Job cancelled, node drained): stop ffmpeg, clean up, exit transient.
  // `on`, not `once`: a second signal must not kill the worker before it has cleaned up.
  process.on('SIGTERM', () => abort.abort());
  process.on('SIGINT', () => abort.abort());
  let logger = createLogger('worker');
  let terminationLog = process.env.TERMINATION_LOG_PATH || DEFAULT_TERMINATION_LOG;
  try {
    assertNodeVersion();
    const config = loadConfig(WorkerConfigSchema);
    logger = createLogger('worker', config.LOG_LEVEL);
    terminationLog = config.TERMINATION_LOG_PATH;
    const videoId = config.KUBEVOD_VIDEO_ID;
    const store = MinioObjectStore.fromConfig(config);
    const scratch = new ScratchRepository();
    const progress = new ProgressReporter(
      store,
      config.KUBEVOD_OUTPUT_BUCKET,
      videoId,
      config.KUBEVOD_ATTEMPT,
      config.PROGRESS_INTERVAL_MS,
      logger,
    );
    const service = new TranscodeService(
      store,
      new FfmpegRepository({ ffmpeg: config.FFMPEG_PATH, ffprobe: config.FFPROBE_PATH }),
      scratch,
      new PublisherService(store, scratch, logger),
      progress,
      logger,
    );
    logger.info({ videoId, attempt: config.KUBEVOD_ATTEMPT }, 'worker started');
    const ready = await service.run(
      {
        videoId,
        spec: config.KUBEVOD_SPEC,
        outputBucket: config.KUBEVOD_OUTPUT_BUCKET,
        scratchDir: config.KUBEVOD_SCRATCH_DIR,
        limits: limitsOf(config),
        segmentSeconds: config.SEGMENT_SECONDS,
        preset: config.X264_PRESET,
        maxAllocBytes: config.FFMPEG_MAX_ALLOC_BYTES,
      },
      abort.signal,
    );
    if (abort.signal.aborted) throw new Error('stopped by a signal');
    logger.info(
      { videoId, renditions: ready.renditions.length, files: ready.files.length },
      'published video',
    );
    await writeTerminationMessage(terminationLog, {
      reason: 'Succeeded',
      message: `published ${ready.renditions.length} renditions (${ready.formats.join(', ')})`,
      exitCode: WORKER_EXIT.ok,
      retryable: false,
    });
    return WORKER_EXIT.ok;
  } catch (err) {
    const failure = toWorkerFailure(
      abort.signal.aborted ? new Error(`stopped by a signal: ${String(err)}`) : err,
    );
    // bad configuration is fatal to the deployment; bad input is the user's; the rest retries
    const level = failure.reason === 'InvalidSpec' ? 'fatal' : failure.retryable ? 'error' : 'warn';
    logger[level](
      { err, reason: failure.reason, exitCode: failure.exitCode },
      failure.retryable
        ? `transcode failed, retryable: ${failure.message}`
        : `transcode rejected: ${failure.message}`,
    );
    await writeTerminationMessage(terminationLog, {
      reason: failure.reason,
      message: failure.message,
      exitCode: failure.exitCode,
      retryable: failure.retryable,
    });
    return failure.exitCode;
  }
}

void main().then((code) => {
  // let pino flush stdout before exiting
  process.exitCode = code;
  setImmediate(() => process.exit(code));
});
