import { objectKeys, VIDEO_ID_PATTERN } from '@kubevod/contracts';
import { PlaybackError } from './playback-error';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A video id is a DNS label (it is the Transcode's name). */
export function isVideoId(id: string): boolean {
  return id.length <= 63 && VIDEO_ID_PATTERN.test(id);
}

export function assertVideoId(id: string): void {
  if (!isVideoId(id)) {
    throw new PlaybackError(
      400,
      'InvalidVideoId',
      'a video id is a DNS label: [a-z0-9-], at most 63',
    );
  }
}

/**
 * The output-relative path of a request, or a 400. Only plain segments of letters, digits and
 * `._-` that do not start with a dot: no `..`, no hidden files, no empty segments, no encoded
 * separators (fastify has already decoded the path).
 */
export function safeOutputPath(path: string): string {
  const segments = path.split('/');
  if (path.length === 0 || path.length > 512 || !segments.every((s) => SEGMENT.test(s))) {
    throw new PlaybackError(400, 'InvalidPath', 'the path must stay under the video folder');
  }
  return path;
}

/** The object key of an output-relative path; asserted to stay under the video's prefix. */
export function outputKey(videoId: string, relative: string): string {
  const key = objectKeys.output(videoId, safeOutputPath(relative));
  if (!key.startsWith(objectKeys.outputPrefix(videoId))) {
    throw new PlaybackError(400, 'InvalidPath', 'the path must stay under the video folder');
  }
  return key;
}

/**
 * Turns a key from the ready record (absolute, or relative to the prefix) into the
 * output-relative path; undefined when it is not under the video's prefix.
 */
export function relativeToPrefix(videoId: string, key: string): string | undefined {
  const prefix = objectKeys.outputPrefix(videoId);
  const rel = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  if (rel.startsWith('videos/') || rel.startsWith('/')) return undefined;
  try {
    return safeOutputPath(rel);
  } catch {
    return undefined;
  }
}
