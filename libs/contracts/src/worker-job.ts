import { z } from 'zod';
import {
  OUTPUT_FORMATS,
  ProbedSourceSchema,
  PublishedRenditionSchema,
  RenditionProgressSchema,
} from './transcode.schema';

/**
 * The contract between the controller (which writes the worker Job) and the worker.
 *
 * Design: the worker handles untrusted media, so it holds NO Kubernetes credentials at all
 * (automountServiceAccountToken: false). It already needs storage credentials to do its job,
 * so it reports progress by overwriting a small JSON record in storage (progressKey) every few
 * seconds; the controller reads it for running Transcodes and owns everything in the status.
 * A compromised worker can at worst lie about its own progress.
 */
export const WORKER_ENV = {
  videoId: 'KUBEVOD_VIDEO_ID',
  /** the validated Transcode spec, JSON */
  spec: 'KUBEVOD_SPEC',
  outputBucket: 'KUBEVOD_OUTPUT_BUCKET',
  attempt: 'KUBEVOD_ATTEMPT',
  scratchDir: 'KUBEVOD_SCRATCH_DIR',
} as const;

/**
 * The worker's own settings an operator may set for every Job (chart: worker.settings; controller:
 * WORKER_SETTINGS): the limits checked on the probed source before decoding, and the encoder's
 * speed/quality trade-off. The worker validates the values at start (bad: a permanent failure).
 */
export const WORKER_SETTINGS = [
  'MAX_WIDTH',
  'MAX_HEIGHT',
  'MAX_DURATION_SECONDS',
  'MAX_FRAME_RATE',
  'MAX_STREAMS',
  'MAX_SOURCE_BYTES',
  'FFMPEG_MAX_ALLOC_BYTES',
  'X264_PRESET',
  'SEGMENT_SECONDS',
] as const;
export type WorkerSetting = (typeof WORKER_SETTINGS)[number];

export const ProgressRecordSchema = z.object({
  videoId: z.string(),
  attempt: z.int().min(0),
  percent: z.number().min(0).max(100),
  speed: z.number().min(0).optional(),
  renditions: z.array(RenditionProgressSchema).optional(),
  stage: z.enum(['downloading', 'probing', 'encoding', 'uploading', 'publishing', 'done']),
  source: ProbedSourceSchema.optional(),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type ProgressRecord = z.infer<typeof ProgressRecordSchema>;

/**
 * The `ready.json` record, written LAST by the worker: a video is published iff it exists.
 * It is the durable source of truth once the Transcode has been garbage-collected.
 */
export const ReadyRecordSchema = z.object({
  videoId: z.string(),
  publishedAt: z.iso.datetime({ offset: true }),
  durationSeconds: z.number().min(0),
  formats: z.array(z.enum(OUTPUT_FORMATS)),
  bucket: z.string(),
  prefix: z.string(),
  manifests: z.object({ hls: z.string().optional(), dash: z.string().optional() }),
  renditions: z.array(PublishedRenditionSchema),
  source: ProbedSourceSchema,
  files: z.array(z.object({ key: z.string(), bytes: z.int().min(0), sha256: z.string() })),
  labels: z.record(z.string(), z.string()).optional(),
});
export type ReadyRecord = z.infer<typeof ReadyRecordSchema>;
