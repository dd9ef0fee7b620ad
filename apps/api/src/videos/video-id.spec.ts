import { VIDEO_ID_PATTERN } from '@kubevod/contracts';
import { idempotencyLabelValue, idempotentVideoId, newVideoId } from './video-id';

describe('video ids', () => {
  it('encodes 60 random bits as v + 12 lowercase base32 characters', () => {
    expect(newVideoId((n) => new Uint8Array(n))).toBe('vaaaaaaaaaaaa');
    expect(newVideoId((n) => new Uint8Array(n).fill(0xff))).toBe('v777777777777');
    // 00000 00001 00010 ... 01011: the first 60 bits, 5 at a time
    expect(
      newVideoId(() => Uint8Array.from([0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6])),
    ).toBe('vabcdefghijkl');
  });

  it('gives DNS labels that differ between calls', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newVideoId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(VIDEO_ID_PATTERN);
      expect(id).toHaveLength(13);
    }
  });

  it('derives the same id for the same caller and idempotency key, and another for either changed', () => {
    const a = idempotentVideoId('caller1', 'order-42');
    expect(idempotentVideoId('caller1', 'order-42')).toBe(a);
    expect(idempotentVideoId('caller2', 'order-42')).not.toBe(a);
    expect(idempotentVideoId('caller1', 'order-43')).not.toBe(a);
    expect(a).toMatch(/^v[a-z2-7]{12}$/);
  });

  it('makes a label value of 63 hex characters from the idempotency key', () => {
    const v = idempotencyLabelValue(
      'caller1',
      'a key with spaces and a very long tail '.repeat(10),
    );
    expect(v).toMatch(/^[0-9a-f]{63}$/);
  });
});
