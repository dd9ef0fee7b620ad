import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  objectKeys,
  ReadyRecordSchema,
  type OutputFormat,
  type ProbedSource,
  type ReadyRecord,
} from '@kubevod/contracts';
import type { PackagedOutput, PublishFile, PublishStage } from '@kubevod/ffmpeg';
import type { ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import { digestOf, type ScratchRepository } from './scratch.repository';

const UPLOAD_CONCURRENCY = 4;
const STAGES: PublishStage[] = ['media', 'playlist', 'manifest'];

export interface PublishRequest {
  bucket: string;
  videoId: string;
  /** the encode's output directory */
  outputDir: string;
  output: PackagedOutput;
  formats: OutputFormat[];
  source: ProbedSource;
  labels?: Record<string, string>;
  onUploaded?: (done: number, total: number) => void;
}

/**
 * Publishes a video so that a reader never sees half of it. S3 has no rename, so the "staging"
 * is the order of writes under the final keys:
 *   0. delete a stale ready.json FIRST: on a rerun the old record would otherwise vouch for
 *      objects that are about to be overwritten, and a half-done rerun would look published;
 *   1. init segments and media segments (unreferenced until a playlist names them);
 *   2. media playlists; 3. the master playlist and the MPD;
 *   4. remove objects of an earlier attempt that this one did not write (nothing references them);
 *   5. ready.json, LAST: a video is published iff it exists, and it lists every file with its sha256.
 * Keys are deterministic, so a retried pod overwrites the same keys.
 */
export class PublisherService {
  constructor(
    private readonly store: ObjectStore,
    private readonly scratch: ScratchRepository,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(req: PublishRequest): Promise<ReadyRecord> {
    const { bucket, videoId } = req;
    const readyKey = objectKeys.ready(videoId);
    await this.store.remove(bucket, readyKey);

    const files: ReadyRecord['files'] = [];
    const total = req.output.files.length;
    for (const stage of STAGES) {
      const batch = req.output.files.filter((f) => f.stage === stage);
      await mapLimit(batch, UPLOAD_CONCURRENCY, async (file) => {
        files.push(await this.upload(req, file));
        req.onUploaded?.(files.length, total);
      });
      this.logger.debug({ videoId, stage, files: batch.length }, 'uploaded publish stage');
    }

    const written = new Set(files.map((f) => f.key));
    const prefix = objectKeys.outputPrefix(videoId);
    const stale = (await this.store.listKeys(bucket, prefix)).filter(
      (k) => !written.has(k) && k !== readyKey,
    );
    for (const key of stale) await this.store.remove(bucket, key);
    if (stale.length > 0)
      this.logger.info(
        { videoId, removed: stale.length },
        'removed stale objects of an earlier attempt',
      );

    files.sort((a, b) => a.key.localeCompare(b.key));
    const record = ReadyRecordSchema.parse({
      videoId,
      publishedAt: this.now().toISOString(),
      durationSeconds: req.output.durationSeconds,
      formats: req.formats,
      bucket,
      prefix,
      manifests: {
        ...(req.output.manifests.hls
          ? { hls: objectKeys.output(videoId, req.output.manifests.hls) }
          : {}),
        ...(req.output.manifests.dash
          ? { dash: objectKeys.output(videoId, req.output.manifests.dash) }
          : {}),
      },
      renditions: req.output.renditions,
      source: req.source,
      files,
      ...(req.labels ? { labels: req.labels } : {}),
    } satisfies ReadyRecord);
    await this.store.putJson(bucket, readyKey, record);
    return record;
  }

  private async upload(
    req: PublishRequest,
    file: PublishFile,
  ): Promise<ReadyRecord['files'][number]> {
    const key = objectKeys.output(req.videoId, file.path);
    if (file.content !== undefined) {
      const { sha256, bytes } = digestOf(file.content);
      await this.store.putStream(
        req.bucket,
        key,
        Readable.from([Buffer.from(file.content, 'utf8')]),
        {
          size: bytes,
          contentType: file.contentType,
        },
      );
      return { key, bytes, sha256 };
    }
    const { sha256, bytes } = await this.scratch.digest(req.outputDir, file.localPath!);
    await this.store.putFile(
      req.bucket,
      key,
      join(req.outputDir, file.localPath!),
      file.contentType,
    );
    return { key, bytes, sha256 };
  }
}

async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}
