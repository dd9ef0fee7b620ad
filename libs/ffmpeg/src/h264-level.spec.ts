import { h264Codecs, h264LevelFor } from './h264-level';

describe('h264LevelFor', () => {
  it.each([
    [640, 360, 30, 700, '3.0', 'avc1.64001e'],
    [1280, 720, 30, 3000, '3.1', 'avc1.64001f'],
    [1280, 720, 60, 3000, '3.2', 'avc1.640020'],
    [1920, 1080, 30, 5000, '4.0', 'avc1.640028'],
    [1920, 1080, 30, 30_000, '4.1', 'avc1.640029'],
    [1920, 1080, 60, 5000, '4.2', 'avc1.64002a'],
    [3840, 2160, 30, 20_000, '5.1', 'avc1.640033'],
  ])('%ix%i@%i %ik -> level %s (%s)', (w, h, fps, kbps, level, codecs) => {
    const l = h264LevelFor(w, h, fps, kbps);
    expect(l.level).toBe(level);
    expect(h264Codecs(l)).toBe(codecs);
  });
});
