import type { EncodePlan } from './ladder';
import type { MeasuredSegment, RenditionBitrate } from './package';
import { toNumber } from './rational';

/**
 * A VOD media playlist over fMP4 (CMAF) segments. Version 7 for EXT-X-MAP with fMP4; the
 * target duration is the longest EXTINF rounded to the nearest integer, as RFC 8216 4.3.3.1 asks.
 */
export function buildMediaPlaylist(segments: readonly MeasuredSegment[], initUri: string): string {
  const target = Math.max(1, ...segments.map((s) => Math.round(s.durationSeconds)));
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${initUri}"`,
    ...segments.flatMap((s) => [`#EXTINF:${s.durationSeconds.toFixed(6)},`, s.file]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/**
 * The master playlist. Audio is a separate rendition group (EXT-X-MEDIA) shared by every video
 * variant; with several audio renditions each gets its own group and every video variant is
 * listed once per group, so a player can pair any rung with any audio bitrate. Audio-only
 * outputs list the audio renditions as the variants.
 */
export function buildMasterPlaylist(
  plan: EncodePlan,
  bitrates: ReadonlyMap<string, RenditionBitrate>,
): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const audio = plan.audio?.renditions ?? [];
  const video = plan.video?.renditions ?? [];
  const bw = (name: string) => bitrates.get(name)!;

  if (video.length === 0) {
    for (const a of audio) {
      lines.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${bw(a.name).peak},AVERAGE-BANDWIDTH=${bw(a.name).average},CODECS="${a.codecs}"`,
        `${a.name}/index.m3u8`,
      );
    }
    return lines.join('\n') + '\n';
  }

  for (const a of audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${a.name}",NAME="${a.name}",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${a.channels}",URI="${a.name}/index.m3u8"`,
    );
  }
  const frameRate = toNumber(plan.video!.frameRate).toFixed(3);
  const groups = audio.length > 0 ? audio : [undefined];
  for (const a of groups) {
    for (const v of video) {
      const peak = bw(v.name).peak + (a ? bw(a.name).peak : 0);
      const average = bw(v.name).average + (a ? bw(a.name).average : 0);
      const codecs = a ? `${v.codecs},${a.codecs}` : v.codecs;
      const attrs = [
        `BANDWIDTH=${peak}`,
        `AVERAGE-BANDWIDTH=${average}`,
        `CODECS="${codecs}"`,
        `RESOLUTION=${v.width}x${v.height}`,
        `FRAME-RATE=${frameRate}`,
        ...(a ? [`AUDIO="${a.name}"`] : []),
      ];
      lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, `${v.name}/index.m3u8`);
    }
  }
  return lines.join('\n') + '\n';
}
