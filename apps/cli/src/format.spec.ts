import type { VideoView } from './api-client';
import { formatApiError } from './api-client';
import { playbackUrls, statusLine, statusReport, videoTable } from './format';
import { chooseProtocol, TUS_THRESHOLD } from './upload';

const video = (over: Partial<VideoView> = {}): VideoView => ({
  id: 'vabc',
  origin: 'transcode',
  phase: 'Pending',
  formats: ['hls', 'dash'],
  labels: {},
  statusUrl: '/v1/videos/vabc',
  ...over,
});

describe('CLI formatting', () => {
  it('says where a video is in one line', () => {
    expect(statusLine(video())).toBe('Pending');
    expect(
      statusLine(
        video({ phase: 'Running', progress: { percent: 42.7 }, reason: 'Encoding', message: 'x' }),
      ),
    ).toBe('Running 42% (Encoding)');
    expect(
      statusLine(
        video({
          phase: 'Failed',
          reason: 'InvalidInput',
          message: 'no video stream',
          deleting: true,
        }),
      ),
    ).toBe('Failed (InvalidInput: no video stream) [deleting]');
    expect(
      statusLine(
        video({
          phase: 'Pending',
          reason: 'Unschedulable',
          message:
            'the worker pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.',
        }),
      ),
    ).toBe(
      'Pending (Unschedulable: the worker pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.)',
    );
    expect(
      statusLine(video({ phase: 'Pending', reason: 'JobCreated', message: 'Job x-0 created' })),
    ).toBe('Pending (JobCreated)');
  });

  it('prefers KUBEVOD_PLAYBACK_URL, else what the API reported', () => {
    const v = video({
      phase: 'Succeeded',
      playback: { url: 'http://api-said/v1/play/vabc', watchUrl: 'http://api-said/watch/vabc' },
    });
    expect(playbackUrls(v, 'http://play.local/')).toEqual({
      url: 'http://play.local/v1/play/vabc',
      watchUrl: 'http://play.local/watch/vabc',
    });
    expect(playbackUrls(v, undefined)).toEqual(v.playback);
    expect(playbackUrls(video(), undefined)).toBeUndefined();
  });

  it('prints a status report with playback URLs once ready', () => {
    expect(
      statusReport(
        video({
          phase: 'Succeeded',
          progress: { percent: 100 },
          reason: 'Succeeded',
          filename: 'cat.mp4',
          labels: { team: 'blue' },
          renditions: [
            { name: '360p', width: 640, height: 360, bitrateKbps: 800 },
            { name: 'audio', bitrateKbps: 128 },
          ],
        }),
        'http://play.local',
      ),
    ).toBe(
      [
        'id          vabc',
        'phase       Succeeded 100% (Succeeded)',
        'file        cat.mp4',
        'renditions  360p 640x360 800k, audio 128k',
        'labels      team=blue',
        'play        http://play.local/v1/play/vabc',
        'watch       http://play.local/watch/vabc',
      ].join('\n'),
    );
  });

  it('lists videos as an aligned table', () => {
    expect(
      videoTable([
        video({ createdAt: '2026-11-02T10:00:00Z', filename: 'a.mp4' }),
        video({
          id: 'vlonger1',
          phase: 'Running',
          progress: { percent: 5 },
          reason: 'Encoding',
          deleting: true,
        }),
      ]),
    ).toBe(
      [
        'ID        PHASE     PROGRESS  REASON    CREATED               FILE',
        'vabc      Pending   -         -         2026-11-02T10:00:00Z  a.mp4',
        'vlonger1  Running*  5%        Encoding  -                     -',
      ].join('\n'),
    );
  });

  it('prints API errors with their reason, listing field errors', () => {
    expect(
      formatApiError({
        statusCode: 404,
        error: 'Not Found',
        reason: 'VideoNotFound',
        message: 'no video vx',
      }),
    ).toBe('404 VideoNotFound: no video vx');
    expect(
      formatApiError({
        statusCode: 400,
        error: 'Bad Request',
        reason: 'InvalidOptions',
        message: 'invalid upload options: priority: must be an integer',
        fields: [{ path: 'priority', message: 'must be an integer' }],
      }),
    ).toBe('400 InvalidOptions:\n  priority: must be an integer');
    expect(
      formatApiError({
        statusCode: 0,
        error: 'Unreachable',
        reason: 'ApiUnreachable',
        message: 'no',
      }),
    ).toBe('ApiUnreachable: no');
  });

  it('sends large files with tus unless told otherwise', () => {
    expect(chooseProtocol(TUS_THRESHOLD, 'auto')).toBe('multipart');
    expect(chooseProtocol(TUS_THRESHOLD + 1, 'auto')).toBe('tus');
    expect(chooseProtocol(1, 'tus')).toBe('tus');
    expect(chooseProtocol(10 * TUS_THRESHOLD, 'multipart')).toBe('multipart');
  });
});
