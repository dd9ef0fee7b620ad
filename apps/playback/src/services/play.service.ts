import { Inject, Injectable } from '@nestjs/common';
import { objectKeys, OUTPUT_FORMATS, type OutputFormat } from '@kubevod/contracts';
import { PLAYBACK_CONFIG } from '../app.tokens';
import type { PlaybackConfig } from '../config';
import { decideFormat, type FormatDecision } from '../core/client-format';
import { filterMpd, rebaseMpd } from '../core/dash-mpd';
import { filterHlsMaster, rebaseHlsPlaylist } from '../core/hls-playlist';
import { PlaybackError } from '../core/playback-error';
import { buildPlayResponse, type PlayResponse } from '../core/play-response';
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

/** The ready response, what chose it, and until when it may be served again without a lookup. */
export interface PlayAnswer {
  response: PlayResponse;
  selection: PlaySelection;
  /** the cached video's expiry (epoch ms): the answer must not outlive it */
  expiresAt: number;
}

/** The labels of kubevod_playback_selections_total. */
export interface PlaySelection {
  format: OutputFormat;
  platform: FormatDecision['platform'];
  via: FormatDecision['via'];
  answer: 'redirect' | 'manifest';
}

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

    const redirect = this.config.PLAYBACK_MODE === 'redirect' && !filter;
    // one response per (video, format, filter); the mode is fixed per process
    const response = await this.videos.memo(
      video,
      `response:${format}:${filterKey(filter)}`,
      async () => {
        if (redirect) {
          const location = await this.storageUrl(objectKeys.output(video.id, path));
          return buildPlayResponse({ kind: 'redirect', location }, this.config.CORS_ALLOW_ORIGIN);
        }
        const rendered = await this.render(video, format, path, filter);
        return buildPlayResponse(
          { kind: 'manifest', ...rendered, contentType: MANIFEST_TYPES[format] },
          this.config.CORS_ALLOW_ORIGIN,
        );
      },
    );
    const selection: PlaySelection = {
      format,
      platform: decision.platform,
      via: decision.via,
      answer: redirect ? 'redirect' : 'manifest',
    };
    this.metrics.selections.inc(selection);
    return { response, selection, expiresAt: video.expiresAt };
  }

  /** The manifest, filtered and rebased so its relative URLs resolve from /v1/play/:id. */
  private async render(
    video: PublishedVideo,
    format: OutputFormat,
    path: string,
    filter: ResolutionFilter | undefined,
  ): Promise<MemoBody> {
    const raw = await this.videos.memo(video, `raw:${path}`, () =>
      this.storage.readBytes(objectKeys.output(video.id, path)),
    );
    if (!raw) {
      throw new PlaybackError(404, 'NotFound', `the ${format} manifest of ${video.id} is missing`);
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
