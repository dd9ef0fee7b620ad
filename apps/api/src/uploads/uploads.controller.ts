import '@fastify/multipart';
import { Controller, Headers, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ApiKeyGuard, type AuthedRequest } from '../auth/api-key.guard';
import { ANONYMOUS } from '../auth/api-keys';
import type { ApiConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { ApiMetrics } from '../operations/api-metrics';
import { API_CONFIG, LOGGER } from '../tokens';
import { buildTranscodeSpec, parseUploadOptions } from '../videos/upload-options';
import { CreatedVideoDto, ErrorDto, UploadFormDto, VideoDto } from '../videos/video.dto';
import { tooLarge } from './upload-guard';
import {
  UploadsService,
  type CreatedVideo,
  type StoredSource,
  type UploadTarget,
} from './uploads.service';
import type { VideoView } from '../videos/video-view';
import { objectKeys } from '@kubevod/contracts';

/** Room for the multipart envelope (boundaries, part headers, option fields) beyond the file. */
const MULTIPART_OVERHEAD = 1024 * 1024;

@ApiTags('videos')
@ApiBearerAuth()
@Controller('v1/videos')
@UseGuards(ApiKeyGuard)
export class UploadsController {
  constructor(
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Upload a video (multipart/form-data, streamed to storage) and start its transcode',
    description:
      'Send option fields before the `file` part so bad options are refused before any byte is stored. ' +
      'For large files or unreliable networks use the resumable tus endpoint /v1/uploads.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFormDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key returns the same video',
  })
  @ApiResponse({
    status: 201,
    type: CreatedVideoDto,
    description: 'stored; the Transcode was created',
  })
  @ApiResponse({
    status: 200,
    type: VideoDto,
    description: 'replay: this Idempotency-Key already made a video',
  })
  @ApiResponse({
    status: 400,
    type: ErrorDto,
    description: 'InvalidOptions (with fields), InvalidMultipart, MissingFile, EmptyFile',
  })
  @ApiResponse({
    status: 401,
    type: ErrorDto,
    description: 'MissingApiKey, MalformedAuthorization',
  })
  @ApiResponse({ status: 403, type: ErrorDto, description: 'InvalidApiKey' })
  @ApiResponse({
    status: 409,
    type: ErrorDto,
    description: 'IdempotencyKeyInUse: a request with the same key is still in progress',
  })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'PayloadTooLarge' })
  @ApiResponse({
    status: 415,
    type: ErrorDto,
    description: 'UnsupportedMediaType (not audio/video), UnsupportedContentType (not multipart)',
  })
  @ApiResponse({
    status: 503,
    type: ErrorDto,
    description: 'StorageUnavailable, KubernetesUnavailable: nothing was kept',
  })
  async upload(
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<CreatedVideo | VideoView> {
    if (!req.isMultipart()) {
      throw new ApiError(
        415,
        'UnsupportedContentType',
        'send the video as multipart/form-data with a "file" part (or use tus at /v1/uploads)',
      );
    }
    const declared = Number(req.headers['content-length']);
    if (declared > this.config.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD)
      throw tooLarge(this.config.MAX_UPLOAD_BYTES);

    const startedAt = Date.now();
    const target = await this.uploads.target(req.caller ?? ANONYMOUS, idempotencyKey);
    if (target.existing) {
      reply.status(200).header('Idempotent-Replayed', 'true');
      return target.existing;
    }

    try {
      return await this.receive(req, reply, target, startedAt);
    } finally {
      target.release?.();
    }
  }

  private async receive(
    req: AuthedRequest,
    reply: FastifyReply,
    target: UploadTarget,
    startedAt: number,
  ): Promise<CreatedVideo | VideoView> {
    const fields: Record<string, string[]> = {};
    let source: StoredSource | undefined;
    let filename: string | undefined;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          (fields[part.fieldname] ??= []).push(String(part.value));
          continue;
        }
        if (part.fieldname !== 'file' || source) {
          part.file.resume();
          throw new ApiError(
            400,
            'InvalidMultipart',
            'send exactly one file, in the part named "file"',
          );
        }
        // Fail fast on bad options before any byte is stored.
        buildTranscodeSpec(parseUploadOptions(fields), {
          bucket: this.config.S3_BUCKET,
          key: objectKeys.source(target.id),
        });
        filename = part.filename;
        source = await this.uploads.storeSource(target.id, part.file, {
          filename,
          protocol: 'multipart',
        });
      }
      if (!source) throw new ApiError(400, 'MissingFile', 'the form has no "file" part');
    } catch (err) {
      if (source) await this.uploads.removeSource(target.id, 'the rest of the form was refused');
      this.uploadFailed(req, target.id, err, startedAt);
      throw normaliseMultipartError(err);
    }

    let spec;
    try {
      spec = buildTranscodeSpec(parseUploadOptions(fields), {
        bucket: this.config.S3_BUCKET,
        key: objectKeys.source(target.id),
      });
    } catch (err) {
      await this.uploads.removeSource(target.id, 'options after the file were refused');
      this.metrics.uploadEnded('multipart', 'rejected', startedAt);
      throw err;
    }
    try {
      const result = await this.uploads.createTranscode({
        target,
        spec,
        source,
        protocol: 'multipart',
        filename,
      });
      this.metrics.uploadEnded('multipart', 'created', startedAt);
      if ('existing' in result) {
        reply.status(200).header('Idempotent-Replayed', 'true');
        return result.existing;
      }
      reply.header('Location', result.created.statusUrl);
      return result.created;
    } catch (err) {
      this.metrics.uploadEnded('multipart', 'failed', startedAt);
      throw err;
    }
  }

  private uploadFailed(req: AuthedRequest, videoId: string, err: unknown, startedAt: number): void {
    if (req.raw.destroyed || req.raw.readableAborted) {
      this.metrics.uploadEnded('multipart', 'aborted', startedAt);
      this.logger.info({ videoId }, 'upload was aborted by the client; nothing was kept');
    } else if (err instanceof ApiError && err.statusCode < 500) {
      this.metrics.uploadEnded('multipart', 'rejected', startedAt);
    } else {
      this.metrics.uploadEnded('multipart', 'failed', startedAt);
    }
  }
}

/** @fastify/multipart's own errors carry a status code; give them our reasons. */
function normaliseMultipartError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (
    e?.code === 'FST_REQ_FILE_TOO_LARGE' ||
    e?.code === 'FST_FILES_LIMIT' ||
    e?.statusCode === 413
  ) {
    return new ApiError(413, 'PayloadTooLarge', e.message ?? 'too large');
  }
  if (
    e?.code?.startsWith('FST_') ||
    e?.message === 'Unexpected end of form' ||
    e?.message?.startsWith('Malformed part header')
  ) {
    return new ApiError(400, 'InvalidMultipart', `the multipart body is malformed: ${e.message}`);
  }
  return err;
}
