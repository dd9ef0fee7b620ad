import type { FieldError } from '@kubevod/contracts';
import { ApiError } from '../errors/api-error';

/** The Kubernetes API could not be reached or answered with a server error. */
export class KubernetesUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubernetesUnavailableError';
  }
}

/** The name is taken: with an Idempotency-Key this means the request was already served. */
export class TranscodeExistsError extends Error {
  constructor(readonly videoId: string) {
    super(`Transcode ${videoId} already exists`);
    this.name = 'TranscodeExistsError';
  }
}

/** The Transcode does not exist (the repository answers undefined/false for it). */
export class TranscodeNotFoundError extends Error {
  constructor(message = 'not found') {
    super(message);
    this.name = 'TranscodeNotFoundError';
  }
}

/** What the apiserver answered: its HTTP code and Status body; no code means it was not reached. */
export interface KubeFailure {
  statusCode?: number;
  body?: unknown;
  message: string;
  /** the original error, kept on KubernetesUnavailableError for the logs */
  cause?: unknown;
}

interface KubeStatus {
  message?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

/**
 * Maps an apiserver failure to what the API answers. `create` names the Transcode being
 * created: a 409 then means the name is taken, and a 404 means the namespace or the CRD is
 * missing (the cluster is not set up for us), not a missing video.
 */
export function toTranscodeError(failure: KubeFailure, create?: { name?: string }): Error {
  const code = failure.statusCode;
  const cause = { cause: failure.cause };
  if (code === undefined) return new KubernetesUnavailableError(failure.message, cause);
  const status = statusOf(failure.body);
  if (code === 404 && !create) return new TranscodeNotFoundError(status?.message);
  if (code === 409 && create?.name) return new TranscodeExistsError(create.name);
  if (code === 409) {
    return new ApiError(
      409,
      'Conflict',
      `the video changed at the same time; try again (${status?.message ?? 'conflict'})`,
    );
  }
  if (code === 410) {
    return new ApiError(
      410,
      'ContinueTokenExpired',
      'the continue token has expired; list again from the start',
    );
  }
  if (code === 422) {
    const fields: FieldError[] = (status?.details?.causes ?? []).map((c) => ({
      path: (c.field ?? '(root)').replace(/^spec\./, ''),
      message: c.message ?? 'invalid',
    }));
    return new ApiError(
      400,
      'InvalidOptions',
      `the Transcode was rejected: ${status?.message ?? 'invalid'}`,
      fields,
    );
  }
  if (code === 400 && /continue/i.test(status?.message ?? '')) {
    return new ApiError(400, 'InvalidQuery', `invalid continue token: ${status?.message}`);
  }
  return new KubernetesUnavailableError(
    `apiserver answered ${code}: ${status?.message ?? ''}`,
    cause,
  );
}

function statusOf(body: unknown): KubeStatus | undefined {
  if (typeof body === 'object' && body !== null) return body as KubeStatus;
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as KubeStatus;
  } catch {
    return { message: body };
  }
}
