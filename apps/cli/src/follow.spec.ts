import type { ApiClient, VideoView } from './api-client';
import { follow } from './follow';

const v = (phase: VideoView['phase'], percent?: number): VideoView => ({
  id: 'vabc',
  origin: 'transcode',
  phase,
  formats: [],
  labels: {},
  statusUrl: '/v1/videos/vabc',
  ...(percent === undefined ? {} : { progress: { percent } }),
});

/** A scripted sequence of answers: the loop's stopping rules are what is under test here. */
function scripted(answers: VideoView[]) {
  let i = 0;
  return { get: async () => answers[Math.min(i++, answers.length - 1)] } as unknown as ApiClient;
}

describe('follow', () => {
  it('polls until Succeeded, reporting every answer, sleeping between polls', async () => {
    const seen: string[] = [];
    const sleeps: number[] = [];
    const last = await follow(
      scripted([v('Pending'), v('Running', 40), v('Succeeded', 100)]),
      'vabc',
      {
        intervalMs: 2000,
        timeoutMs: 60_000,
        onUpdate: (x) => seen.push(`${x.phase}:${x.progress?.percent ?? '-'}`),
        sleep: async (ms) => void sleeps.push(ms),
        now: () => 0,
      },
    );
    expect(last.phase).toBe('Succeeded');
    expect(seen).toEqual(['Pending:-', 'Running:40', 'Succeeded:100']);
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('stops at Failed', async () => {
    const last = await follow(scripted([v('Running', 10), v('Failed')]), 'vabc', {
      intervalMs: 1,
      timeoutMs: 60_000,
      onUpdate: () => undefined,
      sleep: async () => undefined,
    });
    expect(last.phase).toBe('Failed');
  });

  it('gives up at the timeout with the last answer', async () => {
    let t = 0;
    const last = await follow(scripted([v('Running', 10)]), 'vabc', {
      intervalMs: 1000,
      timeoutMs: 3000,
      onUpdate: () => undefined,
      sleep: async (ms) => void (t += ms),
      now: () => t,
    });
    expect(last.phase).toBe('Running');
    expect(t).toBe(3000);
  });
});
