import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { StorageUnavailableError } from '@kubevod/storage';
import { KubernetesUnavailableError } from '../videos/transcode-errors';
import { ApiError } from './api-error';
import { toApiError } from './to-api-error';

const body = (err: unknown) => toApiError(err)?.toBody();

describe('toApiError', () => {
  it('keeps our own errors as they are', () => {
    const e = new ApiError(409, 'NotFailed', 'x');
    expect(toApiError(e)).toBe(e);
  });

  it('turns unavailable dependencies into 503 with a reason', () => {
    expect(body(new StorageUnavailableError('storage unavailable: ECONNREFUSED'))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      reason: 'StorageUnavailable',
      message: 'object storage is unavailable: storage unavailable: ECONNREFUSED',
    });
    expect(body(new KubernetesUnavailableError('connect ECONNREFUSED'))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      reason: 'KubernetesUnavailable',
      message: 'the Kubernetes API is unavailable: connect ECONNREFUSED',
    });
  });

  it('gives framework errors our reasons', () => {
    expect(body(new NotFoundException('Cannot GET /x'))).toMatchObject({
      statusCode: 404,
      reason: 'RouteNotFound',
    });
    const fastify415 = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    expect(body(fastify415)).toMatchObject({ statusCode: 415, reason: 'UnsupportedContentType' });
    const fastify413 = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(body(fastify413)).toMatchObject({ statusCode: 413, reason: 'PayloadTooLarge' });
  });

  it('leaves unexpected failures and foreign 5xx to the caller (logged as 500 or passed through)', () => {
    expect(toApiError(new Error('boom'))).toBeUndefined();
    expect(toApiError(new ServiceUnavailableException())).toBeUndefined();
    expect(toApiError('a string')).toBeUndefined();
  });
});
