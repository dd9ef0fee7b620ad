import { Inject, Injectable } from '@nestjs/common';
import { objectKeys, ReadyRecordSchema, VIDEO_ID_PATTERN } from '@kubevod/contracts';
import type { ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { API_CONFIG, LOGGER, OBJECT_STORE } from '../tokens';
import { labelSelectorFrom } from './kube-labels';
import { ANNOTATIONS, nextRetry } from './transcode-manifest';
import { TranscodesRepository } from './transcodes.repository';
import {
  viewFromReadyRecord,
  viewFromTranscode,
  type VideoView,
  type ViewContext,
} from './video-view';

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 500;

const notFound = (id: string) => new ApiError(404, 'VideoNotFound', `no video ${id}`);

/** The lifecycle of videos after upload: read, list, delete, retry. */
@Injectable()
export class VideosService {
  private readonly ctx: ViewContext;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(TranscodesRepository) private readonly transcodes: TranscodesRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.ctx = { playbackUrl: config.PLAYBACK_URL };
  }

  /** From the Transcode while it exists; afterwards from the ready record it published. */
  async get(id: string): Promise<VideoView> {
    if (!VIDEO_ID_PATTERN.test(id) || id.length > 63) throw notFound(id);
    const transcode = await this.transcodes.get(id);
    if (transcode) return viewFromTranscode(transcode, this.ctx);
    const record = await this.store.getJson(this.config.S3_BUCKET, objectKeys.ready(id));
    if (record === undefined) throw notFound(id);
    const parsed = ReadyRecordSchema.safeParse(record);
    if (!parsed.success) {
      this.logger.warn({ videoId: id }, 'found an unreadable ready record');
      throw notFound(id);
    }
    return viewFromReadyRecord(parsed.data, this.ctx);
  }

  async list(query: {
    limit?: string;
    continue?: string;
    label?: string | string[];
  }): Promise<{ items: VideoView[]; continue?: string }> {
    const limit = query.limit === undefined ? LIST_LIMIT_DEFAULT : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
      throw new ApiError(
        400,
        'InvalidQuery',
        `limit must be an integer from 1 to ${LIST_LIMIT_MAX}`,
        [{ path: 'limit', message: `must be an integer from 1 to ${LIST_LIMIT_MAX}` }],
      );
    }
    const labels = query.label === undefined ? [] : ([] as string[]).concat(query.label);
    const page = await this.transcodes.list({
      limit,
      continue: query.continue || undefined,
      labelSelector: labelSelectorFrom(labels),
    });
    return {
      items: page.items.map((t) => viewFromTranscode(t, this.ctx)),
      ...(page.continue ? { continue: page.continue } : {}),
    };
  }

  /** Deletes the Transcode; the controller's finalizer cleans storage as its deletionPolicy says. */
  async delete(id: string): Promise<{ id: string; status: 'Deleting' }> {
    if (!VIDEO_ID_PATTERN.test(id) || !(await this.transcodes.delete(id))) throw notFound(id);
    this.logger.info({ videoId: id }, 'deleted Transcode');
    return { id, status: 'Deleting' };
  }

  /**
   * Asks the controller for a new attempt of a Failed transcode by bumping the retry
   * annotation (compare-and-swap on resourceVersion, so two retries never count as one).
   */
  async retry(id: string): Promise<{ id: string; status: 'Retrying'; retry: string }> {
    if (!VIDEO_ID_PATTERN.test(id)) throw notFound(id);
    const transcode = await this.transcodes.get(id);
    if (!transcode) throw notFound(id);
    if (transcode.metadata.deletionTimestamp) {
      throw new ApiError(409, 'VideoDeleting', `video ${id} is being deleted`);
    }
    const phase = transcode.status?.phase ?? 'Pending';
    if (phase !== 'Failed') {
      throw new ApiError(409, 'NotFailed', `only a Failed video can be retried; ${id} is ${phase}`);
    }
    const retry = nextRetry(transcode.metadata.annotations?.[ANNOTATIONS.retry]);
    const patched = await this.transcodes.annotate(
      id,
      { [ANNOTATIONS.retry]: retry },
      transcode.metadata.resourceVersion,
    );
    if (!patched) throw notFound(id);
    this.logger.info({ videoId: id, retry }, 'requested a retry');
    return { id, status: 'Retrying', retry };
  }
}
