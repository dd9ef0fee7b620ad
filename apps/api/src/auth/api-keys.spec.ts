import { createHash } from 'node:crypto';
import { ApiError } from '../errors/api-error';
import { ANONYMOUS, ApiKeyVerifier, parseApiKeys } from './api-keys';

function failure(fn: () => unknown): { status: number; reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError)
      return { status: err.statusCode, reason: err.reason, message: err.message };
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('parseApiKeys', () => {
  it('splits on commas and newlines, trims, drops blanks and comments', () => {
    expect(parseApiKeys(' k1, k2 ,,\n# rotated 2026-11\nk3\r\n\n')).toEqual(['k1', 'k2', 'k3']);
    expect(parseApiKeys('')).toEqual([]);
  });
});

describe('ApiKeyVerifier', () => {
  const verifier = new ApiKeyVerifier(['first-key', 'second-key'], true);

  it('accepts every configured key and names the caller by a fingerprint, not the key', () => {
    const fp = (k: string) => createHash('sha256').update(k).digest('hex').slice(0, 12);
    expect(verifier.verify('Bearer first-key')).toEqual({ keyId: fp('first-key') });
    expect(verifier.verify('bearer second-key')).toEqual({ keyId: fp('second-key') });
  });

  it('says 401 MissingApiKey without a header', () => {
    expect(failure(() => verifier.verify(undefined))).toMatchObject({
      status: 401,
      reason: 'MissingApiKey',
    });
    expect(failure(() => verifier.verify('  '))).toMatchObject({
      status: 401,
      reason: 'MissingApiKey',
    });
  });

  it.each(['Basic Zmlyc3Q6a2V5', 'first-key', 'Bearer', 'Bearer two words'])(
    'says 401 MalformedAuthorization for %j',
    (header) => {
      expect(failure(() => verifier.verify(header))).toEqual({
        status: 401,
        reason: 'MalformedAuthorization',
        message: 'the Authorization header must be "Bearer <key>"',
      });
    },
  );

  it('says 403 InvalidApiKey for a wrong key, including a prefix of a right one', () => {
    for (const key of ['wrong', 'first-ke', 'first-key2']) {
      expect(failure(() => verifier.verify(`Bearer ${key}`))).toEqual({
        status: 403,
        reason: 'InvalidApiKey',
        message: 'the API key is not valid',
      });
    }
  });

  it('never puts the presented key into the error', () => {
    const { message } = failure(() => verifier.verify('Bearer s3cr3t-guess'));
    expect(message).not.toContain('s3cr3t');
  });

  it('lets everyone in as anonymous when authentication is off', () => {
    const open = new ApiKeyVerifier([], false);
    expect(open.verify(undefined)).toBe(ANONYMOUS);
    expect(open.verify('Bearer anything')).toBe(ANONYMOUS);
  });

  it('refuses to start when authentication is required and there are no keys', () => {
    expect(() => new ApiKeyVerifier([], true)).toThrow(/no API keys are configured/);
  });
});
