import { Inject, Injectable } from '@nestjs/common';
import { objectKeys } from '@kubevod/contracts';
import { Readable } from 'node:stream';
import { parseRange } from '../core/byte-range';
import { CACHE_CONTROL, mediaType } from '../core/content-types';
import { PlaybackError } from '../core/playback-error';
import { assertVideoId, safeOutputPath } from '../core/safe-path';
import { VideoStorageRepository } from '../repositories/video-storage.repository';
import { PlaybackMetrics } from './playback.metrics';
import { etagOf, PublishedVideosService, type MemoBody } from './published-videos.service';

export interface OriginRequest {
  id: string;
  path: string;
  head: boolean;
  range?: string;
  ifNoneMatch?: string;
}

export interface OriginAnswer {
  status: 200 | 206 | 304 | 416;
  headers: Record<string, string>;
  body?: Buffer | Readable;
}

/** GET /v1/videos/:id/<path>: serves a published video's manifests and segments itself. */
@Injectable()
export class OriginService {
  constructor(
    @Inject(PublishedVideosService) private readonly videos: PublishedVideosService,
    @Inject(VideoStorageRepository) private readonly storage: VideoStorageRepository,
    @Inject(PlaybackMetrics) private readonly metrics: PlaybackMetrics,
  ) {}

  async serve(req: OriginRequest): Promise<OriginAnswer> {
    assertVideoId(req.id);
    const path = safeOutputPath(req.path);
    const type = mediaType(path);
    if (!type) throw new PlaybackError(404, 'NotFound', `${path} is not a media file`);
    const video = await this.videos.require(req.id);
    const key = objectKeys.output(video.id, path);
    const notFound = () => new PlaybackError(404, 'NotFound', `${video.id}/${path} does not exist`);

    // Manifests are small and read often: kept in memory with the cached video.
    let memo: MemoBody | undefined;
    let size: number;
    let etag: string;
    if (type.kind === 'manifest') {
      memo = await this.videos.memo(video, `file:${path}`, async () => {
        const body = await this.storage.readBytes(key);
        return body && { body, etag: etagOf(body) };
      });
      if (!memo) throw notFound();
      size = memo.body.length;
      etag = memo.etag;
    } else {
      const file = await this.videos.file(video, path);
      if (!file) throw notFound();
      size = file.bytes;
      etag = file.etag;
    }

    const headers: Record<string, string> = {
      'content-type': type.contentType,
      'cache-control': CACHE_CONTROL[type.kind],
      'accept-ranges': 'bytes',
      etag,
    };
    if (req.ifNoneMatch && req.ifNoneMatch.split(/\s*,\s*/).includes(etag)) {
      return { status: 304, headers };
    }
    const range = parseRange(req.range, size);
    if (range.kind === 'unsatisfiable') {
      this.metrics.errors.inc({ reason: 'RangeNotSatisfiable' });
      return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } };
    }
    const partial = range.kind === 'partial';
    const start = partial ? range.start : 0;
    const end = partial ? range.end : size - 1;
    const length = size === 0 ? 0 : end - start + 1;
    headers['content-length'] = String(length);
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    const status = partial ? 206 : 200;
    // an empty stream: fastify's HEAD handling keeps our Content-Length for streams only
    if (req.head) return { status, headers, body: Readable.from([]) };

    this.metrics.bytes.inc({ kind: type.kind }, length);
    if (memo) {
      return { status, headers, body: partial ? memo.body.subarray(start, end + 1) : memo.body };
    }
    const body =
      length === 0
        ? Buffer.alloc(0)
        : await this.storage.stream(key, partial ? { start, end } : undefined);
    return { status, headers, body };
  }
}
