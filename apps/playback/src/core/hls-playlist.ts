import { inRange, noRenditionInRange, type ResolutionFilter } from './resolution-filter';

const RESOLUTION = /(?:^|,)RESOLUTION=(\d+)x(\d+)/;
const URI_ATTR = /URI="([^"]*)"/g;
const ABSOLUTE = /^([a-z][a-z0-9+.-]*:|\/)/i;

function heightOf(tagLine: string): number | undefined {
  const m = RESOLUTION.exec(tagLine.slice(tagLine.indexOf(':') + 1));
  return m ? Number(m[2]) : undefined;
}

/**
 * Drops the variants (and I-frame variants) of an HLS master playlist whose RESOLUTION height is
 * outside the filter. Variants without a RESOLUTION (audio only) stay. Throws when no video
 * variant is left.
 */
export function filterHlsMaster(text: string, filter: ResolutionFilter): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let videoVariants = 0;
  let kept = 0;
  let skipUri = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (skipUri) {
      if (trimmed === '') continue;
      if (!trimmed.startsWith('#')) {
        skipUri = false;
        continue;
      }
      skipUri = false;
    }
    if (trimmed.startsWith('#EXT-X-STREAM-INF:')) {
      const h = heightOf(trimmed);
      if (h !== undefined) {
        videoVariants++;
        if (!inRange(h, filter)) {
          skipUri = true;
          continue;
        }
        kept++;
      }
    } else if (trimmed.startsWith('#EXT-X-I-FRAME-STREAM-INF:')) {
      const h = heightOf(trimmed);
      if (h !== undefined && !inRange(h, filter)) continue;
    }
    out.push(line);
  }
  if (videoVariants > 0 && kept === 0) throw noRenditionInRange(filter);
  return out.join('\n');
}

const rebase = (uri: string, base: string) => (ABSOLUTE.test(uri) ? uri : base + uri);

/**
 * Prefixes every relative URI of a playlist (URI lines and URI="..." attributes) with `base`, so
 * the playlist can be served from another URL and still point at the same objects.
 */
export function rebaseHlsPlaylist(text: string, base: string): string {
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#')) {
        return line.replace(URI_ATTR, (_, uri: string) => `URI="${rebase(uri, base)}"`);
      }
      return rebase(trimmed, base);
    })
    .join('\n');
}
