import { PlaybackError } from './playback-error';

/** Keep renditions whose height is within [min, max]; both ends optional. */
export interface ResolutionFilter {
  min?: number;
  max?: number;
}

const HEIGHT = /^([1-9][0-9]{0,4})p?$/;

function height(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = typeof value === 'string' ? HEIGHT.exec(value) : null;
  if (!m) {
    throw new PlaybackError(
      400,
      'InvalidResolution',
      `${name} must be a height in pixels such as 720 or 720p, got ${JSON.stringify(value)}`,
    );
  }
  return Number(m[1]);
}

/** Reads ?min_resolution= and ?max_resolution=; undefined when neither is given. */
export function parseResolutionFilter(query: {
  min_resolution?: unknown;
  max_resolution?: unknown;
}): ResolutionFilter | undefined {
  const min = height('min_resolution', query.min_resolution);
  const max = height('max_resolution', query.max_resolution);
  if (min === undefined && max === undefined) return undefined;
  if (min !== undefined && max !== undefined && min > max) {
    throw new PlaybackError(
      400,
      'InvalidResolution',
      `min_resolution (${min}) is above max_resolution (${max})`,
    );
  }
  return { min, max };
}

export function inRange(h: number, f: ResolutionFilter): boolean {
  return (f.min === undefined || h >= f.min) && (f.max === undefined || h <= f.max);
}

/** A stable key for memoising filtered manifests. */
export function filterKey(f: ResolutionFilter | undefined): string {
  return f ? `${f.min ?? ''}-${f.max ?? ''}` : '';
}

export function noRenditionInRange(f: ResolutionFilter): PlaybackError {
  return new PlaybackError(
    404,
    'NoRenditionInRange',
    `no video rendition has a height within [${f.min ?? 0}, ${f.max ?? '∞'}]`,
  );
}
