import { Inject, Injectable } from '@nestjs/common';
import { objectKeys, OUTPUT_FORMATS, type OutputFormat } from '@kubevod/contracts';
import { PLAYBACK_CONFIG } from '../app.tokens';
import type { PlaybackConfig } from '../config';
import { decideFormat, type FormatDecision } from '../core/client-format';
import { filterMpd, rebaseMpd } from '../core/dash-mpd';
import { filterHlsMaster, rebaseHlsPlaylist } from '../core/hls-playlist';
import { PlaybackError } from '../core/playback-error';
import { filterKey, parseResolutionFilter, type ResolutionFilter } from '../core/resolution-filter';
import { assertVideoId } from '../core/safe-path';
import { VideoStorageRepository } from '../repositories/video-storage.repository';
import { PlaybackMetrics } from './playback.metrics';
import {
  etagOf,
  PublishedVideosService,
  type MemoBody,
  type PublishedVideo,
} from './published-videos.service';

export interface PlayRequest {
  id: string;
  userAgent?: string;
  accept?: string;
  query: { format?: unknown; min_resolution?: unknown; max_resolution?: unknown };
}

export type PlayAnswer =
  | { kind: 'redirect'; location: string; format: OutputFormat }
  | { kind: 'manifest'; body: Buffer; etag: string; format: OutputFormat };

export const MANIFEST_TYPES: Record<OutputFormat, string> = {
  hls: 'application/vnd.apple.mpegurl',
  dash: 'application/dash+xml',
};

export function parseFormat(value: unknown): OutputFormat | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(value)) {
    return value as OutputFormat;
  }
  throw new PlaybackError(400, 'InvalidFormat', 'format must be hls or dash');
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/** GET /v1/play/:id: picks the manifest for the client and answers with it or a redirect. */
@Injectable()
export class PlayService {
  constructor(
    @Inject(PublishedVideosService) private readonly videos: PublishedVideosService,
    @Inject(VideoStorageRepository) private readonly storage: VideoStorageRepository,
    @Inject(PlaybackMetrics) private readonly metrics: PlaybackMetrics,
    @Inject(PLAYBACK_CONFIG) private readonly config: PlaybackConfig,
  ) {}

  async play(req: PlayRequest): Promise<PlayAnswer> {
    assertVideoId(req.id);
    const override = parseFormat(req.query.format);
    const filter = parseResolutionFilter(req.query);
    const decision = decideFormat({ userAgent: req.userAgent, accept: req.accept, override });
    const video = await this.videos.require(req.id);
    const format = publishedFormat(video, decision);
    const path = video.manifests[format] as string;

    let answer: PlayAnswer;
    if (this.config.PLAYBACK_MODE === 'redirect' && !filter) {
      const location = await this.videos.memo(video, `location:${format}`, () =>
        this.storageUrl(objectKeys.output(video.id, path)),
      );
      answer = { kind: 'redirect', location, format };
    } else {
      const rendered = await this.render(video, format, path, filter);
      answer = { kind: 'manifest', body: rendered.body, etag: rendered.etag, format };
    }
    this.metrics.selections.inc({
      format,
      platform: decision.platform,
      via: decision.via,
      answer: answer.kind,
    });
    return answer;
  }

  /** The manifest, filtered and rebased so its relative URLs resolve from /v1/play/:id. */
  private render(
    video: PublishedVideo,
    format: OutputFormat,
    path: string,
    filter: ResolutionFilter | undefined,
  ): Promise<MemoBody> {
    return this.videos.memo(video, `play:${format}:${filterKey(filter)}`, async () => {
      const raw = await this.videos.memo(video, `raw:${path}`, () =>
        this.storage.readBytes(objectKeys.output(video.id, path)),
      );
      if (!raw) {
        throw new PlaybackError(
          404,
          'NotFound',
          `the ${format} manifest of ${video.id} is missing`,
        );
      }
      const base = this.baseUrl(video.id) + dirOf(path);
      let text = raw.toString('utf8');
      if (format === 'hls') {
        if (filter) text = filterHlsMaster(text, filter);
        text = rebaseHlsPlaylist(text, base);
      } else {
        if (filter) text = filterMpd(text, filter);
        text = rebaseMpd(text, base);
      }
      const body = Buffer.from(text);
      return { body, etag: etagOf(body) };
    });
  }

  /**
   * Where the video's objects are fetched from by a player: the public base URL when there is
   * one, else playback's own origin routes, relative to /v1/play/:id so any ingress prefix works.
   */
  private baseUrl(id: string): string {
    if (this.config.PLAYBACK_MODE === 'redirect' && this.config.PUBLIC_BASE_URL) {
      return `${this.config.PUBLIC_BASE_URL}/${objectKeys.outputPrefix(id)}`;
    }
    return `../videos/${id}/`;
  }

  private storageUrl(key: string): Promise<string> {
    if (this.config.PUBLIC_BASE_URL) {
      return Promise.resolve(`${this.config.PUBLIC_BASE_URL}/${key}`);
    }
    return this.storage.presign(key, this.config.PRESIGN_EXPIRY_SECONDS);
  }
}

/**
 * The decided format if it was published. A platform preference falls back to the other
 * format; an explicit ?format= or Accept does not.
 */
export function publishedFormat(
  video: Pick<PublishedVideo, 'id' | 'manifests'>,
  decision: FormatDecision,
): OutputFormat {
  if (video.manifests[decision.format]) return decision.format;
  const other: OutputFormat = decision.format === 'hls' ? 'dash' : 'hls';
  if (decision.via === 'user-agent' && video.manifests[other]) return other;
  throw new PlaybackError(
    404,
    'FormatNotPublished',
    `video ${video.id} has no ${decision.format} manifest`,
  );
}
