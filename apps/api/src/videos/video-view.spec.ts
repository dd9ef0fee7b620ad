import type { Condition, ConditionReason, ReadyRecord, Transcode } from '@kubevod/contracts';
import { viewFromReadyRecord, viewFromTranscode } from './video-view';

const base: Transcode = {
  apiVersion: 'media.kubevod.io/v1alpha1',
  kind: 'Transcode',
  metadata: {
    name: 'vabc',
    creationTimestamp: '2026-11-02T10:00:00Z',
    annotations: { 'media.kubevod.io/original-filename': 'cat.mp4' },
  },
  spec: {
    source: { bucket: 'kubevod', key: 'sources/vabc/source' },
    formats: ['hls', 'dash'],
    ladder: { profile: 'default' },
    priority: 0,
    deletionPolicy: 'Delete',
    sourceDeletionPolicy: 'Retain',
    labels: { team: 'blue' },
  },
};
const ctx = { playbackUrl: 'http://play.local/' };
const cond = (
  type: Condition['type'],
  status: Condition['status'],
  reason: ConditionReason,
  message: string,
): Condition => ({ type, status, reason, message, lastTransitionTime: '2026-11-02T10:01:00Z' });

describe('viewFromTranscode', () => {
  it('shows a new Transcode as Pending with no playback yet', () => {
    expect(viewFromTranscode(base, ctx)).toEqual({
      id: 'vabc',
      origin: 'transcode',
      phase: 'Pending',
      formats: ['hls', 'dash'],
      labels: { team: 'blue' },
      filename: 'cat.mp4',
      createdAt: '2026-11-02T10:00:00Z',
      statusUrl: '/v1/videos/vabc',
    });
  });

  it('shows progress and the Progressing reason while running', () => {
    const t: Transcode = {
      ...base,
      status: {
        phase: 'Running',
        attempt: 0,
        progress: { percent: 42, speed: 1.5, renditions: [{ name: '720p', percent: 40 }] },
        conditions: [
          cond('Progressing', 'True', 'Encoding', 'encoding 3 renditions'),
          cond('Ready', 'False', 'Encoding', ''),
        ],
      },
    };
    expect(viewFromTranscode(t, ctx)).toMatchObject({
      phase: 'Running',
      reason: 'Encoding',
      message: 'encoding 3 renditions',
      progress: { percent: 42, speed: 1.5, renditions: [{ name: '720p', percent: 40 }] },
      attempt: 0,
    });
    expect(viewFromTranscode(t, ctx).playback).toBeUndefined();
  });

  it('gives the Failed reason precedence', () => {
    const t: Transcode = {
      ...base,
      status: {
        phase: 'Failed',
        conditions: [
          cond('Progressing', 'False', 'JobFailed', 'stopped'),
          cond('Failed', 'True', 'InvalidInput', 'ffprobe found no video or audio stream'),
        ],
      },
    };
    expect(viewFromTranscode(t, ctx)).toMatchObject({
      phase: 'Failed',
      reason: 'InvalidInput',
      message: 'ffprobe found no video or audio stream',
    });
  });

  it('adds renditions, manifests and playback URLs when Succeeded', () => {
    const renditions = [
      { name: '360p', width: 640, height: 360, bitrateKbps: 800, codecs: 'avc1.64001e,mp4a.40.2' },
    ];
    const t: Transcode = {
      ...base,
      metadata: { ...base.metadata, deletionTimestamp: '2026-11-02T11:00:00Z' },
      status: {
        phase: 'Succeeded',
        completionTime: '2026-11-02T10:05:00Z',
        conditions: [cond('Ready', 'True', 'Succeeded', 'published')],
        outputs: {
          bucket: 'kubevod',
          prefix: 'videos/vabc/',
          manifests: { hls: 'videos/vabc/master.m3u8' },
          readyRecord: 'videos/vabc/ready.json',
          renditions,
        },
      },
    };
    expect(viewFromTranscode(t, ctx)).toMatchObject({
      phase: 'Succeeded',
      reason: 'Succeeded',
      progress: { percent: 100 },
      deleting: true,
      publishedAt: '2026-11-02T10:05:00Z',
      renditions,
      manifests: { hls: 'videos/vabc/master.m3u8' },
      playback: { url: 'http://play.local/v1/play/vabc', watchUrl: 'http://play.local/watch/vabc' },
    });
    expect(viewFromTranscode(t, {}).playback).toBeUndefined();
  });
});

describe('viewFromReadyRecord', () => {
  it('describes a published video whose Transcode is gone', () => {
    const record: ReadyRecord = {
      videoId: 'vold',
      publishedAt: '2026-10-01T00:00:00Z',
      durationSeconds: 12,
      formats: ['dash'],
      bucket: 'kubevod',
      prefix: 'videos/vold/',
      manifests: { dash: 'videos/vold/manifest.mpd' },
      renditions: [],
      source: { durationSeconds: 12 },
      files: [],
      labels: { team: 'red' },
    };
    expect(viewFromReadyRecord(record, ctx)).toEqual({
      id: 'vold',
      origin: 'published',
      phase: 'Succeeded',
      reason: 'Succeeded',
      message: 'published; the Transcode has since been removed',
      progress: { percent: 100 },
      formats: ['dash'],
      labels: { team: 'red' },
      publishedAt: '2026-10-01T00:00:00Z',
      source: { durationSeconds: 12 },
      renditions: [],
      manifests: { dash: 'videos/vold/manifest.mpd' },
      statusUrl: '/v1/videos/vold',
      playback: { url: 'http://play.local/v1/play/vold', watchUrl: 'http://play.local/watch/vold' },
    });
  });
});
