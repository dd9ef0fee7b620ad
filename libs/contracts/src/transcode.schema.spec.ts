import { validateTranscodeSpec } from './validate';

const source = { bucket: 'kubevod-sources', key: 'sources/abc/source' };

describe('TranscodeSpec', () => {
  it('defaults formats, ladder, priority and deletion policies', () => {
    expect(validateTranscodeSpec({ source })).toEqual({
      ok: true,
      spec: {
        source,
        formats: ['hls', 'dash'],
        ladder: { profile: 'default' },
        priority: 0,
        deletionPolicy: 'Delete',
        sourceDeletionPolicy: 'Retain',
      },
    });
  });

  it('defaults codec and audio bitrate of explicit renditions, and allows audio-only ones', () => {
    const result = validateTranscodeSpec({
      source,
      ladder: {
        renditions: [{ name: '720p', height: 720, videoBitrateKbps: 3000 }, { name: 'audio' }],
      },
    });
    expect(result.ok && result.spec.ladder.renditions).toEqual([
      {
        name: '720p',
        height: 720,
        videoBitrateKbps: 3000,
        videoCodec: 'h264',
        audioBitrateKbps: 128,
      },
      { name: 'audio', videoCodec: 'h264', audioBitrateKbps: 128 },
    ]);
  });

  it.each([
    ['an unknown format', { source, formats: ['smooth'] }, 'formats.0'],
    [
      'a negative bitrate',
      { source, ladder: { renditions: [{ name: 'a', height: 720, videoBitrateKbps: -1 }] } },
      'ladder.renditions.0.videoBitrateKbps',
    ],
    ['an empty ladder', { source, ladder: { renditions: [] } }, 'ladder.renditions'],
    ['a bucket name that S3 refuses', { source: { bucket: 'A_b', key: 'k' } }, 'source.bucket'],
    ['an empty key', { source: { bucket: 'abc', key: '' } }, 'source.key'],
    [
      'a rendition name that is not a DNS label',
      { source, ladder: { renditions: [{ name: '../x' }] } },
      'ladder.renditions.0.name',
    ],
    ['a missing source', {}, 'source'],
    ['priority out of range', { source, priority: 1000 }, 'priority'],
  ])('rejects %s with the field path', (_what, input, path) => {
    const result = validateTranscodeSpec(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.path)).toContain(path);
  });
});
