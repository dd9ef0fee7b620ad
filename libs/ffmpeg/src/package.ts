import type { OutputFormat, PublishedRendition } from '@kubevod/contracts';
import type { AudioRendition, EncodePlan, VideoRendition } from './ladder';
import { buildMasterPlaylist, buildMediaPlaylist } from './hls-manifests';
import { buildMpd } from './dash-manifest';

/** One encoded segment, as measured on disk. */
export interface MeasuredSegment {
  /** name ffmpeg gave it, e.g. seg-00001.m4s (kept as published) */
  file: string;
  durationSeconds: number;
  bytes: number;
}

/** One rendition's encoded files, as measured on disk after the encode. */
export interface MeasuredRendition {
  name: string;
  /** ffmpeg's init segment name in the rendition directory, e.g. init_720p.mp4 */
  initFile: string;
  segments: MeasuredSegment[];
}

/** Stages of publishing, in the order they go out (see the worker's publisher). */
export type PublishStage = 'media' | 'playlist' | 'manifest';

/** A file to publish: from the encode's output directory, or generated text. */
export interface PublishFile {
  /** path under the video's prefix, e.g. 720p/seg-00001.m4s */
  path: string;
  stage: PublishStage;
  contentType: string;
  /** path under the encode's output directory; absent for generated files */
  localPath?: string;
  /** contents of generated files (playlists, MPD) */
  content?: string;
}

export interface PackagedOutput {
  files: PublishFile[];
  renditions: PublishedRendition[];
  durationSeconds: number;
  manifests: { hls?: string; dash?: string };
}

export interface RenditionBitrate {
  /** peak segment bitrate, bit/s */
  peak: number;
  /** whole-rendition average, bit/s */
  average: number;
}

export const LAYOUT = {
  master: 'master.m3u8',
  mpd: 'manifest.mpd',
  init: (rendition: string) => `${rendition}/init.mp4`,
  segment: (rendition: string, file: string) => `${rendition}/${file}`,
  playlist: (rendition: string) => `${rendition}/index.m3u8`,
} as const;

const CONTENT_TYPE = {
  m3u8: 'application/vnd.apple.mpegurl',
  mpd: 'application/dash+xml',
  videoMp4: 'video/mp4',
  audioMp4: 'audio/mp4',
  segment: 'video/iso.segment',
};

/**
 * Lays the encoded renditions out for publishing and generates the manifests over the SAME
 * segments: per-rendition HLS media playlists, the HLS master playlist and the DASH MPD.
 */
export function packageOutputs(
  plan: EncodePlan,
  measured: readonly MeasuredRendition[],
  formats: readonly OutputFormat[],
): PackagedOutput {
  const byName = new Map(measured.map((m) => [m.name, m]));
  const get = (name: string) => {
    const m = byName.get(name);
    if (!m || m.segments.length === 0) throw new Error(`rendition ${name} produced no segment`);
    return m;
  };
  const video = (plan.video?.renditions ?? []).map((r) => ({ r, m: get(r.name) }));
  const audio = (plan.audio?.renditions ?? []).map((r) => ({ r, m: get(r.name) }));
  const bitrates = new Map(
    [...video, ...audio].map(({ r, m }) => [
      r.name,
      measureBitrate(m.segments, plan.segmentSeconds),
    ]),
  );

  const files: PublishFile[] = [];
  for (const { r, m } of [...video, ...audio]) {
    const isAudio = !('width' in r);
    files.push({
      path: LAYOUT.init(r.name),
      stage: 'media',
      contentType: isAudio ? CONTENT_TYPE.audioMp4 : CONTENT_TYPE.videoMp4,
      localPath: `${r.name}/${m.initFile}`,
    });
    for (const s of m.segments) {
      files.push({
        path: LAYOUT.segment(r.name, s.file),
        stage: 'media',
        contentType: CONTENT_TYPE.segment,
        localPath: `${r.name}/${s.file}`,
      });
    }
  }

  const manifests: PackagedOutput['manifests'] = {};
  if (formats.includes('hls')) {
    for (const { r, m } of [...video, ...audio]) {
      files.push({
        path: LAYOUT.playlist(r.name),
        stage: 'playlist',
        contentType: CONTENT_TYPE.m3u8,
        content: buildMediaPlaylist(m.segments, 'init.mp4'),
      });
    }
    files.push({
      path: LAYOUT.master,
      stage: 'manifest',
      contentType: CONTENT_TYPE.m3u8,
      content: buildMasterPlaylist(plan, bitrates),
    });
    manifests.hls = LAYOUT.master;
  }
  const durationSeconds = Math.max(
    ...[...video, ...audio].map(({ m }) => totalDuration(m.segments)),
  );
  if (formats.includes('dash')) {
    files.push({
      path: LAYOUT.mpd,
      stage: 'manifest',
      contentType: CONTENT_TYPE.mpd,
      content: buildMpd(plan, measured, bitrates, durationSeconds),
    });
    manifests.dash = LAYOUT.mpd;
  }

  return {
    files,
    renditions: publishedRenditions(video, audio, bitrates),
    durationSeconds: round3(durationSeconds),
    manifests,
  };
}

/**
 * Peak = the highest bitrate of any segment, as HLS's BANDWIDTH requires; a short tail segment
 * is left out when there are others (its keyframe over a fraction of a second is not a rate a
 * player sustains).
 */
export function measureBitrate(
  segments: readonly MeasuredSegment[],
  segmentSeconds: number,
): RenditionBitrate {
  const rate = (s: MeasuredSegment) => (s.bytes * 8) / Math.max(s.durationSeconds, 0.001);
  const full = segments.filter((s) => s.durationSeconds >= segmentSeconds / 2);
  const counted = full.length > 0 ? full : segments;
  const peak = Math.max(...counted.map(rate));
  const bytes = segments.reduce((sum, s) => sum + s.bytes, 0);
  const average = (bytes * 8) / Math.max(totalDuration(segments), 0.001);
  return { peak: Math.ceil(peak), average: Math.ceil(average) };
}

function publishedRenditions(
  video: { r: VideoRendition }[],
  audio: { r: AudioRendition }[],
  bitrates: Map<string, RenditionBitrate>,
): PublishedRendition[] {
  // A video rung is advertised (HLS BANDWIDTH/CODECS) together with the audio it plays with.
  const mainAudio = audio[0]?.r;
  const audioPeak = mainAudio ? bitrates.get(mainAudio.name)!.peak : 0;
  return [
    ...video.map(({ r }) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      bitrateKbps: Math.ceil((bitrates.get(r.name)!.peak + audioPeak) / 1000),
      codecs: mainAudio ? `${r.codecs},${mainAudio.codecs}` : r.codecs,
    })),
    ...audio.map(({ r }) => ({
      name: r.name,
      bitrateKbps: Math.ceil(bitrates.get(r.name)!.peak / 1000),
      codecs: r.codecs,
    })),
  ];
}

export function totalDuration(segments: readonly { durationSeconds: number }[]): number {
  return segments.reduce((sum, s) => sum + s.durationSeconds, 0);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
