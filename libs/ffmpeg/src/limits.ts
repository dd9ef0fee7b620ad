import { limitExceeded } from './errors';
import type { MediaInfo } from './probe';
import { toNumber } from './rational';

/** Configured ceilings, checked on the probed header BEFORE anything is decoded. */
export interface MediaLimits {
  maxWidth: number;
  maxHeight: number;
  maxDurationSeconds: number;
  maxFrameRate: number;
  maxStreams: number;
  maxSourceBytes: number;
}

/**
 * Throws a MediaRejectedError (LimitExceeded) naming the first limit the source breaks. The
 * coded size is checked as well as the display size: a decoder allocates the coded frame.
 * Width and height are compared orientation-free (a portrait 1080x1920 fits 1920x1080 limits).
 */
export function checkLimits(media: MediaInfo, limits: MediaLimits): void {
  if (media.sizeBytes !== undefined && media.sizeBytes > limits.maxSourceBytes) {
    throw limitExceeded(
      `source is ${media.sizeBytes} bytes, above the limit of ${limits.maxSourceBytes}`,
    );
  }
  if (media.streamCount > limits.maxStreams) {
    throw limitExceeded(
      `source has ${media.streamCount} streams, above the limit of ${limits.maxStreams}`,
    );
  }
  if (media.durationSeconds > limits.maxDurationSeconds) {
    throw limitExceeded(
      `source lasts ${media.durationSeconds.toFixed(1)} s, above the limit of ${limits.maxDurationSeconds} s`,
    );
  }
  const v = media.video;
  if (!v) return;
  const long = Math.max(limits.maxWidth, limits.maxHeight);
  const short = Math.min(limits.maxWidth, limits.maxHeight);
  for (const [w, h] of [
    [v.width, v.height],
    [v.codedWidth, v.codedHeight],
  ]) {
    if (Math.max(w, h) > long || Math.min(w, h) > short) {
      throw limitExceeded(
        `video is ${w}x${h}, above the limit of ${limits.maxWidth}x${limits.maxHeight}`,
      );
    }
  }
  const fps = toNumber(v.averageFrameRate ?? v.frameRate);
  if (fps > limits.maxFrameRate) {
    throw limitExceeded(
      `video runs at ${fps.toFixed(2)} fps, above the limit of ${limits.maxFrameRate}`,
    );
  }
}
