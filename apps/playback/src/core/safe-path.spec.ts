import { isVideoId, outputKey, relativeToPrefix, safeOutputPath } from './safe-path';

describe('isVideoId', () => {
  it.each([
    ['a', true],
    ['my-video-1', true],
    ['x'.repeat(63), true],
    ['x'.repeat(64), false],
    ['-a', false],
    ['a-', false],
    ['A', false],
    ['a.b', false],
    ['a_b', false],
    ['', false],
    ['..', false],
  ])('%j -> %s', (id, ok) => expect(isVideoId(id)).toBe(ok));
});

describe('safeOutputPath / outputKey', () => {
  it.each(['master.m3u8', 'manifest.mpd', '720p/init.mp4', 'stream0/seg-00001.m4s', 'a/b/c.m4s'])(
    'accepts %s',
    (p) => expect(outputKey('v1', p)).toBe(`videos/v1/${p}`),
  );

  it.each([
    '',
    '..',
    '../other/master.m3u8',
    '720p/../../x',
    './master.m3u8',
    '.hidden',
    '720p//seg.m4s',
    '/etc/passwd',
    'a\\b',
    'seg%2f.m4s',
    'x'.repeat(513),
    'sp ace.m4s',
  ])('refuses %j with 400 InvalidPath', (p) => {
    expect(() => safeOutputPath(p)).toThrow(
      expect.objectContaining({ status: 400, reason: 'InvalidPath' }),
    );
  });
});

describe('relativeToPrefix', () => {
  it('accepts keys under the prefix and relative keys, and nothing else', () => {
    expect(relativeToPrefix('v1', 'videos/v1/master.m3u8')).toBe('master.m3u8');
    expect(relativeToPrefix('v1', '720p/seg-1.m4s')).toBe('720p/seg-1.m4s');
    expect(relativeToPrefix('v1', 'videos/v2/master.m3u8')).toBeUndefined();
    expect(relativeToPrefix('v1', 'videos/v1/../v2/x.m4s')).toBeUndefined();
    expect(relativeToPrefix('v1', '/master.m3u8')).toBeUndefined();
  });
});
