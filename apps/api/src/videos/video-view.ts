import type {
  Condition,
  Phase,
  ProbedSource,
  PublishedRendition,
  ReadyRecord,
  Transcode,
} from '@kubevod/contracts';
import { ANNOTATIONS } from './transcode-manifest';

/** What the API says about a video: the same shape whether it comes from the Transcode or from storage. */
export interface VideoView {
  id: string;
  /** where the answer came from: the live Transcode, or the published record once it is gone */
  origin: 'transcode' | 'published';
  phase: Phase;
  reason?: string;
  message?: string;
  progress?: { percent: number; speed?: number; renditions?: { name: string; percent: number }[] };
  attempt?: number;
  deleting?: boolean;
  formats: string[];
  labels: Record<string, string>;
  filename?: string;
  createdAt?: string;
  publishedAt?: string;
  source?: ProbedSource;
  renditions?: PublishedRendition[];
  manifests?: { hls?: string; dash?: string };
  statusUrl: string;
  playback?: { url: string; watchUrl: string };
}

export interface ViewContext {
  /** base URL of the playback service, e.g. https://play.example.com; no playback URLs without it */
  playbackUrl?: string;
}

export const statusUrl = (id: string) => `/v1/videos/${id}`;

function playbackFor(id: string, ctx: ViewContext): VideoView['playback'] {
  if (!ctx.playbackUrl) return undefined;
  const base = ctx.playbackUrl.replace(/\/+$/, '');
  return { url: `${base}/v1/play/${id}`, watchUrl: `${base}/watch/${id}` };
}

const isTrue = (conditions: Condition[], type: Condition['type']) =>
  conditions.find((c) => c.type === type && c.status === 'True');

const toIso = (t: string | Date | undefined) =>
  t === undefined ? undefined : t instanceof Date ? t.toISOString() : t;

/** The reason that explains the phase: Failed wins, then Ready, then Progressing. */
function explanation(conditions: Condition[]): Pick<VideoView, 'reason' | 'message'> {
  const c =
    isTrue(conditions, 'Failed') ??
    isTrue(conditions, 'Ready') ??
    conditions.find((x) => x.type === 'Progressing');
  return c ? { reason: c.reason, message: c.message } : {};
}

export function viewFromTranscode(t: Transcode, ctx: ViewContext): VideoView {
  const id = t.metadata.name ?? '';
  const status = t.status ?? {};
  const phase = status.phase ?? 'Pending';
  const outputs = status.outputs;
  const ready = phase === 'Succeeded';
  const view: VideoView = {
    id,
    origin: 'transcode',
    phase,
    ...explanation(status.conditions ?? []),
    formats: t.spec.formats,
    labels: t.spec.labels ?? {},
    statusUrl: statusUrl(id),
  };
  if (status.progress) {
    view.progress = {
      percent: status.progress.percent,
      ...(status.progress.speed !== undefined ? { speed: status.progress.speed } : {}),
      ...(status.progress.renditions ? { renditions: status.progress.renditions } : {}),
    };
  } else if (ready) view.progress = { percent: 100 };
  if (status.attempt !== undefined) view.attempt = status.attempt;
  if (t.metadata.deletionTimestamp) view.deleting = true;
  const filename = t.metadata.annotations?.[ANNOTATIONS.filename];
  if (filename) view.filename = filename;
  const created = toIso(t.metadata.creationTimestamp);
  if (created) view.createdAt = created;
  if (status.completionTime && ready) view.publishedAt = status.completionTime;
  if (status.source) view.source = status.source;
  if (outputs) {
    view.renditions = outputs.renditions;
    view.manifests = outputs.manifests;
  }
  if (ready) {
    const playback = playbackFor(id, ctx);
    if (playback) view.playback = playback;
  }
  return view;
}

export function viewFromReadyRecord(r: ReadyRecord, ctx: ViewContext): VideoView {
  const view: VideoView = {
    id: r.videoId,
    origin: 'published',
    phase: 'Succeeded',
    reason: 'Succeeded',
    message: 'published; the Transcode has since been removed',
    progress: { percent: 100 },
    formats: r.formats,
    labels: r.labels ?? {},
    publishedAt: r.publishedAt,
    source: r.source,
    renditions: r.renditions,
    manifests: r.manifests,
    statusUrl: statusUrl(r.videoId),
  };
  const playback = playbackFor(r.videoId, ctx);
  if (playback) view.playback = playback;
  return view;
}
