import { DEMUXER_WHITELIST } from './containers';
import type { EncodePlan } from './ladder';
import { formatRational } from './rational';

/** Options of the encode that are configuration, not media facts. */
export interface EncodeOptions {
  /** the scratch file name of the source, relative to ffmpeg's working directory: ours, never a user's */
  input: string;
  /** output directory relative to ffmpeg's working directory */
  outputDir: string;
  /** x264 preset, e.g. veryfast, medium */
  preset: string;
  /** largest single allocation ffmpeg may make, in bytes: a decode bomb fails instead of eating memory */
  maxAllocBytes: number;
}

const SAFE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** `file:` plus a name we generated: ffmpeg never sees a URL, a protocol prefix or a user's name. */
function localFile(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`not a scratch file name: ${name}`);
  return `file:${name}`;
}

/**
 * Where ffmpeg writes each rendition's playlist. The init segment's name is read from that
 * playlist: ffmpeg 5.1 names it init.mp4 for one variant but init_<index>.mp4 for several (and
 * does not expand %v in it when there is only one), so it is published as <rendition>/init.mp4.
 */
export const FFMPEG_OUTPUT = {
  playlist: (rendition: string) => `${rendition}/index.m3u8`,
};

/**
 * ffprobe's argv: only the local file protocol and only the allow-listed demuxers may be used
 * while probing, so a playlist or a reference inside the data cannot make it open anything else.
 */
export function probeArgs(input: string, maxAllocBytes: number): string[] {
  return [
    '-hide_banner',
    '-v',
    'error',
    '-max_alloc',
    String(maxAllocBytes),
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    DEMUXER_WHITELIST,
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    localFile(input),
  ];
}

/**
 * ffmpeg's argv for the whole ladder in ONE process: decode once, split, scale and encode every
 * video rung, encode audio once, and write CMAF (fMP4) segments with one closed GOP per segment
 * through the hls muxer. The master playlist and the MPD are generated afterwards from the
 * segment list (manifests.ts), so both reference the same segments.
 */
export function encodeArgs(plan: EncodePlan, options: EncodeOptions): string[] {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    // any decode error ends the run: a corrupt or truncated source fails instead of publishing a part
    '-xerror',
    '-max_alloc',
    String(options.maxAllocBytes),
    '-progress',
    'pipe:1',
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    plan.demuxer,
    '-f',
    plan.demuxer,
    '-i',
    localFile(options.input),
  ];
  const streamMap: string[] = [];
  const video = plan.video;
  if (video) {
    args.push('-filter_complex', videoFilter(plan));
    video.renditions.forEach((r, i) => {
      args.push('-map', `[v${i}]`);
      streamMap.push(`v:${i},name:${r.name}`);
    });
  }
  plan.audio?.renditions.forEach((r, i) => {
    args.push('-map', `0:${plan.audio!.sourceIndex}`);
    streamMap.push(`a:${i},name:${r.name}`);
  });
  if (video) {
    const gop = String(video.gopFrames);
    args.push('-c:v', 'libx264', '-preset', options.preset, '-profile:v', 'high');
    video.renditions.forEach((r, i) => {
      args.push(
        `-level:v:${i}`,
        r.level,
        `-crf:v:${i}`,
        String(r.crf),
        `-maxrate:v:${i}`,
        `${r.maxrateKbps}k`,
        `-bufsize:v:${i}`,
        `${r.bufsizeKbps}k`,
      );
    });
    args.push(
      '-g',
      gop,
      '-keyint_min',
      gop,
      '-sc_threshold',
      '0',
      '-flags',
      '+cgop',
      '-force_key_frames',
      `expr:gte(t,n_forced*${plan.segmentSeconds})`,
    );
  }
  if (plan.audio) {
    args.push('-c:a', 'aac');
    plan.audio.renditions.forEach((r, i) => {
      args.push(`-b:a:${i}`, `${r.bitrateKbps}k`, `-ac:a:${i}`, String(r.channels));
      args.push(`-ar:a:${i}`, String(r.sampleRate));
    });
  }
  const out = options.outputDir;
  args.push(
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-f',
    'hls',
    '-hls_time',
    String(plan.segmentSeconds),
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
    `${out}/%v/seg-%05d.m4s`,
    '-var_stream_map',
    streamMap.join(' '),
    `${out}/%v/index.m3u8`,
  );
  return args;
}

/** Decode once, then one branch per rung: `[0:i]fps=30,split=2[s0][s1];[s0]scale=...[v0];...` */
export function videoFilter(plan: EncodePlan): string {
  const video = plan.video!;
  const head = [
    ...(video.deinterlace ? ['yadif=deint=interlaced'] : []),
    `fps=${formatRational(video.frameRate)}`,
  ];
  const scale = (w: number, h: number) => `scale=${w}:${h}:flags=bicubic,setsar=1,format=yuv420p`;
  const n = video.renditions.length;
  if (n === 1) {
    const r = video.renditions[0];
    return `[0:${video.sourceIndex}]${[...head, scale(r.width, r.height)].join(',')}[v0]`;
  }
  const splits = video.renditions.map((_, i) => `[s${i}]`).join('');
  const branches = video.renditions.map((r, i) => `[s${i}]${scale(r.width, r.height)}[v${i}]`);
  return [`[0:${video.sourceIndex}]${head.join(',')},split=${n}${splits}`, ...branches].join(';');
}
