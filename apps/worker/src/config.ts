import { VIDEO_ID_PATTERN, validateTranscodeSpec, type TranscodeSpec } from '@kubevod/contracts';
import { env } from '@kubevod/runtime';
import { StorageConfigSchema } from '@kubevod/storage';
import { z } from 'zod';

const GiB = 1024 ** 3;

/**
 * x264 presets we allow. Not ultrafast: it turns off CABAC and the 8x8 transform, so x264
 * writes Constrained Baseline whatever -profile says, and the advertised codecs string
 * (High profile, avc1.64...) would lie to players. superfast is the fastest High preset.
 */
export const X264_PRESETS = [
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;

/** KUBEVOD_SPEC: the Transcode spec as JSON, validated (and defaulted) by the contract. */
const specFromJson = z.string().transform((text, ctx): TranscodeSpec => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
    return z.NEVER;
  }
  const result = validateTranscodeSpec(json);
  if (result.ok) return result.spec;
  for (const e of result.errors)
    ctx.addIssue({ code: 'custom', message: `${e.path}: ${e.message}` });
  return z.NEVER;
});

/**
 * Configuration of the worker, read from the environment of its Job's pod. The controller sets
 * the KUBEVOD_* variables (WORKER_ENV), TMPDIR, LOG_LEVEL and S3_*, plus the operator's
 * WORKER_SETTINGS (chart: worker.settings): the limits and encoder settings below.
 * Any problem exits with WORKER_EXIT.invalidSpec (permanent: a retry would fail the same way).
 */
export const WorkerConfigSchema = StorageConfigSchema.extend({
  LOG_LEVEL: env.logLevel(),
  KUBEVOD_VIDEO_ID: z.string().max(63).regex(VIDEO_ID_PATTERN, 'must be a DNS label'),
  KUBEVOD_SPEC: specFromJson,
  KUBEVOD_OUTPUT_BUCKET: z.string().min(3).max(63),
  KUBEVOD_ATTEMPT: env.int(0),
  KUBEVOD_SCRATCH_DIR: z.string().min(1).default('/scratch'),
  /** limits, checked on the probed header before decoding */
  MAX_WIDTH: env.int(7680, 16),
  MAX_HEIGHT: env.int(4320, 16),
  MAX_DURATION_SECONDS: env.int(4 * 3600, 1),
  MAX_FRAME_RATE: env.int(120, 1),
  MAX_STREAMS: env.int(16, 1),
  MAX_SOURCE_BYTES: env.int(20 * GiB, 1),
  /** largest single allocation ffmpeg/ffprobe may make (-max_alloc) */
  FFMPEG_MAX_ALLOC_BYTES: env.int(1 * GiB, 64 * 1024 * 1024),
  X264_PRESET: z.enum(X264_PRESETS).default('fast'),
  SEGMENT_SECONDS: env.int(4, 1).pipe(z.number().max(10)),
  PROGRESS_INTERVAL_MS: env.int(2000, 100),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  TERMINATION_LOG_PATH: z.string().min(1).default('/dev/termination-log'),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export function limitsOf(config: WorkerConfig) {
  return {
    maxWidth: config.MAX_WIDTH,
    maxHeight: config.MAX_HEIGHT,
    maxDurationSeconds: config.MAX_DURATION_SECONDS,
    maxFrameRate: config.MAX_FRAME_RATE,
    maxStreams: config.MAX_STREAMS,
    maxSourceBytes: config.MAX_SOURCE_BYTES,
  };
}
