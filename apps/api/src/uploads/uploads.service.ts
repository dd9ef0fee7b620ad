import { Inject, Injectable } from '@nestjs/common';
import { objectKeys, type Transcode, type TranscodeSpec } from '@kubevod/contracts';
import type { MinioObjectStore } from '@kubevod/storage';
import { pipeline, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Caller } from '../auth/api-keys';
import type { ApiConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { ApiMetrics, type UploadProtocol } from '../operations/api-metrics';
import { API_CONFIG, LOGGER, OBJECT_STORE } from '../tokens';
import { TranscodeExistsError } from '../videos/transcode-errors';
import { TranscodesRepository } from '../videos/transcodes.repository';
import { transcodeFor } from '../videos/transcode-manifest';
import { idempotencyLabelValue, idempotentVideoId, newVideoId } from '../videos/video-id';
import { statusUrl, viewFromTranscode, type VideoView } from '../videos/video-view';
import { MEDIA_CONTENT_TYPES, sniffMedia, SNIFF_BYTES, type MediaKind } from './media-sniff';
import { UploadGarbage } from './upload-garbage';
import { UploadGuard } from './upload-guard';

/** What a successful upload answers (201). */
export interface CreatedVideo {
  id: string;
  name: string;
  namespace: string;
  statusUrl: string;
  phase: 'Pending';
  bytes: number;
  container: MediaKind;
}

export interface UploadTarget {
  id: string;
  /** call when the request is over: frees the id for a later retry with the same key */
  release?: () => void;
  idempotencyLabel?: string;
  /** the video this Idempotency-Key already made */
  existing?: VideoView;
}

export interface StoredSource {
  bytes: number;
  kind: MediaKind;
}

const MiB = 1024 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * An upload in three steps, each of which cleans up after itself: pick the id, store the source
 * (sniffed, size-limited, streamed into a multipart upload that is aborted on any failure), and
 * only then create the Transcode (removing the source if that fails).
 */
@Injectable()
export class UploadsService {
  private readonly bucket: string;
  /** ids of idempotent uploads in flight in this process */
  private readonly inFlight = new Set<string>();
  /** dead chunk buffers are collected every 4 MiB received (with --expose-gc; see upload-garbage.ts) */
  private readonly garbage = UploadGarbage.forProcess(4 * MiB);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(OBJECT_STORE) private readonly store: MinioObjectStore,
    @Inject(TranscodesRepository) private readonly transcodes: TranscodesRepository,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.bucket = config.S3_BUCKET;
  }

  async target(caller: Caller, idempotencyKey: string | undefined): Promise<UploadTarget> {
    if (idempotencyKey === undefined) return { id: newVideoId() };
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError(
        400,
        'InvalidQuery',
        'the Idempotency-Key header must be 1-255 printable ASCII characters',
      );
    }
    const id = idempotentVideoId(caller.keyId, idempotencyKey);
    const idempotencyLabel = idempotencyLabelValue(caller.keyId, idempotencyKey);
    // Two uploads to one key would share (and break) one multipart upload: the second waits its turn.
    if (this.inFlight.has(id)) {
      throw new ApiError(
        409,
        'IdempotencyKeyInUse',
        'a request with this Idempotency-Key is still in progress; retry when it has finished',
      );
    }
    this.inFlight.add(id);
    const release = () => this.inFlight.delete(id);
    try {
      const existing = await this.transcodes.get(id);
      if (existing) {
        release();
        return {
          id,
          idempotencyLabel,
          existing: viewFromTranscode(existing, { playbackUrl: this.config.PLAYBACK_URL }),
        };
      }
    } catch (err) {
      release();
      throw err;
    }
    return { id, idempotencyLabel, release };
  }

  /** Streams the client's file to `objectKeys.source(id)`; nothing is left behind when it fails. */
  async storeSource(
    id: string,
    file: Readable,
    meta: { filename?: string; protocol: UploadProtocol },
  ): Promise<StoredSource> {
    const guard = new UploadGuard(this.config.MAX_UPLOAD_BYTES, this.garbage);
    // pipeline: an error on either side destroys the other, so a client abort fails the upload.
    pipeline(file, guard, () => undefined);
    const kind = await guard.detected;
    const key = objectKeys.source(id);
    // Bounded: at most two parts in memory per upload, however slow the store is.
    await this.store.putStreamBounded(this.bucket, key, guard, {
      partSize: this.config.UPLOAD_PART_SIZE_MIB * MiB,
      contentType: MEDIA_CONTENT_TYPES[kind],
      metadata: meta.filename ? { 'original-filename': encodeURIComponent(meta.filename) } : {},
    });
    this.metrics.uploadBytes.inc({ protocol: meta.protocol }, guard.bytes);
    this.logger.info({ videoId: id, key, bytes: guard.bytes, container: kind }, 'stored source');
    return { bytes: guard.bytes, kind };
  }

  /** Sniffs an object already in storage (a finished tus upload) by its first bytes. */
  async sniffStored(key: string): Promise<MediaKind | undefined> {
    const head: Buffer[] = [];
    const stream = await this.store.getStream(this.bucket, key, { start: 0, end: SNIFF_BYTES - 1 });
    for await (const chunk of stream) head.push(chunk as Buffer);
    return sniffMedia(Buffer.concat(head));
  }

  /**
   * Creates the Transcode for a stored source. If that fails the source is removed, except when
   * the name is already taken by the same Idempotency-Key: then that video is the answer.
   */
  async createTranscode(args: {
    target: UploadTarget;
    spec: TranscodeSpec;
    source: StoredSource;
    protocol: UploadProtocol;
    filename?: string;
  }): Promise<{ created: CreatedVideo } | { existing: VideoView }> {
    const { target } = args;
    const body = transcodeFor({
      id: target.id,
      namespace: this.transcodes.namespace,
      spec: args.spec,
      via: args.protocol,
      filename: args.filename,
      sourceBytes: args.source.bytes,
      mediaKind: args.source.kind,
      idempotencyLabel: target.idempotencyLabel,
    });
    let created: Transcode;
    try {
      created = await this.transcodes.create(body);
    } catch (err) {
      if (err instanceof TranscodeExistsError) {
        const existing = await this.transcodes.get(target.id);
        if (target.idempotencyLabel && existing) {
          return {
            existing: viewFromTranscode(existing, { playbackUrl: this.config.PLAYBACK_URL }),
          };
        }
        // A random id collided (60 bits: should never happen); the source belongs to the other video.
        throw new ApiError(
          409,
          'AlreadyExists',
          `a video named ${target.id} already exists; upload again`,
        );
      }
      await this.removeSource(target.id, 'the Transcode could not be created');
      throw err;
    }
    this.metrics.transcodesCreated.inc({ protocol: args.protocol });
    this.logger.info(
      { videoId: target.id, namespace: created.metadata.namespace, protocol: args.protocol },
      'created Transcode',
    );
    return {
      created: {
        id: target.id,
        name: target.id,
        namespace: this.transcodes.namespace,
        statusUrl: statusUrl(target.id),
        phase: 'Pending',
        bytes: args.source.bytes,
        container: args.source.kind,
      },
    };
  }

  async removeSource(id: string, why: string): Promise<void> {
    const key = objectKeys.source(id);
    try {
      await this.store.remove(this.bucket, key);
      this.logger.info({ videoId: id, key, why }, 'removed source');
    } catch (err) {
      this.logger.error({ videoId: id, key, why, err }, 'failed to remove source; it is orphaned');
    }
  }
}
