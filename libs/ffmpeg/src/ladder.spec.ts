import probes from './fixtures/probes.json';
import { planLadder } from './ladder';
import { parseProbe } from './probe';

const media = (name: keyof typeof probes) => parseProbe(probes[name]);
const opts = { segmentSeconds: 4 };
const defaultLadder = { profile: 'default' as const };

/** A compact view of a plan: `name WxH maxrate level codecs`. */
function rungs(plan: ReturnType<typeof planLadder>) {
  return {
    video: plan.video?.renditions.map(
      (r) => `${r.name} ${r.width}x${r.height} ${r.maxrateKbps}k ${r.level} ${r.codecs}`,
    ),
    audio: plan.audio?.renditions.map(
      (r) => `${r.name} ${r.bitrateKbps}k ${r.channels}ch ${r.sampleRate}`,
    ),
    fps: plan.video && `${plan.video.frameRate.num}/${plan.video.frameRate.den}`,
    gop: plan.video?.gopFrames,
  };
}

describe('planLadder with the default profile', () => {
  it('plans the whole plan of a 360p source exactly', () => {
    expect(planLadder(media('av-360p.mp4'), defaultLadder, opts)).toEqual({
      demuxer: 'mov',
      durationSeconds: 3,
      segmentSeconds: 4,
      video: {
        sourceIndex: 0,
        frameRate: { num: 30, den: 1 },
        gopFrames: 120,
        deinterlace: false,
        renditions: [
          {
            name: '360p',
            width: 640,
            height: 360,
            maxrateKbps: 700,
            bufsizeKbps: 1400,
            crf: 23,
            level: '3.0',
            codecs: 'avc1.64001e',
          },
        ],
      },
      audio: {
        sourceIndex: 1,
        renditions: [
          { name: 'audio', bitrateKbps: 128, channels: 2, sampleRate: 48000, codecs: 'mp4a.40.2' },
        ],
      },
    });
  });

  it.each([
    [
      'a source on a rung keeps that rung and the ones below',
      'av-480p.mkv',
      {
        video: ['480p 854x480 1200k 3.0 avc1.64001e', '360p 640x360 700k 3.0 avc1.64001e'],
        audio: ['audio 128k 1ch 48000'],
        fps: '25/1',
        gop: 100,
      },
    ],
    [
      'a source below the ladder gets one native rung, its cap scaled by pixels',
      'video-only.mp4',
      { video: ['240p 320x240 311k 3.0 avc1.64001e'], audio: undefined, fps: '24/1', gop: 96 },
    ],
    [
      'a source between rungs gets a native rung with an interpolated cap (anamorphic shown 1024x576)',
      'anamorphic.mp4',
      {
        video: [
          '576p 1024x576 1920k 3.1 avc1.64001f',
          '480p 854x480 1200k 3.0 avc1.64001e',
          '360p 640x360 700k 3.0 avc1.64001e',
        ],
        audio: undefined,
        fps: '25/1',
        gop: 100,
      },
    ],
    [
      'portrait video sizes the short side',
      'portrait.mp4',
      {
        video: ['360p 360x640 700k 3.0 avc1.64001e'],
        audio: ['audio 128k 1ch 48000'],
        fps: '30/1',
        gop: 120,
      },
    ],
    [
      'rotation is honoured: shown upright, planned upright',
      'rotated.mp4',
      { video: ['360p 360x640 700k 3.0 avc1.64001e'], audio: undefined, fps: '30/1', gop: 120 },
    ],
    [
      'odd sizes become even',
      'odd-size.mkv',
      { video: ['240p 320x240 311k 3.0 avc1.64001e'], audio: undefined, fps: '25/1', gop: 100 },
    ],
    [
      'a variable frame rate becomes the next standard rate at or above its average',
      'vfr.mp4',
      {
        video: ['240p 320x240 311k 3.0 avc1.64001e'],
        audio: undefined,
        fps: '24000/1001',
        gop: 96,
      },
    ],
    [
      'an mp3 with cover art is audio only',
      'audio-cover.mp3',
      { video: undefined, audio: ['audio 128k 1ch 48000'], fps: undefined, gop: undefined },
    ],
  ])('%s', (_, name, expected) => {
    expect(rungs(planLadder(media(name as keyof typeof probes), defaultLadder, opts))).toEqual(
      expected,
    );
  });

  it('caps a large source at the top rung and uses H.264 levels that hold each rung', () => {
    const base = media('av-360p.mp4');
    const uhd = {
      ...base,
      video: { ...base.video!, width: 3840, height: 2160, codedWidth: 3840, codedHeight: 2160 },
    };
    expect(rungs(planLadder(uhd, defaultLadder, opts)).video).toEqual([
      '1080p 1920x1080 5000k 4.0 avc1.640028',
      '720p 1280x720 3000k 3.1 avc1.64001f',
      // 54x30 macroblocks at 30 fps = 48 600/s: above level 3.0's 40 500
      '480p 854x480 1200k 3.1 avc1.64001f',
      '360p 640x360 700k 3.0 avc1.64001e',
    ]);
  });

  it('drops a rung within 10 % below a native rung', () => {
    const base = media('av-360p.mp4');
    const v730 = { ...base, video: { ...base.video!, width: 1298, height: 730 } };
    expect(rungs(planLadder(v730, defaultLadder, opts)).video).toEqual([
      // 3000 + (730 - 720) / (1080 - 720) * (5000 - 3000); 82x46 macroblocks need level 3.2
      '730p 1298x730 3056k 3.2 avc1.640020',
      '480p 854x480 1200k 3.1 avc1.64001f',
      '360p 640x360 700k 3.0 avc1.64001e',
    ]);
  });
});

describe('planLadder with other profiles and explicit ladders', () => {
  it('mobile caps the frame rate at 30 by dropping every other frame of 60 fps', () => {
    expect(rungs(planLadder(media('sixty-fps.mp4'), { profile: 'mobile' }, opts))).toEqual({
      video: ['240p 320x240 300k 3.0 avc1.64001e'],
      audio: undefined,
      fps: '30/1',
      gop: 120,
    });
  });

  it('the audio profile drops the video', () => {
    expect(rungs(planLadder(media('av-360p.mp4'), { profile: 'audio' }, opts))).toEqual({
      video: undefined,
      audio: ['audio 128k 2ch 48000'],
      fps: undefined,
      gop: undefined,
    });
  });

  it('honours explicit rungs, drops those above the source and shares one audio track', () => {
    const ladder = {
      renditions: [
        {
          name: 'hd',
          height: 720,
          videoBitrateKbps: 3000,
          videoCodec: 'h264' as const,
          audioBitrateKbps: 128,
        },
        {
          name: 'sd',
          height: 240,
          videoBitrateKbps: 400,
          videoCodec: 'h264' as const,
          audioBitrateKbps: 96,
        },
      ],
    };
    expect(rungs(planLadder(media('av-360p.mp4'), ladder, opts))).toEqual({
      video: ['sd 426x240 400k 3.0 avc1.64001e'],
      audio: ['audio 128k 2ch 48000'],
      fps: '30/1',
      gop: 120,
    });
  });

  it('keeps the smallest explicit rung at the source size when every rung is above it', () => {
    const ladder = {
      renditions: [
        {
          name: 'hd',
          height: 720,
          videoBitrateKbps: 3000,
          videoCodec: 'h264' as const,
          audioBitrateKbps: 128,
        },
      ],
    };
    expect(rungs(planLadder(media('video-only.mp4'), ladder, opts)).video).toEqual([
      'hd 320x240 3000k 3.0 avc1.64001e',
    ]);
  });

  it('takes explicit audio-only renditions as the audio tracks', () => {
    const ladder = {
      renditions: [
        { name: 'aac-hi', videoCodec: 'h264' as const, audioBitrateKbps: 192 },
        { name: 'aac-lo', videoCodec: 'h264' as const, audioBitrateKbps: 64 },
      ],
    };
    expect(rungs(planLadder(media('audio-cover.mp3'), ladder, opts)).audio).toEqual([
      'aac-hi 192k 1ch 48000',
      'aac-lo 64k 1ch 48000',
    ]);
  });

  it('rejects an audio-only ladder for a source without audio', () => {
    expect(() => planLadder(media('video-only.mp4'), { profile: 'audio' }, opts)).toThrow(
      expect.objectContaining({
        reason: 'InvalidInput',
        message: 'the ladder is audio only but the source has no audio stream',
      }),
    );
  });
});
