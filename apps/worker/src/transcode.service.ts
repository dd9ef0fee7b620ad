import { join } from 'node:path';
import type { ProbedSource, ReadyRecord, TranscodeSpec } from '@kubevod/contracts';
import {
  checkDecodedDuration,
  checkLimits,
  encodeArgs,
  encodePercent,
  FFMPEG_OUTPUT,
  ffmpegVerdict,
  limitExceeded,
  MediaRejectedError,
  packageOutputs,
  parseMediaPlaylist,
  parseProbe,
  planLadder,
  probeArgs,
  toNumber,
  type EncodePlan,
  type MediaInfo,
  type MediaLimits,
  type MeasuredRendition,
} from '@kubevod/ffmpeg';
import { ObjectNotFoundError, type ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import { sourceNotFound, WorkerFailure } from './errors';
import type { FfmpegRepository } from './ffmpeg.repository';
import type { ProgressReporter } from './progress.reporter';
import type { PublisherService } from './publisher.service';
import type { ScratchRepository } from './scratch.repository';
import { WORKER_EXIT } from '@kubevod/contracts';

/** The scratch file names are ours: ffmpeg never sees a user-supplied name. */
const SOURCE_FILE = 'source';
const OUTPUT_DIR = 'out';

export interface TranscodeJob {
  videoId: string;
  spec: TranscodeSpec;
  outputBucket: string;
  scratchDir: string;
  limits: MediaLimits;
  segmentSeconds: number;
  preset: string;
  maxAllocBytes: number;
}

/**
 * One transcode, start to end: download the source to scratch, probe, check limits, plan,
 * encode the whole ladder in one ffmpeg run, package HLS + DASH over the same segments,
 * publish (ready.json last), and always clean the scratch space.
 */
export class TranscodeService {
  constructor(
    private readonly store: ObjectStore,
    private readonly ffmpeg: FfmpegRepository,
    private readonly scratch: ScratchRepository,
    private readonly publisher: PublisherService,
    private readonly progress: ProgressReporter,
    private readonly logger: Logger,
  ) {}

  async run(job: TranscodeJob, signal?: AbortSignal): Promise<ReadyRecord> {
    const work = join(job.scratchDir, `kubevod-${job.videoId}`);
    await this.scratch.prepare(work);
    try {
      const sizeBytes = await this.download(job, work);
      const media = await this.probe(job, work, signal);
      const source = probedSource(media, sizeBytes);
      checkLimits(media, job.limits);
      const plan = planLadder(media, job.spec.ladder, { segmentSeconds: job.segmentSeconds });
      this.logger.info({ videoId: job.videoId, source, plan: summary(plan) }, 'planned renditions');

      await this.encode(job, work, plan, media, source, signal);
      const measured = await this.measure(work, plan);
      const output = packageOutputs(plan, measured, job.spec.formats);

      this.progress.update({ stage: 'uploading', stagePercent: 0, source }, true);
      const ready = await this.publisher.publish({
        bucket: job.outputBucket,
        videoId: job.videoId,
        outputDir: join(work, OUTPUT_DIR),
        output,
        formats: job.spec.formats,
        source,
        ...(job.spec.labels ? { labels: job.spec.labels } : {}),
        onUploaded: (done, total) =>
          this.progress.update({ stage: 'uploading', stagePercent: (100 * done) / total, source }),
      });
      this.progress.update({ stage: 'done', stagePercent: 100, source }, true);
      await this.progress.flush();
      return ready;
    } finally {
      await this.scratch.remove(work);
    }
  }

  private async download(job: TranscodeJob, work: string): Promise<number> {
    const { bucket, key } = job.spec.source;
    this.progress.update({ stage: 'downloading', stagePercent: 0 }, true);
    const info = await this.store.stat(bucket, key);
    if (!info) throw sourceNotFound(`source object ${bucket}/${key} does not exist`);
    // Checked before downloading: an oversized source must not fill the scratch space.
    if (info.size > job.limits.maxSourceBytes) {
      throw limitExceeded(
        `source is ${info.size} bytes, above the limit of ${job.limits.maxSourceBytes}`,
      );
    }
    if (info.size === 0) throw new MediaRejectedError('InvalidInput', 'the source object is empty');
    const started = Date.now();
    try {
      await this.store.getToFile(bucket, key, join(work, SOURCE_FILE));
    } catch (err) {
      if (err instanceof ObjectNotFoundError)
        throw sourceNotFound(`source object ${bucket}/${key} disappeared`);
      throw err;
    }
    this.logger.info(
      { videoId: job.videoId, bytes: info.size, ms: Date.now() - started },
      'downloaded source',
    );
    return info.size;
  }

  private async probe(job: TranscodeJob, work: string, signal?: AbortSignal): Promise<MediaInfo> {
    this.progress.update({ stage: 'probing', stagePercent: 0 }, true);
    const json = await this.ffmpeg.probe(work, probeArgs(SOURCE_FILE, job.maxAllocBytes), signal);
    return parseProbe(json);
  }

  private async encode(
    job: TranscodeJob,
    work: string,
    plan: EncodePlan,
    media: MediaInfo,
    source: ProbedSource,
    signal?: AbortSignal,
  ): Promise<void> {
    const names = renditionNames(plan);
    const report = (percent: number, speed?: number) =>
      this.progress.update({
        stage: 'encoding',
        stagePercent: percent,
        source,
        ...(speed !== undefined ? { speed } : {}),
        // one ffmpeg process encodes every rendition in lockstep: they share the percent
        renditions: names.map((name) => ({ name, percent: Math.round(percent * 10) / 10 })),
      });
    report(0);
    const started = Date.now();
    const args = encodeArgs(plan, {
      input: SOURCE_FILE,
      outputDir: OUTPUT_DIR,
      preset: job.preset,
      maxAllocBytes: job.maxAllocBytes,
    });
    this.logger.debug({ videoId: job.videoId, args }, 'starting ffmpeg');
    const run = await this.ffmpeg.encode(work, args, {
      ...(signal ? { signal } : {}),
      onProgress: (p) => report(encodePercent(p.outTimeSeconds, media.durationSeconds), p.speed),
    });
    const verdict = ffmpegVerdict(run);
    if (!verdict.ok) {
      if (verdict.retryable)
        throw new WorkerFailure(WORKER_EXIT.transient, 'JobFailed', verdict.message);
      throw new MediaRejectedError(verdict.reason, verdict.message);
    }
    checkDecodedDuration(media.durationSeconds, run.lastProgress?.outTimeSeconds ?? 0);
    this.logger.info(
      {
        videoId: job.videoId,
        ms: Date.now() - started,
        mediaSeconds: media.durationSeconds,
        speed: run.lastProgress?.speed,
      },
      'encoded renditions',
    );
  }

  private async measure(work: string, plan: EncodePlan): Promise<MeasuredRendition[]> {
    const out = join(work, OUTPUT_DIR);
    return Promise.all(
      renditionNames(plan).map(async (name) => {
        const playlist = parseMediaPlaylist(
          await this.scratch.readText(out, FFMPEG_OUTPUT.playlist(name)),
        );
        const segments = await Promise.all(
          playlist.segments.map(async (s) => ({
            file: s.uri,
            durationSeconds: s.durationSeconds,
            bytes: await this.scratch.size(out, `${name}/${s.uri}`),
          })),
        );
        return { name, initFile: playlist.initUri, segments };
      }),
    );
  }
}

function renditionNames(plan: EncodePlan): string[] {
  return [...(plan.video?.renditions ?? []), ...(plan.audio?.renditions ?? [])].map((r) => r.name);
}

function summary(plan: EncodePlan) {
  return {
    video: plan.video?.renditions.map((r) => `${r.name}:${r.width}x${r.height}@${r.maxrateKbps}k`),
    audio: plan.audio?.renditions.map((r) => `${r.name}:${r.bitrateKbps}k`),
    fps: plan.video ? toNumber(plan.video.frameRate) : undefined,
  };
}

export function probedSource(media: MediaInfo, sizeBytes: number): ProbedSource {
  return {
    durationSeconds: Math.round(media.durationSeconds * 1000) / 1000,
    ...(media.video
      ? {
          width: media.video.width,
          height: media.video.height,
          frameRate:
            Math.round(toNumber(media.video.averageFrameRate ?? media.video.frameRate) * 1000) /
            1000,
          videoCodec: media.video.codec,
        }
      : {}),
    ...(media.audio ? { audioCodec: media.audio.codec } : {}),
    container: media.formatName,
    sizeBytes,
  };
}
