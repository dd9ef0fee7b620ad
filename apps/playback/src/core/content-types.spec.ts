import { CACHE_CONTROL, mediaType } from './content-types';

describe('mediaType', () => {
  it.each([
    ['master.m3u8', 'application/vnd.apple.mpegurl', 'manifest'],
    ['manifest.mpd', 'application/dash+xml', 'manifest'],
    ['720p/seg-00001.m4s', 'video/iso.segment', 'segment'],
    ['720p/init.mp4', 'video/mp4', 'segment'],
    ['audio/init.M4A', 'audio/mp4', 'segment'],
  ])('%s -> %s (%s)', (path, contentType, kind) => {
    expect(mediaType(path)).toEqual({ contentType, kind });
  });

  it.each(['ready.json', 'noext', 'dir.m3u8/file', 'x.exe'])('serves nothing for %s', (p) => {
    expect(mediaType(p)).toBeUndefined();
  });

  it('caches manifests briefly and segments for a year', () => {
    expect(CACHE_CONTROL).toEqual({
      manifest: 'public, max-age=10',
      segment: 'public, max-age=31536000, immutable',
    });
  });
});
