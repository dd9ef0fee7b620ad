/**
 * Recognises media containers from their first bytes. This is a cheap gate that turns away what
 * is plainly not media (a PDF, a zip, a text file) with a 415; the real validation is the
 * worker's probe, so anything that looks like a known container passes.
 */
export const SNIFF_BYTES = 512;

export type MediaKind =
  | 'mp4' // ISO BMFF: mp4, mov, m4a, 3gp, heif-like ftyp boxes
  | 'mov' // QuickTime without ftyp (moov/mdat/wide/free first)
  | 'matroska' // mkv and webm (EBML)
  | 'mp3' // ID3 tag or an MPEG audio frame sync
  | 'aac' // ADTS
  | 'ogg'
  | 'avi' // RIFF AVI
  | 'wav' // RIFF WAVE
  | 'mpeg-ts'
  | 'mpeg-ps'
  | 'flv'
  | 'flac'
  | 'asf'; // wmv/wma

const ascii = (head: Uint8Array, at: number, text: string): boolean => {
  if (head.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

const bytes = (head: Uint8Array, at: number, expected: number[]): boolean =>
  head.length >= at + expected.length && expected.every((b, i) => head[at + i] === b);

const QUICKTIME_ATOMS = ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];
const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];
const TS_PACKET = 188;

/** The container the bytes start with, or undefined when they are plainly not media. */
export function sniffMedia(head: Uint8Array): MediaKind | undefined {
  if (ascii(head, 4, 'ftyp')) return 'mp4';
  if (QUICKTIME_ATOMS.some((atom) => ascii(head, 4, atom))) return 'mov';
  if (bytes(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return 'matroska';
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'AVI ')) return 'avi';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if (ascii(head, 0, 'FLV') && head[3] === 0x01) return 'flv';
  if (ascii(head, 0, 'fLaC')) return 'flac';
  if (bytes(head, 0, ASF_GUID)) return 'asf';
  if (bytes(head, 0, [0x00, 0x00, 0x01, 0xba])) return 'mpeg-ps';
  if (isTransportStream(head)) return 'mpeg-ts';
  if (ascii(head, 0, 'ID3')) return 'mp3';
  // ADTS: 12-bit sync, layer 00; MPEG audio: 11-bit sync with a valid layer and bitrate index.
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xf6) === 0xf0) return 'aac';
  if (isMpegAudioFrame(head)) return 'mp3';
  return undefined;
}

/** Sync byte 0x47 at the start of every 188-byte packet we can see (at least two). */
function isTransportStream(head: Uint8Array): boolean {
  if (head.length < TS_PACKET + 1) return false;
  for (let at = 0; at < head.length; at += TS_PACKET) if (head[at] !== 0x47) return false;
  return true;
}

function isMpegAudioFrame(head: Uint8Array): boolean {
  if (head.length < 3 || head[0] !== 0xff || (head[1] & 0xe0) !== 0xe0) return false;
  const layer = (head[1] >> 1) & 0x03;
  const bitrateIndex = head[2] >> 4;
  const sampleRateIndex = (head[2] >> 2) & 0x03;
  return layer !== 0 && bitrateIndex !== 0x0f && bitrateIndex !== 0 && sampleRateIndex !== 0x03;
}

/** The Content-Type the source object is stored with. */
export const MEDIA_CONTENT_TYPES: Record<MediaKind, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  matroska: 'video/x-matroska',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  ogg: 'application/ogg',
  avi: 'video/x-msvideo',
  wav: 'audio/wav',
  'mpeg-ts': 'video/mp2t',
  'mpeg-ps': 'video/mpeg',
  flv: 'video/x-flv',
  flac: 'audio/flac',
  asf: 'video/x-ms-asf',
};
