import type { EncodePlan } from './ladder';
import type { MeasuredRendition, MeasuredSegment, RenditionBitrate } from './package';
import { formatRational } from './rational';

const VIDEO_TIMESCALE = 90_000;

/**
 * A static (VOD) DASH MPD over the same CMAF segments the HLS playlists list: one video and one
 * audio adaptation set, a SegmentTemplate with an explicit SegmentTimeline per representation
 * (exact durations; audio segments are whole AAC frames, so they are not exactly the target).
 */
export function buildMpd(
  plan: EncodePlan,
  measured: readonly MeasuredRendition[],
  bitrates: ReadonlyMap<string, RenditionBitrate>,
  durationSeconds: number,
): string {
  const segmentsOf = new Map(measured.map((m) => [m.name, m.segments]));
  const sets: string[] = [];
  let id = 0;
  if (plan.video) {
    const fr = formatRational(plan.video.frameRate);
    const reps = plan.video.renditions.map((v) =>
      [
        `      <Representation id="${xml(v.name)}" bandwidth="${bitrates.get(v.name)!.peak}" codecs="${v.codecs}" width="${v.width}" height="${v.height}" frameRate="${fr}" sar="1:1">`,
        segmentTemplate(v.name, VIDEO_TIMESCALE, segmentsOf.get(v.name)!),
        '      </Representation>',
      ].join('\n'),
    );
    const maxW = Math.max(...plan.video.renditions.map((v) => v.width));
    const maxH = Math.max(...plan.video.renditions.map((v) => v.height));
    sets.push(
      [
        `    <AdaptationSet id="${id++}" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="${maxW}" maxHeight="${maxH}" maxFrameRate="${fr}">`,
        ...reps,
        '    </AdaptationSet>',
      ].join('\n'),
    );
  }
  if (plan.audio) {
    const reps = plan.audio.renditions.map((a) =>
      [
        `      <Representation id="${xml(a.name)}" bandwidth="${bitrates.get(a.name)!.peak}" codecs="${a.codecs}" audioSamplingRate="${a.sampleRate}">`,
        `        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${a.channels}"/>`,
        segmentTemplate(a.name, a.sampleRate, segmentsOf.get(a.name)!),
        '      </Representation>',
      ].join('\n'),
    );
    sets.push(
      [
        `    <AdaptationSet id="${id++}" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" startWithSAP="1">`,
        '      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>',
        ...reps,
        '    </AdaptationSet>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${isoDuration(durationSeconds)}" minBufferTime="${isoDuration(plan.segmentSeconds)}">`,
    '  <Period id="0" start="PT0S">',
    ...sets,
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}

function segmentTemplate(
  name: string,
  timescale: number,
  segments: readonly MeasuredSegment[],
): string {
  const first = Number(/(\d+)\.m4s$/.exec(segments[0].file)?.[1] ?? 1);
  return [
    `        <SegmentTemplate timescale="${timescale}" initialization="${xml(name)}/init.mp4" media="${xml(name)}/seg-$Number%05d$.m4s" startNumber="${first}">`,
    '          <SegmentTimeline>',
    ...timeline(segments, timescale).map((s) => `            ${s}`),
    '          </SegmentTimeline>',
    '        </SegmentTemplate>',
  ].join('\n');
}

/**
 * `<S t d r>` entries. Start times are the rounded running sum of the durations, so rounding
 * never accumulates; runs of equal durations collapse into `r`.
 */
export function timeline(
  segments: readonly { durationSeconds: number }[],
  timescale: number,
): string[] {
  const starts: number[] = [0];
  let elapsed = 0;
  for (const s of segments) {
    elapsed += s.durationSeconds;
    starts.push(Math.round(elapsed * timescale));
  }
  const out: { t: number; d: number; r: number }[] = [];
  for (let i = 0; i < segments.length; i++) {
    const d = starts[i + 1] - starts[i];
    const last = out[out.length - 1];
    if (last && last.d === d) last.r++;
    else out.push({ t: starts[i], d, r: 0 });
  }
  return out.map((s) =>
    s.r > 0 ? `<S t="${s.t}" d="${s.d}" r="${s.r}"/>` : `<S t="${s.t}" d="${s.d}"/>`,
  );
}

export function isoDuration(seconds: number): string {
  return `PT${seconds.toFixed(3)}S`;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}
