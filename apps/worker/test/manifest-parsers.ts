/* The real manifest parsers (video.js's), untyped packages: typed here for what the tests read. */
/* eslint-disable @typescript-eslint/no-require-imports */

export interface HlsManifest {
  playlists?: { uri: string; attributes: Record<string, unknown> }[];
  mediaGroups?: { AUDIO?: Record<string, Record<string, { uri?: string; default?: boolean }>> };
  segments?: { uri: string; duration: number; map?: { uri: string } }[];
  targetDuration?: number;
  endList?: boolean;
}

export function parseHls(text: string): HlsManifest {
  const { Parser } = require('m3u8-parser') as {
    Parser: new () => { push(t: string): void; end(): void; manifest: HlsManifest };
  };
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest;
}

export interface DashSegment {
  uri: string;
  duration: number;
  number: number;
  map?: { uri: string };
}

export interface DashManifest {
  duration: number;
  playlists: {
    attributes: {
      NAME?: string;
      BANDWIDTH: number;
      RESOLUTION?: { width: number; height: number };
      CODECS?: string;
    };
    segments: DashSegment[];
  }[];
  mediaGroups: { AUDIO?: Record<string, Record<string, { playlists: DashManifest['playlists'] }>> };
}

export function parseDash(text: string, manifestUri: string): DashManifest {
  const { parse } = require('mpd-parser') as {
    parse: (t: string, o: { manifestUri: string }) => DashManifest;
  };
  return parse(text, { manifestUri });
}
