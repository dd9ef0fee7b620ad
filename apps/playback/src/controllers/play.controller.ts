import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PLAYBACK_LOGGER } from '../app.tokens';
import { matchesEtag, playResponseKey } from '../core/play-response';
import { HotPlayAnswersService } from '../services/hot-play-answers.service';
import { PlayService } from '../services/play.service';
import { PlaybackMetrics } from '../services/playback.metrics';
import { errorResponse, sendError } from './error-response';

/**
 * GET /v1/play/:id — manifest selection, one URL per video for every client.
 *
 * Registered on fastify directly rather than through a Nest @Controller: Nest's per-request
 * pipeline cost ~15% more CPU per request here. Its answers are remembered for the fast lane
 * (play-fast-lane.ts), which answers repeated requests before fastify sees them.
 */
@Injectable()
export class PlayController {
  constructor(
    @Inject(PlayService) private readonly playService: PlayService,
    @Inject(PlaybackMetrics) private readonly metrics: PlaybackMetrics,
    @Inject(HotPlayAnswersService) private readonly hot: HotPlayAnswersService,
    @Inject(PLAYBACK_LOGGER) private readonly logger: Logger,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
      '/v1/play/:id',
      (req, reply) => this.play(req, reply),
    );
  }

  private async play(
    req: FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    try {
      const answer = await this.playService.play({
        id: req.params.id,
        userAgent: req.headers['user-agent'],
        accept: req.headers.accept,
        query: req.query,
      });
      const key = playResponseKey(req.url, req.headers['user-agent'], req.headers.accept);
      if (key !== undefined) this.hot.remember(key, answer);
      const { response } = answer;
      if (response.etag && matchesEtag(req.headers['if-none-match'], response.etag)) {
        return setHeaders(reply, response.notModifiedHeaders ?? [])
          .code(304)
          .send();
      }
      // an empty body is sent as none: fastify would type an empty Buffer as octet-stream
      const body = response.body.length > 0 ? response.body : undefined;
      return setHeaders(reply, response.headers).code(response.status).send(body);
    } catch (err) {
      const e = errorResponse(err);
      if (!e) throw err; // a bug: fastify answers 500 and logs it
      this.metrics.errors.inc({ reason: e.reason });
      if (e.status >= 500) this.logger.error({ err, url: req.url }, 'failed a playback request');
      return sendError(reply, e);
    }
  }
}

function setHeaders(reply: FastifyReply, flat: string[]): FastifyReply {
  for (let i = 0; i < flat.length; i += 2) reply.header(flat[i], flat[i + 1]);
  return reply;
}
