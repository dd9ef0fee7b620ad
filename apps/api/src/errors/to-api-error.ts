import { HttpException } from '@nestjs/common';
import { StorageUnavailableError } from '@kubevod/storage';
import { KubernetesUnavailableError } from '../videos/transcode-errors';
import { ApiError, type ApiErrorReason } from './api-error';

/** Reasons for errors raised by the framework (routing, body parsing) rather than by our code. */
const FRAMEWORK_REASONS: Record<number, ApiErrorReason> = {
  400: 'InvalidQuery',
  404: 'RouteNotFound',
  413: 'PayloadTooLarge',
  415: 'UnsupportedContentType',
};

/** Turns whatever was thrown into the API's typed error; `undefined` means an unexpected failure. */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageUnavailableError) {
    return new ApiError(503, 'StorageUnavailable', `object storage is unavailable: ${err.message}`);
  }
  if (err instanceof KubernetesUnavailableError) {
    return new ApiError(
      503,
      'KubernetesUnavailable',
      `the Kubernetes API is unavailable: ${err.message}`,
    );
  }
  const status =
    err instanceof HttpException
      ? err.getStatus()
      : typeof (err as { statusCode?: unknown })?.statusCode === 'number'
        ? (err as { statusCode: number }).statusCode
        : undefined;
  if (status === undefined || status >= 500) return undefined;
  const reason = FRAMEWORK_REASONS[status];
  if (!reason) return undefined;
  const message =
    status === 404 ? 'no such route' : err instanceof Error ? err.message : String(err);
  return new ApiError(status, reason, message);
}
