/**
 * Containers we accept, keyed by ffprobe's `format_name`, with the demuxer the encode pins with
 * `-f`. Anything else (playlists such as hls or concat, image pipes, lavfi, tty...) is refused:
 * those demuxers open further files or URLs named inside the data, or are not media at all.
 */
export const ALLOWED_CONTAINERS: Readonly<Record<string, string>> = {
  'mov,mp4,m4a,3gp,3g2,mj2': 'mov',
  'matroska,webm': 'matroska',
  mp3: 'mp3',
  avi: 'avi',
  mpegts: 'mpegts',
  flv: 'flv',
  ogg: 'ogg',
  wav: 'wav',
  aac: 'aac',
  flac: 'flac',
  mpeg: 'mpeg',
  asf: 'asf',
};

/** The demuxers ffprobe may even try (`-format_whitelist`): the probe is as fenced as the encode. */
export const DEMUXER_WHITELIST = [...new Set(Object.values(ALLOWED_CONTAINERS))].join(',');

export function demuxerFor(formatName: string): string | undefined {
  return Object.hasOwn(ALLOWED_CONTAINERS, formatName) ? ALLOWED_CONTAINERS[formatName] : undefined;
}
