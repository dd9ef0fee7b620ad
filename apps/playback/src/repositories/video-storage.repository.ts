import { objectKeys, progressKey, ReadyRecordSchema, type ReadyRecord } from '@kubevod/contracts';
import type { ObjectInfo, ObjectStore } from '@kubevod/storage';
import type { Readable } from 'node:stream';
import { PlaybackError } from '../core/playback-error';

export const OBJECT_STORE = Symbol('OBJECT_STORE');

/** The only place playback touches storage: published records, manifests, segments. */
export class VideoStorageRepository {
  constructor(
    private readonly store: ObjectStore,
    readonly bucket: string,
  ) {}

  ping(): Promise<void> {
    return this.store.ping(this.bucket);
  }

  /** The ready record, or undefined when the video is not published. */
  async readReadyRecord(videoId: string): Promise<ReadyRecord | undefined> {
    const raw = await this.store.getJson(this.bucket, objectKeys.ready(videoId));
    if (raw === undefined) return undefined;
    const parsed = ReadyRecordSchema.safeParse(raw);
    if (!parsed.success) {
      throw new PlaybackError(
        500,
        'CorruptRecord',
        `the published record of ${videoId} does not match the contract: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }

  /** True when the upload or a transcode of the video is known: its source or progress exists. */
  async isProcessing(videoId: string): Promise<boolean> {
    const [source, progress] = await Promise.all([
      this.store.stat(this.bucket, objectKeys.source(videoId)),
      this.store.stat(this.bucket, progressKey(videoId)),
    ]);
    return source !== undefined || progress !== undefined;
  }

  async readBytes(key: string): Promise<Buffer | undefined> {
    if (!(await this.store.stat(this.bucket, key))) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.getStream(this.bucket, key)) {
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.store.stat(this.bucket, key);
  }

  /** A range GET: `end` inclusive. */
  stream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.store.getStream(this.bucket, key, range);
  }

  presign(key: string, expirySeconds: number): Promise<string> {
    return this.store.presignedGet(this.bucket, key, expirySeconds);
  }
}
