import { STUCK_REASONS, type ConditionReason } from '@kubevod/contracts';
import type { VideoView } from './api-client';

export interface PlaybackUrls {
  url: string;
  watchUrl: string;
}

/** The playback URLs of a ready video: KUBEVOD_PLAYBACK_URL wins over what the API was configured with. */
export function playbackUrls(
  video: VideoView,
  playbackUrl: string | undefined,
): PlaybackUrls | undefined {
  if (playbackUrl) {
    const base = playbackUrl.replace(/\/+$/, '');
    return { url: `${base}/v1/play/${video.id}`, watchUrl: `${base}/watch/${video.id}` };
  }
  return video.playback;
}

/** One line about where a video is: `Running 42% (Encoding)`; the message when it failed or is stuck. */
export function statusLine(video: VideoView): string {
  const percent = video.progress ? ` ${Math.floor(video.progress.percent)}%` : '';
  const telling =
    video.phase === 'Failed' || STUCK_REASONS.includes(video.reason as ConditionReason);
  const reason = video.reason
    ? ` (${video.reason}${video.message && telling ? `: ${video.message}` : ''})`
    : '';
  const deleting = video.deleting ? ' [deleting]' : '';
  return `${video.phase}${percent}${reason}${deleting}`;
}

/** `kubevod status ID`: a few aligned lines. */
export function statusReport(video: VideoView, playbackUrl: string | undefined): string {
  const rows: [string, string][] = [
    ['id', video.id],
    ['phase', statusLine(video)],
  ];
  if (video.filename) rows.push(['file', video.filename]);
  if (video.createdAt) rows.push(['created', video.createdAt]);
  if (video.publishedAt) rows.push(['published', video.publishedAt]);
  if (video.renditions?.length) {
    rows.push([
      'renditions',
      video.renditions
        .map((r) =>
          r.height
            ? `${r.name} ${r.width}x${r.height} ${r.bitrateKbps}k`
            : `${r.name} ${r.bitrateKbps}k`,
        )
        .join(', '),
    ]);
  }
  const labels = Object.entries(video.labels ?? {});
  if (labels.length) rows.push(['labels', labels.map(([k, v]) => `${k}=${v}`).join(',')]);
  const urls = video.phase === 'Succeeded' ? playbackUrls(video, playbackUrl) : undefined;
  if (urls) {
    rows.push(['play', urls.url], ['watch', urls.watchUrl]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/** `kubevod ls`: a table. */
export function videoTable(videos: VideoView[]): string {
  const rows = [['ID', 'PHASE', 'PROGRESS', 'REASON', 'CREATED', 'FILE']];
  for (const v of videos) {
    rows.push([
      v.id,
      v.phase + (v.deleting ? '*' : ''),
      v.progress ? `${Math.floor(v.progress.percent)}%` : '-',
      v.reason ?? '-',
      v.createdAt ?? '-',
      v.filename ?? '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '))
    .join('\n');
}
