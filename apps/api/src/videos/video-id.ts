import { createHash, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_CHARS = 12;

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/**
 * A new video id: `v` + 12 base32 characters (60 random bits). It is a DNS label, so it is also
 * the Transcode's name, and it always starts with a letter.
 */
export function newVideoId(random: (n: number) => Uint8Array = randomBytes): string {
  return `v${base32(random(8), ID_CHARS)}`;
}

/**
 * The id a request with an Idempotency-Key gets: derived from the caller and the key, so a
 * retry (even a concurrent one) lands on the same Transcode name and the apiserver's
 * AlreadyExists settles who was first.
 */
export function idempotentVideoId(callerKeyId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${callerKeyId}\n${idempotencyKey}`).digest();
  return `v${base32(digest, ID_CHARS)}`;
}

/** A label value (at most 63 characters) naming the idempotency key without revealing it. */
export function idempotencyLabelValue(callerKeyId: string, idempotencyKey: string): string {
  return createHash('sha256')
    .update(`${callerKeyId}\n${idempotencyKey}`)
    .digest('hex')
    .slice(0, 63);
}
