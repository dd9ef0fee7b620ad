import { Inject, Injectable } from '@nestjs/common';
import {
  OUTPUT_FORMATS,
  objectKeys,
  type OutputFormat,
  type ReadyRecord,
} from '@kubevod/contracts';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { PLAYBACK_CONFIG, PLAYBACK_LOGGER } from '../app.tokens';
import type { PlaybackConfig } from '../config';
import { PlaybackError } from '../core/playback-error';
import { relativeToPrefix } from '../core/safe-path';
import { TtlCache } from '../core/ttl-cache';
import { VideoStorageRepository } from '../repositories/video-storage.repository';
import { PlaybackMetrics } from './playback.metrics';

export interface PublishedFile {
  bytes: number;
  /** strong validator: the sha256 the worker recorded, else the store's etag */
  etag: string;
}

/** A body computed once per cached video and served from memory. */
export interface MemoBody {
  body: Buffer;
  etag: string;
}

/** A published video as playback needs it; everything derived hangs off it and expires with it. */
export interface PublishedVideo {
  id: string;
  record: ReadyRecord;
  /** output-relative manifest paths by format */
  manifests: Partial<Record<OutputFormat, string>>;
  files: Map<string, PublishedFile>;
  memo: Map<string, Promise<unknown>>;
  /** when this lookup leaves the cache (epoch ms); answers derived from it must not outlive it */
  expiresAt: number;
}

export type Lookup =
  { found: true; video: PublishedVideo } | { found: false; reason: 'Processing' | 'NotFound' };

export const etagOf = (body: Buffer) => `"${createHash('sha1').update(body).digest('base64url')}"`;

/**
 * Looks up published videos through a short in-memory cache, so a hot video costs no storage
 * round-trip per request; concurrent misses for one id share a single lookup.
 */
@Injectable()
export class PublishedVideosService {
  private readonly cache: TtlCache<string, Lookup>;
  private readonly inflight = new Map<string, Promise<Lookup>>();

  constructor(
    @Inject(VideoStorageRepository) private readonly storage: VideoStorageRepository,
    @Inject(PlaybackMetrics) private readonly metrics: PlaybackMetrics,
    @Inject(PLAYBACK_CONFIG) private readonly config: PlaybackConfig,
    @Inject(PLAYBACK_LOGGER) private readonly logger: Logger,
  ) {
    this.cache = new TtlCache(config.CACHE_MAX_ENTRIES);
  }

  /** The published video, or a 404 saying whether it is still processing. */
  async require(id: string): Promise<PublishedVideo> {
    const lookup = await this.lookup(id);
    if (lookup.found) return lookup.video;
    throw new PlaybackError(
      404,
      lookup.reason,
      lookup.reason === 'Processing'
        ? `video ${id} is still processing`
        : `video ${id} does not exist`,
    );
  }

  lookup(id: string): Promise<Lookup> {
    const cached = this.cache.get(id);
    if (cached) {
      this.metrics.cache.inc({ cache: 'video', result: 'hit' });
      return Promise.resolve(cached);
    }
    this.metrics.cache.inc({ cache: 'video', result: 'miss' });
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  /** Memoises a derived value (a rendered manifest, a presigned URL) on the cached video. */
  memo<T>(video: PublishedVideo, key: string, compute: () => Promise<T>): Promise<T> {
    let value = video.memo.get(key) as Promise<T> | undefined;
    if (value) {
      this.metrics.cache.inc({ cache: 'derived', result: 'hit' });
      return value;
    }
    this.metrics.cache.inc({ cache: 'derived', result: 'miss' });
    value = compute();
    video.memo.set(key, value);
    // a failure is not remembered: the next request tries again
    value.catch(() => video.memo.delete(key));
    return value;
  }

  /** Size and validator of an output file; undefined when it does not exist. */
  async file(video: PublishedVideo, path: string): Promise<PublishedFile | undefined> {
    const known = video.files.get(path);
    if (known) return known;
    return this.memo(video, `stat:${path}`, async () => {
      const info = await this.storage.stat(objectKeys.output(video.id, path));
      return info && { bytes: info.size, etag: `"${info.etag}"` };
    });
  }

  private async load(id: string): Promise<Lookup> {
    const record = await this.storage.readReadyRecord(id);
    let lookup: Lookup;
    if (record) {
      const expiresAt = Date.now() + this.config.CACHE_TTL_MS;
      lookup = { found: true, video: toPublished(id, record, expiresAt) };
      this.cache.set(id, lookup, this.config.CACHE_TTL_MS);
    } else {
      const processing = await this.storage.isProcessing(id);
      lookup = { found: false, reason: processing ? 'Processing' : 'NotFound' };
      this.cache.set(id, lookup, this.config.CACHE_NEGATIVE_TTL_MS);
    }
    this.logger.debug(
      { videoId: id, found: lookup.found, reason: lookup.found ? undefined : lookup.reason },
      'looked up video',
    );
    return lookup;
  }
}

function toPublished(id: string, record: ReadyRecord, expiresAt: number): PublishedVideo {
  const manifests: Partial<Record<OutputFormat, string>> = {};
  for (const format of OUTPUT_FORMATS) {
    const key = record.manifests[format];
    const rel = key === undefined ? undefined : relativeToPrefix(id, key);
    if (rel) manifests[format] = rel;
  }
  const files = new Map<string, PublishedFile>();
  for (const f of record.files) {
    const rel = relativeToPrefix(id, f.key);
    if (rel) files.set(rel, { bytes: f.bytes, etag: `"${f.sha256}"` });
  }
  return { id, record, manifests, files, memo: new Map(), expiresAt };
}
