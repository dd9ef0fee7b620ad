/** What playback serves: manifests are short-lived, segments never change once published. */
export type FileKind = 'manifest' | 'segment';

const TYPES: Record<string, { contentType: string; kind: FileKind }> = {
  m3u8: { contentType: 'application/vnd.apple.mpegurl', kind: 'manifest' },
  mpd: { contentType: 'application/dash+xml', kind: 'manifest' },
  m4s: { contentType: 'video/iso.segment', kind: 'segment' },
  mp4: { contentType: 'video/mp4', kind: 'segment' },
  m4v: { contentType: 'video/mp4', kind: 'segment' },
  m4a: { contentType: 'audio/mp4', kind: 'segment' },
  cmfv: { contentType: 'video/mp4', kind: 'segment' },
  cmfa: { contentType: 'audio/mp4', kind: 'segment' },
  vtt: { contentType: 'text/vtt; charset=utf-8', kind: 'segment' },
  jpg: { contentType: 'image/jpeg', kind: 'segment' },
};

/** Content type and kind by extension; undefined for anything that is not media (e.g. ready.json). */
export function mediaType(path: string): { contentType: string; kind: FileKind } | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return TYPES[path.slice(dot + 1).toLowerCase()];
}

export const CACHE_CONTROL: Record<FileKind, string> = {
  manifest: 'public, max-age=10',
  segment: 'public, max-age=31536000, immutable',
};
