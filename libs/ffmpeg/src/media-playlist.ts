import { invalidInput } from './errors';

/** A media playlist as ffmpeg's hls muxer wrote it: the init segment and the media segments. */
export interface ParsedMediaPlaylist {
  initUri: string;
  segments: { uri: string; durationSeconds: number }[];
}

/**
 * Reads the segment list out of the hls muxer's media playlist (the one source of segment
 * durations). Refuses anything but plain relative names, so nothing outside the rendition's
 * directory can be referenced.
 */
export function parseMediaPlaylist(text: string): ParsedMediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist');
  let initUri: string | undefined;
  let pending: number | undefined;
  const segments: ParsedMediaPlaylist['segments'] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-MAP:')) {
      initUri = /URI="([^"]+)"/.exec(line)?.[1];
    } else if (line.startsWith('#EXTINF:')) {
      pending = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line && !line.startsWith('#')) {
      if (pending === undefined || !Number.isFinite(pending))
        throw new Error(`no EXTINF before ${line}`);
      segments.push({ uri: plainName(line), durationSeconds: pending });
      pending = undefined;
    }
  }
  if (!initUri) throw new Error('the playlist has no EXT-X-MAP init segment');
  if (segments.length === 0)
    throw invalidInput('the encode produced no segment: nothing decodable');
  return { initUri: plainName(initUri), segments };
}

function plainName(uri: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(uri) || uri.startsWith('.'))
    throw new Error(`unexpected segment name ${uri}`);
  return uri;
}
