import { ApiError } from '../errors/api-error';
import {
  KubernetesUnavailableError,
  toTranscodeError,
  TranscodeExistsError,
  TranscodeNotFoundError,
} from './transcode-errors';

const status = (message: string, causes?: { field?: string; message?: string }[]) => ({
  kind: 'Status',
  message,
  ...(causes ? { details: { causes } } : {}),
});

describe('toTranscodeError', () => {
  it('no HTTP answer (refused, reset, timed out) is KubernetesUnavailable, keeping the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const err = toTranscodeError({ message: cause.message, cause });
    expect(err).toBeInstanceOf(KubernetesUnavailableError);
    expect(err.message).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(err.cause).toBe(cause);
  });

  it('404 is a missing video, except on create, where the namespace or CRD is missing', () => {
    const body = status('transcodes.media.kubevod.io "v1" not found');
    const missing = toTranscodeError({ statusCode: 404, body, message: 'x' });
    expect(missing).toBeInstanceOf(TranscodeNotFoundError);
    expect(missing.message).toBe('transcodes.media.kubevod.io "v1" not found');

    const onCreate = toTranscodeError(
      { statusCode: 404, body: status('namespaces "gone" not found'), message: 'x' },
      { name: 'v1' },
    );
    expect(onCreate).toBeInstanceOf(KubernetesUnavailableError);
    expect(onCreate.message).toBe('apiserver answered 404: namespaces "gone" not found');
  });

  it('409 on create is the taken name; elsewhere a lost compare-and-swap', () => {
    const taken = toTranscodeError(
      { statusCode: 409, body: status('already exists'), message: 'x' },
      { name: 'vid-1' },
    );
    expect(taken).toBeInstanceOf(TranscodeExistsError);
    expect((taken as TranscodeExistsError).videoId).toBe('vid-1');

    const conflict = toTranscodeError({
      statusCode: 409,
      body: status('the object has been modified'),
      message: 'x',
    }) as ApiError;
    expect(conflict.toBody()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      reason: 'Conflict',
      message: 'the video changed at the same time; try again (the object has been modified)',
    });
  });

  it('410 is an expired continue token; 400 about continue is a bad one', () => {
    expect(
      (
        toTranscodeError({ statusCode: 410, body: status('too old'), message: 'x' }) as ApiError
      ).toBody(),
    ).toEqual({
      statusCode: 410,
      error: 'Gone',
      reason: 'ContinueTokenExpired',
      message: 'the continue token has expired; list again from the start',
    });
    expect(
      (
        toTranscodeError({
          statusCode: 400,
          body: status('invalid continue token: illegal base64'),
          message: 'x',
        }) as ApiError
      ).toBody(),
    ).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      reason: 'InvalidQuery',
      message: 'invalid continue token: invalid continue token: illegal base64',
    });
  });

  it('422 becomes 400 InvalidOptions with the field paths of the spec', () => {
    const err = toTranscodeError({
      statusCode: 422,
      body: status('Transcode.media.kubevod.io "v" is invalid', [
        { field: 'spec.ladder.renditions[0].height', message: 'must be even' },
        { message: 'no field' },
      ]),
      message: 'x',
    }) as ApiError;
    expect(err.toBody()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      reason: 'InvalidOptions',
      message: 'the Transcode was rejected: Transcode.media.kubevod.io "v" is invalid',
      fields: [
        { path: 'ladder.renditions[0].height', message: 'must be even' },
        { path: '(root)', message: 'no field' },
      ],
    });
  });

  it('other codes (401, 403, 5xx) and text bodies are KubernetesUnavailable', () => {
    const forbidden = toTranscodeError({
      statusCode: 403,
      body: status('transcodes is forbidden'),
      message: 'x',
    });
    expect(forbidden).toBeInstanceOf(KubernetesUnavailableError);
    expect(forbidden.message).toBe('apiserver answered 403: transcodes is forbidden');

    const text = toTranscodeError({ statusCode: 503, body: 'etcd unavailable', message: 'x' });
    expect(text).toBeInstanceOf(KubernetesUnavailableError);
    expect(text.message).toBe('apiserver answered 503: etcd unavailable');

    const none = toTranscodeError({ statusCode: 500, message: 'x' });
    expect(none.message).toBe('apiserver answered 500: ');
  });
});
