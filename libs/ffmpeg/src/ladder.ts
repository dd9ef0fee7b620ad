import type { TranscodeSpec } from '@kubevod/contracts';
import { invalidInput } from './errors';
import { outputFrameRate } from './frame-rate';
import { AAC_LC_CODECS, h264Codecs, h264LevelFor } from './h264-level';
import {
  DEFAULT_CRF,
  EXPLICIT_LADDER_MAX_FRAME_RATE,
  LADDER_PROFILES_DEFINITION,
  type ProfileRung,
} from './ladder-profiles';
import type { MediaInfo, VideoInfo } from './probe';
import { toNumber, type Rational } from './rational';

export interface VideoRendition {
  name: string;
  width: number;
  height: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  crf: number;
  /** H.264 level, e.g. "3.1" */
  level: string;
  /** RFC 6381, e.g. avc1.64001f */
  codecs: string;
}

export interface AudioRendition {
  name: string;
  bitrateKbps: number;
  channels: number;
  sampleRate: number;
  codecs: string;
}

/** Everything the encode needs, decided from the probe and the spec: no I/O, asserted exactly. */
export interface EncodePlan {
  demuxer: string;
  durationSeconds: number;
  segmentSeconds: number;
  video?: {
    sourceIndex: number;
    frameRate: Rational;
    /** frames per segment: one closed GOP per segment, so every rendition cuts at the same time */
    gopFrames: number;
    deinterlace: boolean;
    renditions: VideoRendition[];
  };
  audio?: {
    sourceIndex: number;
    renditions: AudioRendition[];
  };
}

export interface PlanOptions {
  segmentSeconds: number;
}

/** Rungs within this fraction below a native rung are dropped: they would look the same. */
const NATIVE_NEIGHBOUR_RATIO = 0.9;
const AUDIO_SAMPLE_RATE = 48_000;
const MIN_NATIVE_MAXRATE_KBPS = 100;

/**
 * Plans the renditions. Source-aware: no rung above the source, a native rung when the source
 * sits between rungs, aspect ratio and rotation honoured (rungs size the short side), frame rate
 * capped. One AAC rendition is shared by all video renditions (CMAF style: a separate audio
 * track, HLS EXT-X-MEDIA group, DASH audio adaptation set), so audio is encoded once.
 */
export function planLadder(
  media: MediaInfo,
  ladder: TranscodeSpec['ladder'],
  options: PlanOptions,
): EncodePlan {
  const wanted = ladder.renditions ? explicitLadder(ladder.renditions) : profileLadder(ladder);
  const plan: EncodePlan = {
    demuxer: media.demuxer,
    durationSeconds: media.durationSeconds,
    segmentSeconds: options.segmentSeconds,
  };

  if (media.video && wanted.videoRungs.length > 0) {
    const frameRate = outputFrameRate(media.video, wanted.maxFrameRate);
    const fps = toNumber(frameRate);
    const rungs = ladder.renditions
      ? fitExplicitRungs(wanted.videoRungs, media.video)
      : fitProfileRungs(wanted.videoRungs, media.video);
    plan.video = {
      sourceIndex: media.video.index,
      frameRate,
      gopFrames: Math.max(1, Math.round(fps * options.segmentSeconds)),
      deinterlace: media.video.interlaced,
      renditions: rungs.map((r) => videoRendition(r, media.video!, fps)),
    };
  }

  if (media.audio && wanted.audio.length > 0) {
    const channels = Math.min(media.audio.channels, 2);
    plan.audio = {
      sourceIndex: media.audio.index,
      renditions: wanted.audio.map((a) => ({
        name: a.name,
        bitrateKbps: a.bitrateKbps,
        channels,
        sampleRate: AUDIO_SAMPLE_RATE,
        codecs: AAC_LC_CODECS,
      })),
    };
  }

  if (!plan.video && !plan.audio) {
    throw invalidInput(
      wanted.videoRungs.length === 0
        ? 'the ladder is audio only but the source has no audio stream'
        : 'the source has no stream the ladder can use',
    );
  }
  return plan;
}

interface WantedLadder {
  videoRungs: ProfileRung[];
  audio: { name: string; bitrateKbps: number }[];
  maxFrameRate: number;
}

function profileLadder(ladder: TranscodeSpec['ladder']): WantedLadder {
  const profile = LADDER_PROFILES_DEFINITION[ladder.profile ?? 'default'];
  return {
    videoRungs: [...profile.video],
    audio: [{ name: 'audio', bitrateKbps: profile.audioKbps }],
    maxFrameRate: profile.maxFrameRate,
  };
}

function explicitLadder(
  renditions: NonNullable<TranscodeSpec['ladder']['renditions']>,
): WantedLadder {
  const videoRungs: ProfileRung[] = [];
  const audio: WantedLadder['audio'] = [];
  for (const r of renditions) {
    if (r.height !== undefined && r.videoBitrateKbps !== undefined) {
      videoRungs.push({ name: r.name, size: r.height, maxrateKbps: r.videoBitrateKbps });
    } else {
      audio.push({ name: r.name, bitrateKbps: r.audioBitrateKbps });
    }
  }
  videoRungs.sort((a, b) => b.size - a.size);
  if (audio.length === 0) {
    // No explicit audio rendition: one shared track at the highest bitrate any rung asked for.
    const taken = new Set(renditions.map((r) => r.name));
    const bitrateKbps = Math.max(...renditions.map((r) => r.audioBitrateKbps));
    audio.push({ name: taken.has('audio') ? 'audio-aac' : 'audio', bitrateKbps });
  }
  return { videoRungs, audio, maxFrameRate: EXPLICIT_LADDER_MAX_FRAME_RATE };
}

/** Profile rungs: drop those above the source; add a native rung when it falls between two. */
function fitProfileRungs(rungs: ProfileRung[], video: VideoInfo): ProfileRung[] {
  const native = evenFloor(Math.min(video.width, video.height));
  if (native >= rungs[0].size) return rungs;
  if (rungs.some((r) => r.size === native)) return rungs.filter((r) => r.size <= native);
  const below = rungs.filter((r) => r.size <= native * NATIVE_NEIGHBOUR_RATIO);
  return [
    { name: `${native}p`, size: native, maxrateKbps: nativeMaxrate(rungs, native) },
    ...below,
  ];
}

/** Explicit rungs are honoured as given, minus those above the source (never upscale). */
function fitExplicitRungs(rungs: ProfileRung[], video: VideoInfo): ProfileRung[] {
  const native = evenFloor(Math.min(video.width, video.height));
  const kept = rungs.filter((r) => r.size <= native);
  if (kept.length > 0) return kept;
  // Every rung is above the source: keep the smallest one, at the source's own size.
  const smallest = rungs[rungs.length - 1];
  return [{ ...smallest, size: native }];
}

/** Interpolates the cap by height between the neighbouring rungs; below the ladder, by pixels. */
function nativeMaxrate(rungs: ProfileRung[], size: number): number {
  const above = [...rungs].reverse().find((r) => r.size > size)!;
  const below = rungs.find((r) => r.size < size);
  if (!below) {
    return Math.max(
      MIN_NATIVE_MAXRATE_KBPS,
      Math.round((above.maxrateKbps * (size * size)) / (above.size * above.size)),
    );
  }
  const t = (size - below.size) / (above.size - below.size);
  return Math.round(below.maxrateKbps + t * (above.maxrateKbps - below.maxrateKbps));
}

function videoRendition(rung: ProfileRung, video: VideoInfo, fps: number): VideoRendition {
  const { width, height } = sizeFor(rung.size, video);
  const level = h264LevelFor(width, height, fps, rung.maxrateKbps);
  return {
    name: rung.name,
    width,
    height,
    maxrateKbps: rung.maxrateKbps,
    bufsizeKbps: rung.maxrateKbps * 2,
    crf: DEFAULT_CRF,
    level: level.level,
    codecs: h264Codecs(level),
  };
}

/** The short side becomes `size`; the long side follows the display aspect ratio, even. */
export function sizeFor(size: number, video: Pick<VideoInfo, 'width' | 'height'>) {
  const landscape = video.width >= video.height;
  const aspect = video.width / video.height;
  return landscape
    ? { width: evenRound(size * aspect), height: size }
    : { width: size, height: evenRound(size / aspect) };
}

function evenRound(x: number): number {
  return Math.max(2, Math.round(x / 2) * 2);
}

function evenFloor(x: number): number {
  return Math.max(2, Math.floor(x / 2) * 2);
}
