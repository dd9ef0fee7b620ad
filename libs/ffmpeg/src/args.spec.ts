import { encodeArgs, probeArgs, videoFilter } from './args';
import probes from './fixtures/probes.json';
import { planLadder } from './ladder';
import { parseProbe } from './probe';

const options = {
  input: 'source',
  outputDir: 'out',
  preset: 'veryfast',
  maxAllocBytes: 1073741824,
};
const plan = (name: keyof typeof probes, profile: 'default' | 'audio' = 'default') =>
  planLadder(parseProbe(probes[name]), { profile }, { segmentSeconds: 4 });

describe('probeArgs', () => {
  it('fences the probe to the local file and the allow-listed demuxers', () => {
    expect(probeArgs('source', 1073741824)).toEqual([
      '-hide_banner',
      '-v',
      'error',
      '-max_alloc',
      '1073741824',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov,matroska,mp3,avi,mpegts,flv,ogg,wav,aac,flac,mpeg,asf',
      '-show_format',
      '-show_streams',
      '-of',
      'json',
      'file:source',
    ]);
  });

  it('refuses anything but a plain scratch file name', () => {
    for (const bad of ['concat:a|b', '../etc/passwd', 'http://x/y', '/abs/path', '']) {
      expect(() => probeArgs(bad, 1)).toThrow('not a scratch file name');
    }
  });
});

describe('encodeArgs', () => {
  it('builds the one-pass ladder command exactly', () => {
    expect(encodeArgs(plan('anamorphic.mp4'), options)).toEqual([
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel',
      'error',
      '-xerror',
      '-max_alloc',
      '1073741824',
      '-progress',
      'pipe:1',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov',
      '-f',
      'mov',
      '-i',
      'file:source',
      '-filter_complex',
      '[0:0]fps=25,split=3[s0][s1][s2];' +
        '[s0]scale=1024:576:flags=bicubic,setsar=1,format=yuv420p[v0];' +
        '[s1]scale=854:480:flags=bicubic,setsar=1,format=yuv420p[v1];' +
        '[s2]scale=640:360:flags=bicubic,setsar=1,format=yuv420p[v2]',
      '-map',
      '[v0]',
      '-map',
      '[v1]',
      '-map',
      '[v2]',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'high',
      '-level:v:0',
      '3.1',
      '-crf:v:0',
      '23',
      '-maxrate:v:0',
      '1920k',
      '-bufsize:v:0',
      '3840k',
      '-level:v:1',
      '3.0',
      '-crf:v:1',
      '23',
      '-maxrate:v:1',
      '1200k',
      '-bufsize:v:1',
      '2400k',
      '-level:v:2',
      '3.0',
      '-crf:v:2',
      '23',
      '-maxrate:v:2',
      '700k',
      '-bufsize:v:2',
      '1400k',
      '-g',
      '100',
      '-keyint_min',
      '100',
      '-sc_threshold',
      '0',
      '-flags',
      '+cgop',
      '-force_key_frames',
      'expr:gte(t,n_forced*4)',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-f',
      'hls',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_type',
      'fmp4',
      '-hls_flags',
      'independent_segments',
      '-start_number',
      '1',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      'out/%v/seg-%05d.m4s',
      '-var_stream_map',
      'v:0,name:576p v:1,name:480p v:2,name:360p',
      'out/%v/index.m3u8',
    ]);
  });

  it('maps audio once per audio rendition, with its bitrate, channels and rate', () => {
    const args = encodeArgs(plan('audio-cover.mp3'), options);
    expect(args).not.toContain('-filter_complex');
    const from = args.indexOf('-map');
    expect(args.slice(from, args.indexOf('-map_metadata'))).toEqual([
      '-map',
      '0:0',
      '-c:a',
      'aac',
      '-b:a:0',
      '128k',
      '-ac:a:0',
      '1',
      '-ar:a:0',
      '48000',
    ]);
    expect(args[args.indexOf('-var_stream_map') + 1]).toBe('a:0,name:audio');
    expect(args[args.indexOf('-f') + 1]).toBe('mp3');
  });

  it('shares the audio track of an audio+video source in the stream map', () => {
    const args = encodeArgs(plan('av-480p.mkv'), options);
    expect(args[args.indexOf('-var_stream_map') + 1]).toBe(
      'v:0,name:480p v:1,name:360p a:0,name:audio',
    );
    expect(args.filter((a, i) => args[i - 1] === '-map')).toEqual(['[v0]', '[v1]', '0:1']);
  });
});

describe('videoFilter', () => {
  it('skips split for a single rung and deinterlaces only interlaced sources', () => {
    const p = plan('video-only.mp4');
    expect(videoFilter(p)).toBe(
      '[0:0]fps=24,scale=320:240:flags=bicubic,setsar=1,format=yuv420p[v0]',
    );
    p.video!.deinterlace = true;
    expect(videoFilter(p)).toBe(
      '[0:0]yadif=deint=interlaced,fps=24,scale=320:240:flags=bicubic,setsar=1,format=yuv420p[v0]',
    );
  });

  it('writes a fractional output rate exactly', () => {
    expect(videoFilter(plan('vfr.mp4'))).toBe(
      '[0:0]fps=24000/1001,scale=320:240:flags=bicubic,setsar=1,format=yuv420p[v0]',
    );
  });
});
