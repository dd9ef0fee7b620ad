import { sniffMedia, type MediaKind } from './media-sniff';

const hex = (h: string) => Buffer.from(h, 'hex');

/** The first 16 bytes of files ffmpeg 5.1 wrote from lavfi test sources (see the commit). */
const FFMPEG_HEADS: [string, string, MediaKind][] = [
  ['mp4', '000000206674797069736f6d00000200', 'mp4'],
  ['mov (ftyp qt)', '00000014667479707174202000000200', 'mp4'],
  ['mkv', '1a45dfa3a34286810142f7810142f281', 'matroska'],
  ['webm', '1a45dfa39f4286810142f7810142f281', 'matroska'],
  ['mp3 with ID3', '49443304000000000023545353450000', 'mp3'],
  ['mp3 without ID3', 'fffb50c4000000000000000000000000', 'mp3'],
  ['aac (ADTS)', 'fff15040213ffcde02004c6176633539', 'aac'],
  ['ogg', '4f676753000200000000000000006c71', 'ogg'],
  ['avi', '5249464686210000415649204c495354', 'avi'],
  ['wav', '524946462e45000057415645666d7420', 'wav'],
  ['mpeg-ps', '000001ba2100010001c33367000001bb', 'mpeg-ps'],
  ['flv', '464c5601010000000900000000120000', 'flv'],
  ['flac', '664c6143000000221200120000047e00', 'flac'],
  ['wmv (ASF)', '3026b2758e66cf11a6d900aa0062ce6c', 'asf'],
  ['old QuickTime (moov first)', '0000006c6d6f6f760000006c6d766864', 'mov'],
];

function transportStream(packets: number): Buffer {
  const ts = Buffer.alloc(188 * packets, 0xff);
  for (let i = 0; i < packets; i++) ts[i * 188] = 0x47;
  return ts;
}

describe('sniffMedia', () => {
  it.each(FFMPEG_HEADS)('recognises %s', (_name, head, kind) => {
    expect(sniffMedia(hex(head))).toBe(kind);
  });

  it('recognises an MPEG transport stream by its sync byte every 188 bytes', () => {
    expect(sniffMedia(transportStream(2))).toBe('mpeg-ts');
    expect(sniffMedia(transportStream(3).subarray(0, 512))).toBe('mpeg-ts');
  });

  it('does not take one 0x47 byte for a transport stream', () => {
    const ts = transportStream(3);
    ts[188] = 0x00;
    expect(sniffMedia(ts)).toBeUndefined();
    expect(sniffMedia(Buffer.from('G'))).toBeUndefined();
  });

  it.each([
    ['PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')],
    ['zip', hex('504b0304140000000800')],
    ['PNG', hex('89504e470d0a1a0a0000000d49484452')],
    ['JPEG', hex('ffd8ffe000104a464946')],
    ['plain text', Buffer.from('hello, this is not a video\n')],
    ['JSON', Buffer.from('{"video": true}')],
    ['HTML', Buffer.from('<!doctype html><html>')],
    [
      'RIFF that is neither AVI nor WAVE (WebP)',
      Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'),
    ],
    ['an MPEG audio sync with a reserved layer', hex('ffe1a0c4')],
    ['an MPEG audio sync with the bad bitrate index', hex('fffbf0c4')],
    ['nothing at all', Buffer.alloc(0)],
    ['a few zero bytes', Buffer.alloc(16)],
  ])('turns away %s', (_name, head) => {
    expect(sniffMedia(head)).toBeUndefined();
  });
});
