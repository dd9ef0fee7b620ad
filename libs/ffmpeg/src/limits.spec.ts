import probes from './fixtures/probes.json';
import { checkLimits, type MediaLimits } from './limits';
import { parseProbe } from './probe';

const limits: MediaLimits = {
  maxWidth: 1920,
  maxHeight: 1080,
  maxDurationSeconds: 60,
  maxFrameRate: 60,
  maxStreams: 4,
  maxSourceBytes: 10_000_000,
};
const av = parseProbe(probes['av-360p.mp4']);

describe('checkLimits', () => {
  it('accepts a source within every limit, portrait included', () => {
    expect(() => checkLimits(av, limits)).not.toThrow();
    const portrait = parseProbe(probes['portrait.mp4']);
    expect(() => checkLimits(portrait, { ...limits, maxWidth: 640, maxHeight: 360 })).not.toThrow();
  });

  it.each([
    ['size', { maxSourceBytes: 1000 }, 'source is 771132 bytes, above the limit of 1000'],
    ['streams', { maxStreams: 1 }, 'source has 2 streams, above the limit of 1'],
    ['duration', { maxDurationSeconds: 2 }, 'source lasts 3.0 s, above the limit of 2 s'],
    [
      'dimensions',
      { maxWidth: 320, maxHeight: 240 },
      'video is 640x360, above the limit of 320x240',
    ],
    ['frame rate', { maxFrameRate: 24 }, 'video runs at 30.00 fps, above the limit of 24'],
  ])('rejects a source beyond the %s limit', (_, override, message) => {
    expect(() => checkLimits(av, { ...limits, ...override })).toThrow(
      expect.objectContaining({ reason: 'LimitExceeded', message }),
    );
  });

  it('checks the coded size too: a decoder allocates the coded frame', () => {
    const anamorphic = parseProbe(probes['anamorphic.mp4']); // 720x576 coded, 1024x576 shown
    expect(() => checkLimits(anamorphic, { ...limits, maxWidth: 800, maxHeight: 600 })).toThrow(
      'video is 1024x576, above the limit of 800x600',
    );
    const squeezed = { ...anamorphic, video: { ...anamorphic.video!, width: 700 } };
    expect(() => checkLimits(squeezed, { ...limits, maxWidth: 710, maxHeight: 600 })).toThrow(
      'video is 720x576, above the limit of 710x600',
    );
  });
});
