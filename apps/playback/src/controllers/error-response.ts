import { StorageUnavailableError } from '@kubevod/storage';
import type { FastifyReply } from 'fastify';
import { PlaybackError, type PlaybackReason } from '../core/playback-error';

export interface ErrorResponse {
  status: number;
  reason: PlaybackReason;
  message: string;
}

/** The JSON answer for a refusal or a storage outage; undefined for anything else (a bug). */
export function errorResponse(err: unknown): ErrorResponse | undefined {
  if (err instanceof PlaybackError) {
    return { status: err.status, reason: err.reason, message: err.message };
  }
  if (err instanceof StorageUnavailableError) {
    return { status: 503, reason: 'StorageUnavailable', message: err.message };
  }
  return undefined;
}

export function sendError(reply: FastifyReply, e: ErrorResponse): FastifyReply {
  if (e.status === 503) reply.header('retry-after', '5');
  return reply
    .code(e.status)
    .header('cache-control', 'no-store')
    .send({ reason: e.reason, message: e.message });
}
