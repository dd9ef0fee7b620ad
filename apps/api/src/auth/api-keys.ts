import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors/api-error';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Splits the Secret's contents: keys separated by commas or newlines; blanks and `#` comments ignored. */
export function parseApiKeys(text: string): string[] {
  return text
    .split(/[,\n\r]+/)
    .map((k) => k.trim())
    .filter((k) => k.length > 0 && !k.startsWith('#'));
}

/** Who made the request: a short fingerprint of the key (never the key itself), or anonymous. */
export interface Caller {
  /** first 12 hex chars of sha256(key); safe to log */
  keyId: string;
}

export const ANONYMOUS: Caller = { keyId: 'anonymous' };

/**
 * Checks `Authorization: Bearer <key>` against the configured keys. Keys are held only as
 * sha256 digests and compared with timingSafeEqual over equal-length digests, against every
 * key (no early exit), so timing reveals neither the key nor which one matched.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(
    keys: string[],
    private readonly required: boolean,
  ) {
    this.digests = keys.map(sha256);
    if (required && this.digests.length === 0) {
      throw new Error('authentication is required but no API keys are configured');
    }
  }

  verify(authorization: string | undefined): Caller {
    if (!this.required) return ANONYMOUS;
    if (authorization === undefined || authorization.trim() === '') {
      throw new ApiError(
        401,
        'MissingApiKey',
        'an API key is required: send the header "Authorization: Bearer <key>"',
      );
    }
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization);
    if (!match) {
      throw new ApiError(
        401,
        'MalformedAuthorization',
        'the Authorization header must be "Bearer <key>"',
      );
    }
    const presented = sha256(match[1]);
    let ok = false;
    for (const digest of this.digests) ok = timingSafeEqual(digest, presented) || ok;
    if (!ok) throw new ApiError(403, 'InvalidApiKey', 'the API key is not valid');
    return { keyId: presented.toString('hex').slice(0, 12) };
  }
}
