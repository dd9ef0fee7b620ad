import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { StorageUnavailableError } from '@kubevod/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PLAYBACK_LOGGER } from '../app.tokens';
import { PlaybackError } from '../core/playback-error';
import { PlaybackMetrics } from '../services/playback.metrics';
import { errorResponse, sendError } from './error-response';

/** Refusals become `{ reason, message }` JSON with their status; storage outages a 503. */
@Catch(PlaybackError, StorageUnavailableError)
export class PlaybackErrorFilter implements ExceptionFilter {
  constructor(
    @Inject(PlaybackMetrics) private readonly metrics: PlaybackMetrics,
    @Inject(PLAYBACK_LOGGER) private readonly logger: Logger,
  ) {}

  catch(err: PlaybackError | StorageUnavailableError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const e = errorResponse(err)!;
    this.metrics.errors.inc({ reason: e.reason });
    if (e.status >= 500) {
      const url = http.getRequest<FastifyRequest>().url;
      this.logger.error({ err, url, reason: e.reason }, 'failed a playback request');
    }
    void sendError(http.getResponse<FastifyReply>(), e);
  }
}
