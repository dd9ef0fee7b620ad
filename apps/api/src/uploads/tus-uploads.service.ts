import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Server, Upload } from '@tus/server';
import type { MinioObjectStore } from '@kubevod/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiKeyVerifier } from '../auth/api-keys';
import type { ApiConfig } from '../config';
import { ApiError, statusText, type ApiErrorReason } from '../errors/api-error';
import { toApiError } from '../errors/to-api-error';
import { ApiMetrics } from '../operations/api-metrics';
import { API_CONFIG, API_KEY_VERIFIER, LOGGER, OBJECT_STORE } from '../tokens';
import { buildTranscodeSpec, parseUploadOptions } from '../videos/upload-options';
import { newVideoId } from '../videos/video-id';
import { tusIdFor, tusIdFromUrlSegment, tusSidecarKeys, videoIdOfTusId } from './tus-keys';
import { tooLarge } from './upload-guard';
import { UploadsService } from './uploads.service';
import { expiredUploads } from './stale-uploads';
import { StaleUploadsRepository } from './stale-uploads.repository';

export const TUS_PATH = '/v1/uploads';
const MiB = 1024 * 1024;

/** tus answers its protocol errors as text; these give them the API's reasons. */
const TUS_REASONS: Record<number, ApiErrorReason> = {
  400: 'InvalidUploadRequest',
  403: 'InvalidUploadRequest',
  404: 'UploadNotFound',
  409: 'UploadOffsetMismatch',
  410: 'UploadGone',
  412: 'TusVersionUnsupported',
  413: 'PayloadTooLarge',
  415: 'UnsupportedContentType',
  460: 'ChecksumMismatch',
};

interface TusError {
  status_code: number;
  body: string;
}

const asTusError = (err: ApiError): TusError => ({
  status_code: err.statusCode,
  body: JSON.stringify(err.toBody()),
});

const fieldsOf = (upload: Upload): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(upload.metadata ?? {})
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([k, v]) => [k, [v]]),
  );

/**
 * The tus modules, required on the first tus request rather than at start-up: @tus/s3-store
 * pulls in the AWS SDK, and the two cost 7-12 MiB of resident memory that an API serving only
 * multipart uploads never needs (apps/api/bench/README.md).
 */
function loadTus() {
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
  return {
    server: require('@tus/server') as typeof import('@tus/server'),
    s3Store: require('@tus/s3-store') as typeof import('@tus/s3-store'),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * Resumable uploads (tus 1.0) under /v1/uploads, stored by @tus/s3-store straight at the video's
 * source key. The Transcode is created when the last byte arrives; a finished upload that is
 * refused (not media, bad options, Transcode not created) is removed with its bookkeeping.
 * Unfinished uploads expire after TUS_EXPIRY_HOURS and are swept (without loading tus).
 */
@Injectable()
export class TusUploadsService implements OnModuleDestroy {
  private tus?: Server;
  private readonly staleUploads: StaleUploadsRepository;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(OBJECT_STORE) private readonly objects: MinioObjectStore,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(API_KEY_VERIFIER) private readonly verifier: ApiKeyVerifier,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.staleUploads = new StaleUploadsRepository(objects.client, config.S3_BUCKET);
  }

  /** True once a tus request has loaded the tus modules. */
  get loaded(): boolean {
    return this.tus !== undefined;
  }

  private get server(): Server {
    this.tus ??= this.createServer();
    return this.tus;
  }

  private createServer(): Server {
    const { server: tus, s3Store } = loadTus();
    const config = this.config;
    const store = new s3Store.S3Store({
      partSize: config.TUS_PART_SIZE_MIB * MiB,
      expirationPeriodInMilliseconds: config.TUS_EXPIRY_HOURS * 3600_000,
      s3ClientConfig: {
        bucket: config.S3_BUCKET,
        endpoint: config.S3_ENDPOINT,
        region: config.S3_REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: config.S3_ACCESS_KEY, secretAccessKey: config.S3_SECRET_KEY },
        // MinIO and other S3-compatible stores: checksums only when the operation requires them.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
    });
    const server = new tus.Server({
      path: TUS_PATH,
      datastore: store,
      maxSize: config.MAX_UPLOAD_BYTES,
      respectForwardedHeaders: true,
      exposedHeaders: ['Video-Id', 'Video-Status-Url'],
      namingFunction: () => tusIdFor(newVideoId()),
      generateUrl: (_req, { path, id }) => `${path}/${videoIdOfTusId(id)}`,
      getFileIdFromRequest: (_req, lastPath) => tusIdFromUrlSegment(lastPath),
      onUploadCreate: (_req, upload) => this.onCreate(upload),
      onUploadFinish: (_req, upload) => this.onFinish(upload),
      onResponseError: (_req, err) => this.toTusError(err),
      // locker: the default in-memory one; see apps/api/README.md for several replicas.
    });
    server.on(tus.EVENTS.POST_FINISH, (_req, _res, upload) => void this.dropBookkeeping(upload.id));
    this.logger.info('loaded the tus modules');
    return server;
  }

  /** Mounts the tus routes on fastify; the body is left to tus (no fastify body parsing). */
  mount(fastify: FastifyInstance): void {
    fastify.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) =>
      done(null),
    );
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method !== 'OPTIONS') {
        try {
          this.verifier.verify(request.headers.authorization);
        } catch (err) {
          const e = err as ApiError;
          return reply.status(e.statusCode).header('Tus-Resumable', '1.0.0').send(e.toBody());
        }
      }
      reply.hijack();
      await this.server.handle(request.raw, reply.raw);
    };
    for (const url of [TUS_PATH, `${TUS_PATH}/*`]) {
      fastify.route({
        method: ['POST', 'HEAD', 'PATCH', 'OPTIONS', 'DELETE', 'GET'],
        url,
        exposeHeadRoute: false,
        handler,
      });
    }
    const every = Math.min(this.config.TUS_EXPIRY_HOURS * 3600_000, 3600_000);
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /**
   * Removes unfinished uploads past their expiry with their `.info`/`.part` objects (and aborts
   * any other stale multipart upload in the bucket): what @tus/s3-store's deleteExpired does,
   * through the minio client, so the sweep alone does not load tus. `now` is for tests.
   */
  async sweep(now = Date.now()): Promise<number> {
    try {
      const expired = expiredUploads(
        await this.staleUploads.list(),
        now,
        this.config.TUS_EXPIRY_HOURS * 3600_000,
      );
      for (const upload of expired) {
        await this.dropBookkeeping(upload.key);
        await this.staleUploads.abort(upload);
      }
      if (expired.length > 0) {
        this.logger.info({ removed: expired.length }, 'removed expired multipart uploads');
      }
      return expired.length;
    } catch (err) {
      this.logger.warn({ err }, 'failed to sweep expired multipart uploads');
      return 0;
    }
  }

  private async onCreate(upload: Upload): Promise<{ metadata?: Upload['metadata'] }> {
    try {
      buildTranscodeSpec(parseUploadOptions(fieldsOf(upload)), {
        bucket: this.config.S3_BUCKET,
        key: upload.id,
      });
    } catch (err) {
      if (err instanceof ApiError) throw asTusError(err);
      throw err;
    }
    if (upload.size !== undefined && upload.size > this.config.MAX_UPLOAD_BYTES) {
      throw asTusError(tooLarge(this.config.MAX_UPLOAD_BYTES));
    }
    this.logger.info(
      { videoId: videoIdOfTusId(upload.id), size: upload.size },
      'started tus upload',
    );
    return { metadata: upload.metadata };
  }

  private async onFinish(upload: Upload): Promise<{
    status_code?: number;
    headers?: Record<string, string>;
    body?: string;
  }> {
    const id = videoIdOfTusId(upload.id);
    if (!id) throw asTusError(new ApiError(404, 'UploadNotFound', 'unknown upload'));
    const startedAt = upload.creation_date ? Date.parse(upload.creation_date) : Date.now();
    const bytes = upload.size ?? upload.offset;
    const filename = upload.metadata?.filename ?? undefined;
    try {
      const spec = buildTranscodeSpec(parseUploadOptions(fieldsOf(upload)), {
        bucket: this.config.S3_BUCKET,
        key: upload.id,
      });
      const kind = bytes === 0 ? undefined : await this.uploads.sniffStored(upload.id);
      if (!kind) {
        throw new ApiError(
          bytes === 0 ? 400 : 415,
          bytes === 0 ? 'EmptyFile' : 'UnsupportedMediaType',
          bytes === 0
            ? 'the file is empty'
            : 'the file does not start like any audio or video container kubevod accepts',
        );
      }
      this.metrics.uploadBytes.inc({ protocol: 'tus' }, bytes);
      const result = await this.uploads.createTranscode({
        target: { id },
        spec,
        source: { bytes, kind },
        protocol: 'tus',
        filename,
      });
      this.metrics.uploadEnded('tus', 'created', startedAt);
      const body = 'created' in result ? result.created : result.existing;
      return {
        status_code: 200,
        headers: {
          'Content-Type': 'application/json',
          'Video-Id': id,
          'Video-Status-Url': body.statusUrl,
        },
        body: JSON.stringify(body),
      };
    } catch (err) {
      const mapped = toApiError(err);
      this.metrics.uploadEnded(
        'tus',
        mapped && mapped.statusCode < 500 ? 'rejected' : 'failed',
        startedAt,
      );
      // createTranscode already removed the source when it failed; removing twice is harmless.
      await this.uploads.removeSource(id, 'the finished tus upload was refused');
      await this.dropBookkeeping(upload.id);
      if (mapped) throw asTusError(mapped);
      this.logger.error({ err, videoId: id }, 'failed to finish tus upload');
      throw asTusError(new ApiError(500, 'InternalError', 'the upload could not be finished'));
    }
  }

  /** Deletes the store's `.info` / `.part` objects once the source object stands on its own. */
  private async dropBookkeeping(tusId: string): Promise<void> {
    for (const key of tusSidecarKeys(tusId)) {
      await this.objects.remove(this.config.S3_BUCKET, key).catch((err: unknown) => {
        this.logger.warn({ err, key }, 'failed to remove tus bookkeeping object');
      });
    }
  }

  private toTusError(err: Error | TusError): TusError {
    if (!(err instanceof Error) && typeof err.status_code === 'number') {
      if (err.body.startsWith('{')) return err; // already ours
      const reason = TUS_REASONS[err.status_code] ?? 'InternalError';
      const message = err.body.trim() || statusText(err.status_code);
      if (err.status_code === 413) return asTusError(tooLarge(this.config.MAX_UPLOAD_BYTES));
      return asTusError(new ApiError(err.status_code, reason, message));
    }
    const mapped = toApiError(err) ?? storageFailure(err);
    if (mapped) return asTusError(mapped);
    this.logger.error({ err }, 'tus request failed unexpectedly');
    return asTusError(new ApiError(500, 'InternalError', 'the upload request failed unexpectedly'));
  }
}

/** The AWS SDK's network and 5xx failures: the store is unreachable, worth a retry. */
function storageFailure(err: unknown): ApiError | undefined {
  const e = err as {
    code?: string;
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode;
  if (
    (status !== undefined && status >= 500) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|TimeoutError/.test(
      `${e?.code} ${e?.name} ${e?.message}`,
    )
  ) {
    return new ApiError(
      503,
      'StorageUnavailable',
      'object storage is unavailable; retry the upload',
    );
  }
  return undefined;
}
