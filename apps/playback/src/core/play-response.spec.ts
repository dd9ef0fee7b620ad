import { buildPlayResponse, matchesEtag, playResponseKey } from './play-response';

const CORS = [
  'access-control-allow-origin',
  'https://app.example.test',
  'access-control-expose-headers',
  'Content-Length, Content-Range, Accept-Ranges, ETag',
];

describe('buildPlayResponse', () => {
  it('builds a manifest answer and its 304', () => {
    const body = Buffer.from('#EXTM3U\n');
    const r = buildPlayResponse(
      {
        kind: 'manifest',
        body,
        etag: '"abc"',
        contentType: 'application/vnd.apple.mpegurl',
      },
      'https://app.example.test',
    );
    expect(r).toEqual({
      status: 200,
      headers: [
        ...CORS,
        'vary',
        'User-Agent, Accept',
        'content-type',
        'application/vnd.apple.mpegurl',
        'cache-control',
        'public, max-age=10',
        'etag',
        '"abc"',
        'content-length',
        '8',
      ],
      body,
      etag: '"abc"',
      notModifiedHeaders: [
        ...CORS,
        'vary',
        'User-Agent, Accept',
        'content-type',
        'application/vnd.apple.mpegurl',
        'cache-control',
        'public, max-age=10',
        'etag',
        '"abc"',
      ],
    });
  });

  it('builds a redirect with no body and no validator', () => {
    const r = buildPlayResponse(
      { kind: 'redirect', location: 'https://cdn.example.test/videos/v/master.m3u8' },
      'https://app.example.test',
    );
    expect(r).toEqual({
      status: 302,
      headers: [
        ...CORS,
        'vary',
        'User-Agent, Accept',
        'location',
        'https://cdn.example.test/videos/v/master.m3u8',
        'cache-control',
        'private, max-age=10',
        'content-length',
        '0',
      ],
      body: Buffer.alloc(0),
    });
  });
});

describe('matchesEtag', () => {
  it('matches the tag, a list holding it, its weak form and *', () => {
    expect(matchesEtag('"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('"x", "abc"', '"abc"')).toBe(true);
    expect(matchesEtag('"x",W/"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('*', '"abc"')).toBe(true);
  });

  it('does not match anything else', () => {
    expect(matchesEtag(undefined, '"abc"')).toBe(false);
    expect(matchesEtag('', '"abc"')).toBe(false);
    expect(matchesEtag('"abcd"', '"abc"')).toBe(false);
    expect(matchesEtag('abc', '"abc"')).toBe(false);
    expect(matchesEtag('"x", "y"', '"abc"')).toBe(false);
  });
});

describe('playResponseKey', () => {
  it('keys on the path with its query, the User-Agent and Accept', () => {
    expect(playResponseKey('/v1/play/v?format=hls', 'UA', 'application/dash+xml')).toBe(
      '/v1/play/v?format=hls\nUA\napplication/dash+xml',
    );
    expect(playResponseKey('/v1/play/v', undefined, undefined)).toBe('/v1/play/v\n\n');
    // the separator cannot be forged: header values never hold a newline
    expect(playResponseKey('/v1/play/v', 'a', undefined)).not.toBe(
      playResponseKey('/v1/play/v', undefined, 'a'),
    );
  });

  it('does not key very large requests', () => {
    expect(playResponseKey('/v1/play/v', 'x'.repeat(2048), undefined)).toBeUndefined();
  });
});
