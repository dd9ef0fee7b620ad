import { objectKeys, VIDEO_ID_PATTERN } from '@kubevod/contracts';

/**
 * A tus upload writes straight to the video's source key, so a finished upload needs no copy:
 * the tus id is `objectKeys.source(videoId)` and its URL is `/v1/uploads/<videoId>`. The store
 * keeps its bookkeeping next to it (`<key>.info`, and `<key>.part` between requests).
 */
const SOURCE_KEY = /^sources\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/source$/;

export const tusIdFor = (videoId: string): string => objectKeys.source(videoId);

export function videoIdOfTusId(tusId: string): string | undefined {
  const m = SOURCE_KEY.exec(tusId);
  return m && m[1].length <= 63 ? m[1] : undefined;
}

/** The tus id in a request URL's last segment, or undefined when it is not a video id. */
export function tusIdFromUrlSegment(segment: string | undefined): string | undefined {
  if (!segment || segment.length > 63 || !VIDEO_ID_PATTERN.test(segment)) return undefined;
  return tusIdFor(segment);
}

/** The objects a tus upload may leave beside the source object. */
export const tusSidecarKeys = (tusId: string): string[] => [`${tusId}.info`, `${tusId}.part`];
