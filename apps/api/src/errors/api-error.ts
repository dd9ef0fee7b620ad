import { HttpException } from '@nestjs/common';
import type { FieldError } from '@kubevod/contracts';

/**
 * Every error the API answers with has this body. `reason` is a CamelCase machine-readable code
 * (see API_ERROR_REASONS); `message` is for people; `fields` lists what was wrong with the input.
 */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  reason: string;
  message: string;
  fields?: FieldError[];
}

/** The reasons the API answers with, by status. Documented in apps/api/README.md. */
export const API_ERROR_REASONS = {
  400: [
    'InvalidOptions',
    'InvalidMultipart',
    'MissingFile',
    'EmptyFile',
    'InvalidLabelSelector',
    'InvalidQuery',
    'InvalidUploadRequest',
  ],
  401: ['MissingApiKey', 'MalformedAuthorization'],
  403: ['InvalidApiKey'],
  404: ['VideoNotFound', 'RouteNotFound', 'UploadNotFound'],
  409: [
    'NotFailed',
    'VideoDeleting',
    'AlreadyExists',
    'Conflict',
    'UploadOffsetMismatch',
    'IdempotencyKeyInUse',
  ],
  410: ['ContinueTokenExpired', 'UploadGone'],
  412: ['TusVersionUnsupported'],
  413: ['PayloadTooLarge'],
  415: ['UnsupportedMediaType', 'UnsupportedContentType'],
  460: ['ChecksumMismatch'],
  500: ['InternalError'],
  503: ['StorageUnavailable', 'KubernetesUnavailable'],
} as const;

export type ApiErrorReason = (typeof API_ERROR_REASONS)[keyof typeof API_ERROR_REASONS][number];

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  460: 'Checksum Mismatch',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const statusText = (status: number): string => STATUS_TEXT[status] ?? 'Error';

export class ApiError extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly reason: ApiErrorReason,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message, statusCode);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return {
      statusCode: this.statusCode,
      error: statusText(this.statusCode),
      reason: this.reason,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
    };
  }
}
