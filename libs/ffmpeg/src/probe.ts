import { z } from 'zod';
import { demuxerFor } from './containers';
import { invalidInput } from './errors';
import { parseRational, toNumber, type Rational } from './rational';

/** What the worker needs to know about a source, parsed from `ffprobe -show_format -show_streams`. */
export interface MediaInfo {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
  formatName: string;
  /** the demuxer the encode pins with `-f` (from the allow-list) */
  demuxer: string;
  durationSeconds: number;
  sizeBytes?: number;
  /** every stream in the container, including ones we ignore */
  streamCount: number;
  video?: VideoInfo;
  audio?: AudioInfo;
}

export interface VideoInfo {
  /** absolute stream index in the container */
  index: number;
  codec: string;
  codedWidth: number;
  codedHeight: number;
  /** display size: sample aspect ratio applied, then rotation */
  width: number;
  height: number;
  /** clockwise degrees as displayed: 0, 90, 180 or 270 */
  rotation: number;
  /** nominal rate (r_frame_rate) */
  frameRate: Rational;
  /** average rate, when the container knows it */
  averageFrameRate?: Rational;
  /** timestamps are irregular: the nominal and average rates disagree */
  variableFrameRate: boolean;
  interlaced: boolean;
}

export interface AudioInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
}

const StreamSchema = z
  .object({
    index: z.number().int(),
    codec_type: z.string().optional(),
    codec_name: z.string().optional(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    sample_aspect_ratio: z.string().optional(),
    r_frame_rate: z.string().optional(),
    avg_frame_rate: z.string().optional(),
    field_order: z.string().optional(),
    channels: z.number().int().optional(),
    sample_rate: z.string().optional(),
    duration: z.string().optional(),
    disposition: z.object({ attached_pic: z.number().optional() }).loose().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    side_data_list: z.array(z.object({ rotation: z.number().optional() }).loose()).optional(),
  })
  .loose();

const ProbeSchema = z.object({
  streams: z.array(StreamSchema).default([]),
  format: z
    .object({
      format_name: z.string(),
      duration: z.string().optional(),
      size: z.string().optional(),
      nb_streams: z.number().int().optional(),
    })
    .loose(),
});

/**
 * Turns ffprobe's JSON into MediaInfo, or throws a MediaRejectedError (InvalidInput) naming what
 * is wrong: not a container we accept, no decodable stream, no duration.
 */
export function parseProbe(json: unknown): MediaInfo {
  const parsed = ProbeSchema.safeParse(json);
  if (!parsed.success) throw invalidInput('not a media file: the probe found no container');
  const { streams, format } = parsed.data;
  const demuxer = demuxerFor(format.format_name);
  if (!demuxer) throw invalidInput(`unsupported container: ${format.format_name}`);

  const videoStream = streams.find(
    (s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1 && known(s.codec_name),
  );
  const audioStream = streams.find((s) => s.codec_type === 'audio' && known(s.codec_name));
  const video = videoStream && parseVideo(videoStream);
  const audio = audioStream && parseAudio(audioStream);
  if (!video && !audio) throw invalidInput('no decodable audio or video stream');

  const durationSeconds = firstPositive(
    format.duration,
    videoStream?.duration,
    audioStream?.duration,
  );
  if (durationSeconds === undefined) throw invalidInput('the source has no known duration');

  const size = Number(format.size);
  return {
    formatName: format.format_name,
    demuxer,
    durationSeconds,
    ...(Number.isFinite(size) && size >= 0 ? { sizeBytes: size } : {}),
    streamCount: Math.max(format.nb_streams ?? 0, streams.length),
    ...(video ? { video } : {}),
    ...(audio ? { audio } : {}),
  };
}

type Stream = z.infer<typeof StreamSchema>;

function known(codec: string | undefined): codec is string {
  return !!codec && codec !== 'none' && codec !== 'unknown';
}

function parseVideo(s: Stream): VideoInfo | undefined {
  const codedWidth = s.width ?? 0;
  const codedHeight = s.height ?? 0;
  const frameRate = parseRational(s.r_frame_rate) ?? parseRational(s.avg_frame_rate);
  if (codedWidth <= 0 || codedHeight <= 0 || !frameRate) return undefined;
  const averageFrameRate = parseRational(s.avg_frame_rate);
  const rotation = rotationOf(s);
  // Non-square pixels: the display width is the coded width times the sample aspect ratio.
  const sar = parseSar(s.sample_aspect_ratio);
  const displayWidth = Math.max(2, Math.round((codedWidth * sar.num) / sar.den));
  const swap = rotation === 90 || rotation === 270;
  return {
    index: s.index,
    codec: s.codec_name!,
    codedWidth,
    codedHeight,
    width: swap ? codedHeight : displayWidth,
    height: swap ? displayWidth : codedHeight,
    rotation,
    frameRate,
    ...(averageFrameRate ? { averageFrameRate } : {}),
    variableFrameRate:
      !!averageFrameRate &&
      Math.abs(toNumber(averageFrameRate) - toNumber(frameRate)) > 0.01 * toNumber(frameRate),
    interlaced: ['tt', 'bb', 'tb', 'bt'].includes(s.field_order ?? ''),
  };
}

function parseAudio(s: Stream): AudioInfo | undefined {
  const channels = s.channels ?? 0;
  const sampleRate = Number(s.sample_rate);
  if (channels <= 0 || !(sampleRate > 0)) return undefined;
  return { index: s.index, codec: s.codec_name!, channels, sampleRate };
}

function parseSar(text: string | undefined): Rational {
  const m = /^(\d+):(\d+)$/.exec(text ?? '');
  const num = Number(m?.[1]);
  const den = Number(m?.[2]);
  return num > 0 && den > 0 ? { num, den } : { num: 1, den: 1 };
}

/**
 * ffprobe reports the display matrix rotation counter-clockwise (side data, newer) or the
 * legacy `rotate` tag clockwise; both become clockwise degrees in 0..270.
 */
function rotationOf(s: Stream): number {
  const side = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const degrees = side !== undefined ? -side : Number(s.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  const normalised = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
  return normalised;
}

function firstPositive(...values: (string | undefined)[]): number | undefined {
  for (const v of values) {
    const n = Number(v);
    if (v !== undefined && Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}
