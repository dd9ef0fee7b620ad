import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { StorageUnavailableError } from '@kubevod/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PLAYBACK_LOGGER } from '../app.tokens';
import { PlaybackError } from '../core/playback-error';
import { PlaybackMetrics } from '../services/playback.metrics';

/** Refusals become `{ reason, message }` JSON with their status; storage outages a 503. */
@Catch(PlaybackError, StorageUnavailableError)
export class PlaybackErrorFilter implements ExceptionFilter {
  constructor(
    private readonly metrics: PlaybackMetrics,
    @Inject(PLAYBACK_LOGGER) private readonly logger: Logger,
  ) {}

  catch(err: PlaybackError | StorageUnavailableError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const status = err instanceof PlaybackError ? err.status : 503;
    const reason = err instanceof PlaybackError ? err.reason : 'StorageUnavailable';
    this.metrics.errors.inc({ reason });
    if (status >= 500) {
      this.logger.error({ err, url: req.url, reason }, 'failed a playback request');
    }
    if (status === 503) reply.header('retry-after', '5');
    void reply
      .code(status)
      .header('cache-control', 'no-store')
      .send({ reason, message: err.message });
  }
}
