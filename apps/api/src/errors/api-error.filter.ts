import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from './api-error';
import { toApiError } from './to-api-error';

/** Every error leaves the API as `{ statusCode, error, reason, message, fields? }`. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    const mapped = toApiError(exception);
    if (!mapped && exception instanceof HttpException) {
      // e.g. terminus' 503 from /readyz: its body is the probe report, keep it.
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    }
    const error =
      mapped ??
      new ApiError(500, 'InternalError', 'the request failed unexpectedly; see the api logs');
    if (!mapped) this.logger.error({ err: exception }, 'request failed unexpectedly');
    else if (error.statusCode >= 500)
      this.logger.warn({ reason: error.reason, err: exception }, 'dependency was unavailable');
    // An upload refused midway still has bytes in flight: do not keep reading them.
    if (error.statusCode === 413 || error.statusCode === 415) reply.header('Connection', 'close');
    void reply.status(error.statusCode).send(error.toBody());
  }
}
