import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classifyClient, decideFormat } from '../core/client-format';
import { PlaybackError } from '../core/playback-error';
import { parseResolutionFilter } from '../core/resolution-filter';
import { assertVideoId } from '../core/safe-path';
import { choosePlayer, renderWatchPage } from '../core/watch-page';
import { PlayerAssetsRepository } from '../repositories/player-assets.repository';
import { parseFormat, publishedFormat } from '../services/play.service';
import { etagOf, PublishedVideosService } from '../services/published-videos.service';

// 'self' for the players and watch.js; media and manifests may come from a public base URL or
// presigned storage URLs, and hls.js runs its worker from a blob.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; connect-src *; media-src * blob:; worker-src 'self' blob:; img-src 'self' data:";

/** A player page for looking at any published video in a browser, and the players' files. */
@Controller()
export class WatchController {
  constructor(
    @Inject(PublishedVideosService) private readonly videos: PublishedVideosService,
    @Inject(PlayerAssetsRepository) private readonly assets: PlayerAssetsRepository,
  ) {}

  @Get('watch/:id')
  async watch(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    assertVideoId(id);
    const userAgent = req.headers['user-agent'];
    const filter = parseResolutionFilter(query);
    const decision = decideFormat({ userAgent, override: parseFormat(query.format) });
    const video = await this.videos.require(id);
    const decided = publishedFormat(video, decision);
    const { player, format } = choosePlayer(
      query.player,
      decided,
      classifyClient(userAgent).nativeHls,
    );
    publishedFormat(video, { ...decision, format, via: 'query' });
    const params = new URLSearchParams({ format });
    if (filter?.min !== undefined) params.set('min_resolution', String(filter.min));
    if (filter?.max !== undefined) params.set('max_resolution', String(filter.max));
    const html = renderWatchPage({
      videoId: id,
      player,
      format,
      src: `../v1/play/${id}?${params}`,
    });
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .send(html);
  }

  @Get('assets/:name')
  async asset(
    @Param('name') name: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!this.assets.has(name)) throw new PlaybackError(404, 'NotFound', `no asset ${name}`);
    const asset = await this.assets.get(name, etagOf);
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('etag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) {
      await reply.code(304).send();
      return;
    }
    await reply.send(asset.body);
  }
}
