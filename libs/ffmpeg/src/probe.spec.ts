import probes from './fixtures/probes.json';
import { parseProbe } from './probe';

/** Real ffprobe output of test/fixtures/media/recipes.ts (regenerate: make-probe-fixtures.ts). */
const probe = (name: keyof typeof probes) => parseProbe(probes[name]);

describe('parseProbe on real ffprobe output', () => {
  it('reads a mp4 with H.264 and AAC', () => {
    expect(probe('av-360p.mp4')).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      demuxer: 'mov',
      durationSeconds: 3,
      sizeBytes: 771132,
      streamCount: 2,
      video: {
        index: 0,
        codec: 'h264',
        codedWidth: 640,
        codedHeight: 360,
        width: 640,
        height: 360,
        rotation: 0,
        frameRate: { num: 30, den: 1 },
        averageFrameRate: { num: 30, den: 1 },
        variableFrameRate: false,
        interlaced: false,
      },
      audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 44100 },
    });
  });

  it('treats cover art in an mp3 as no video at all', () => {
    const media = probe('audio-cover.mp3');
    expect(media.demuxer).toBe('mp3');
    expect(media.video).toBeUndefined();
    expect(media.audio).toEqual({ index: 0, codec: 'mp3', channels: 1, sampleRate: 44100 });
    expect(media.streamCount).toBe(2);
    expect(media.durationSeconds).toBe(3.030204);
  });

  it('swaps width and height of a rotated video', () => {
    const v = probe('rotated.mp4').video!;
    expect([v.codedWidth, v.codedHeight, v.width, v.height, v.rotation]).toEqual([
      640, 360, 360, 640, 270,
    ]);
  });

  it('applies the sample aspect ratio of anamorphic video', () => {
    const v = probe('anamorphic.mp4').video!;
    expect([v.codedWidth, v.codedHeight, v.width, v.height]).toEqual([720, 576, 1024, 576]);
  });

  it('flags a variable frame rate when the average and nominal rates disagree', () => {
    const v = probe('vfr.mp4').video!;
    expect(v.variableFrameRate).toBe(true);
    expect(v.frameRate).toEqual({ num: 30, den: 1 });
    expect(v.averageFrameRate).toEqual({ num: 375, den: 22 });
    expect(probe('sixty-fps.mp4').video!.variableFrameRate).toBe(false);
  });

  it('keeps odd sizes as they are (the planner makes them even)', () => {
    const v = probe('odd-size.mkv').video!;
    expect([v.width, v.height, v.codec]).toEqual([321, 241, 'ffv1']);
    expect(probe('odd-size.mkv').demuxer).toBe('matroska');
  });
});

describe('parseProbe rejections', () => {
  const stream = {
    index: 0,
    codec_type: 'video',
    codec_name: 'h264',
    width: 64,
    height: 64,
    r_frame_rate: '25/1',
  };
  it.each([
    [
      'a playlist container',
      { format: { format_name: 'hls' }, streams: [stream] },
      'unsupported container: hls',
    ],
    [
      'concat',
      { format: { format_name: 'concat' }, streams: [stream] },
      'unsupported container: concat',
    ],
    [
      'an image',
      { format: { format_name: 'png_pipe' }, streams: [stream] },
      'unsupported container: png_pipe',
    ],
    [
      'a container with only data streams',
      {
        format: { format_name: 'mpegts', duration: '3' },
        streams: [{ index: 0, codec_type: 'data' }],
      },
      'no decodable audio or video stream',
    ],
    [
      'a video stream without a size',
      { format: { format_name: 'mpegts', duration: '3' }, streams: [{ ...stream, width: 0 }] },
      'no decodable audio or video stream',
    ],
    [
      'a stream with an unknown codec',
      {
        format: { format_name: 'avi', duration: '3' },
        streams: [{ ...stream, codec_name: 'none' }],
      },
      'no decodable audio or video stream',
    ],
    [
      'no duration',
      { format: { format_name: 'mpegts' }, streams: [stream] },
      'the source has no known duration',
    ],
    ['not an ffprobe answer', { hello: 1 }, 'not a media file: the probe found no container'],
  ])('refuses %s', (_, json, message) => {
    expect(() => parseProbe(json)).toThrow(
      expect.objectContaining({ reason: 'InvalidInput', message }),
    );
  });
});
