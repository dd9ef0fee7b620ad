/**
 * The object key scheme: every key is generated here, never from a client-supplied name.
 * Outputs of a video live under one prefix; the `ready.json` record is written last and is
 * what makes a video visible to playback.
 */
export const objectKeys = {
  source: (videoId: string) => `sources/${videoId}/source`,
  outputPrefix: (videoId: string) => `videos/${videoId}/`,
  output: (videoId: string, file: string) => `videos/${videoId}/${file}`,
  ready: (videoId: string) => `videos/${videoId}/ready.json`,
};

/** Video ids are DNS-1123 labels: they double as Transcode names. */
export const VIDEO_ID_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The worker's progress record: the channel from worker to controller (see worker-job.ts). */
export const progressKey = (videoId: string) => `progress/${videoId}.json`;
