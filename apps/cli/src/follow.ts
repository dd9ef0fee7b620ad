import type { ApiClient, VideoView } from './api-client';

export interface FollowOptions {
  intervalMs: number;
  timeoutMs: number;
  onUpdate: (video: VideoView) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const done = (v: VideoView) => v.phase === 'Succeeded' || v.phase === 'Failed';

/** Polls a video until it is Succeeded or Failed (or the timeout passes); returns the last view. */
export async function follow(
  client: ApiClient,
  id: string,
  options: FollowOptions,
): Promise<VideoView> {
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const video = await client.get(id);
    options.onUpdate(video);
    if (done(video) || now() >= deadline) return video;
    await sleep(options.intervalMs);
  }
}
