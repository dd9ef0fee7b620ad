import { signBody, verifySignature } from './webhook-signature';

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256> of the body (RFC 4231 test case 2)', () => {
    expect(signBody('Jefe', 'what do ya want for nothing?')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
  it('verifies only the exact body with the same secret', () => {
    const sig = signBody('s3cret-s3cret-s3cret', '{"a":1}');
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', sig)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":2}', sig)).toBe(false);
    expect(verifySignature('other-secret-other', '{"a":1}', sig)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', undefined)).toBe(false);
  });
});
