import type { ProgressRecord, ReadyRecord } from '@kubevod/contracts';
import { failureOf, parseTerminationMessage, statusFromObservation } from './status-from-job';
import type { JobWire } from './wire';

const T0 = '2026-11-22T10:00:00.000Z';
const now = new Date('2026-11-22T10:05:00.000Z');
const NOW = now.toISOString();

const job = (status: JobWire['status']): JobWire => ({
  metadata: { name: 'intro-abcd1234-0' },
  status,
});
const failedJob = (reason: string, message = '') =>
  job({
    startTime: T0,
    failed: 1,
    conditions: [{ type: 'Failed', status: 'True', reason, message }],
  });
const base = { generation: 2, previous: undefined, now, attempt: 0, jobName: 'intro-abcd1234-0' };

const ready: ReadyRecord = {
  videoId: 'intro',
  publishedAt: '2026-11-22T10:04:00.000Z',
  durationSeconds: 30,
  formats: ['hls', 'dash'],
  bucket: 'kubevod',
  prefix: 'videos/intro/',
  manifests: { hls: 'videos/intro/master.m3u8', dash: 'videos/intro/manifest.mpd' },
  renditions: [
    { name: '720p', width: 1280, height: 720, bitrateKbps: 3000, codecs: 'avc1.64001f' },
  ],
  source: { durationSeconds: 30, width: 1920, height: 1080 },
  files: [],
};

/** status.outputs of a Transcode whose worker published `ready` */
const publishedOutputs = {
  bucket: 'kubevod',
  prefix: 'videos/intro/',
  manifests: ready.manifests,
  readyRecord: 'videos/intro/ready.json',
  renditions: ready.renditions,
};

const progress: ProgressRecord = {
  videoId: 'intro',
  attempt: 0,
  percent: 57.9,
  speed: 2.5,
  stage: 'encoding',
  renditions: [{ name: '720p', percent: 57.9 }],
  source: { durationSeconds: 30, width: 1920, height: 1080 },
  updatedAt: '2026-11-22T10:04:30.000Z',
};

const cond = (type: string, status: string, reason: string, message: string, at = NOW) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: at,
  observedGeneration: 2,
});

/** The status of a Transcode failed before any Job: no jobName, no start time, completed now. */
const refusedStatus = (reason: string, message: string) => ({
  phase: 'Failed',
  observedGeneration: 2,
  attempt: 0,
  completionTime: NOW,
  conditions: [
    cond('Ready', 'False', reason, message),
    cond('Progressing', 'False', reason, message),
    cond('Failed', 'True', reason, message),
  ],
});

/** The status of a Transcode whose Job exists and whose worker has not started. */
const pendingWithJob = (reason: string, message: string) => ({
  phase: 'Pending',
  observedGeneration: 2,
  attempt: 0,
  jobName: 'intro-abcd1234-0',
  startTime: T0,
  conditions: [
    cond('Ready', 'False', reason, message),
    cond('Progressing', 'True', reason, message),
  ],
});

describe('statusFromObservation', () => {
  it('invalid spec: Failed/InvalidSpec, no Job', () => {
    expect(
      statusFromObservation({
        ...base,
        jobName: undefined,
        invalid: ['spec.source: Required', 'x'],
      }),
    ).toEqual(refusedStatus('InvalidSpec', 'spec.source: Required; x'));
  });

  it('name held by another namespace: Failed/NameConflict, naming the holder', () => {
    const message =
      'the video id is taken: team-a/intro holds it (video ids are Transcode names, unique across the watched namespaces)';
    expect(
      statusFromObservation({ ...base, jobName: undefined, nameTakenBy: 'team-a/intro' }),
    ).toEqual(refusedStatus('NameConflict', message));
  });

  it('held back by the cap: Pending/ConcurrencyLimited', () => {
    expect(
      statusFromObservation({ ...base, jobName: undefined, waiting: 'ConcurrencyLimited' }),
    ).toEqual({
      phase: 'Pending',
      observedGeneration: 2,
      attempt: 0,
      conditions: [
        cond(
          'Ready',
          'False',
          'ConcurrencyLimited',
          'waiting for a free slot under the concurrency cap',
        ),
        cond(
          'Progressing',
          'True',
          'ConcurrencyLimited',
          'waiting for a free slot under the concurrency cap',
        ),
      ],
    });
  });

  it('Job created, pod not running yet: Pending/JobCreated with the Job name', () => {
    expect(statusFromObservation({ ...base, job: job({ startTime: T0, active: 1 }) })).toEqual(
      pendingWithJob('JobCreated', 'Job intro-abcd1234-0 created'),
    );
  });

  it('pod stuck before it runs: Pending with the reason and message of why', () => {
    const workerWaiting = {
      reason: 'Unschedulable' as const,
      message: 'the worker pod cannot be scheduled: 0/4 nodes are available: 2 Insufficient cpu.',
    };
    expect(
      statusFromObservation({ ...base, job: job({ startTime: T0, active: 1 }), workerWaiting }),
    ).toEqual(pendingWithJob('Unschedulable', workerWaiting.message));
  });

  it('worker reporting: Running/Encoding with progress and probed source', () => {
    const s = statusFromObservation({ ...base, job: job({ startTime: T0, active: 1 }), progress });
    expect(s.phase).toBe('Running');
    expect(s.progress).toEqual({
      percent: 57,
      speed: 2.5,
      renditions: [{ name: '720p', percent: 57.9 }],
      updatedAt: '2026-11-22T10:04:30.000Z',
    });
    expect(s.source).toEqual(progress.source);
    expect(s.conditions?.[0]).toEqual(
      cond('Ready', 'False', 'Encoding', 'the worker is running (encoding, 57%)'),
    );
  });

  it('Job complete with a ready record: Succeeded with outputs; Ready keeps its first transition', () => {
    const previous = statusFromObservation({ ...base, now: new Date(T0), job: job({ active: 1 }) });
    const s = statusFromObservation({
      ...base,
      previous,
      job: job({
        startTime: T0,
        completionTime: '2026-11-22T10:04:10.000Z',
        succeeded: 1,
        conditions: [{ type: 'Complete', status: 'True' }],
      }),
      ready,
    });
    expect(s).toEqual({
      phase: 'Succeeded',
      observedGeneration: 2,
      attempt: 0,
      jobName: 'intro-abcd1234-0',
      startTime: T0,
      completionTime: '2026-11-22T10:04:10.000Z',
      progress: { percent: 100, updatedAt: '2026-11-22T10:04:00.000Z' },
      source: ready.source,
      outputs: publishedOutputs,
      renditionCount: 1,
      conditions: [
        cond('Ready', 'True', 'Succeeded', 'published 1 renditions (hls, dash)'),
        // Progressing went True -> False: a transition now
        cond('Progressing', 'False', 'Succeeded', 'published 1 renditions (hls, dash)'),
      ],
    });
  });

  it('Job gone (TTL) but the ready record exists: Succeeded from the record, completed when published', () => {
    const previous = statusFromObservation({
      ...base,
      now: new Date(T0),
      job: job({ startTime: T0, active: 1, ready: 1 }),
    });
    const msg = 'published 1 renditions (hls, dash); its Job was already removed';
    expect(statusFromObservation({ ...base, previous, ready })).toEqual({
      phase: 'Succeeded',
      observedGeneration: 2,
      attempt: 0,
      jobName: 'intro-abcd1234-0',
      startTime: T0,
      completionTime: '2026-11-22T10:04:00.000Z',
      progress: { percent: 100, updatedAt: '2026-11-22T10:04:00.000Z' },
      source: ready.source,
      outputs: publishedOutputs,
      renditionCount: 1,
      conditions: [
        cond('Ready', 'True', 'Succeeded', msg),
        cond('Progressing', 'False', 'Succeeded', msg),
      ],
    });
  });

  it('Job complete WITHOUT a ready record is a failure, not a success', () => {
    const s = statusFromObservation({
      ...base,
      job: job({ conditions: [{ type: 'Complete', status: 'True' }] }),
    });
    expect(s.phase).toBe('Failed');
    expect(s.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      reason: 'JobFailed',
      message: 'the worker Job completed but published no ready record',
    });
  });
});

describe('failureOf', () => {
  const msg = (exitCode: number) =>
    `Container worker for pod ns/p failed with exit code ${exitCode} matching FailJob rule at index 0`;

  it.each([
    [10, 'InvalidInput'],
    [11, 'LimitExceeded'],
    [12, 'SourceNotFound'],
    [13, 'InvalidSpec'],
  ])('exit code %i -> %s', (code, reason) => {
    expect(
      failureOf(failedJob('PodFailurePolicy', msg(code)), {
        exitCode: code,
        terminationMessage: JSON.stringify({ reason, message: 'the worker said why' }),
      }),
    ).toEqual({ reason, message: `the worker said why (exit code ${code})` });
  });

  it('reads the exit code from the Job condition when the pod is gone', () => {
    expect(failureOf(failedJob('PodFailurePolicy', msg(11)), undefined)).toEqual({
      reason: 'LimitExceeded',
      message: `${msg(11)} (exit code 11)`,
    });
  });

  it('maps the Job controller reasons and falls back to JobFailed', () => {
    expect(
      failureOf(
        failedJob('DeadlineExceeded', 'Job was active longer than specified deadline'),
        undefined,
      ),
    ).toEqual({
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    expect(
      failureOf(failedJob('BackoffLimitExceeded', 'Job has reached the specified backoff limit'), {
        exitCode: 75,
        terminationMessage: 'ffmpeg: Connection reset\n',
      }),
    ).toEqual({
      reason: 'BackoffLimitExceeded',
      message: 'ffmpeg: Connection reset (exit code 75)',
    });
    expect(failureOf(failedJob('Weird'), { exitCode: 1 })).toEqual({
      reason: 'JobFailed',
      message: 'the worker Job failed (exit code 1)',
    });
  });
});

describe('parseTerminationMessage', () => {
  it('reads the worker JSON, else keeps the log tail', () => {
    expect(
      parseTerminationMessage('{"reason":"InvalidInput","message":"no video stream"}'),
    ).toEqual({
      reason: 'InvalidInput',
      message: 'no video stream',
    });
    expect(parseTerminationMessage('  last log line\n')).toEqual({ message: 'last log line' });
    expect(parseTerminationMessage('')).toEqual({});
    expect(parseTerminationMessage('{"reason":7}')).toEqual({
      reason: undefined,
      message: undefined,
    });
  });
});
