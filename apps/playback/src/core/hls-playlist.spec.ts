import { filterHlsMaster, rebaseHlsPlaylist } from './hls-playlist';
import { PlaybackError } from './playback-error';

/** What ffmpeg 5.1 writes with `-f dash -hls_playlist 1` for a 3-rung ladder. */
const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_3",DEFAULT=YES,URI="media_3.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=5128000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2",AUDIO="group_A1"
media_0.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="group_A1"
media_1.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="group_A1"
media_2.m3u8
`;

describe('filterHlsMaster', () => {
  it('keeps the variants within [min, max] and the audio rendition', () => {
    expect(filterHlsMaster(MASTER, { max: 720 })).toBe(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_3",DEFAULT=YES,URI="media_3.m3u8"

#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="group_A1"
media_1.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="group_A1"
media_2.m3u8
`);
  });

  it('applies a lower bound alone and both bounds together', () => {
    const keptUris = (text: string) => text.split('\n').filter((l) => /^media_\d/.test(l));
    expect(keptUris(filterHlsMaster(MASTER, { min: 720 }))).toEqual([
      'media_0.m3u8',
      'media_1.m3u8',
    ]);
    expect(keptUris(filterHlsMaster(MASTER, { min: 700, max: 800 }))).toEqual(['media_1.m3u8']);
    expect(keptUris(filterHlsMaster(MASTER, { min: 360, max: 360 }))).toEqual(['media_2.m3u8']);
  });

  it('drops I-frame variants outside the range and keeps those inside', () => {
    const text = `#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280x720
a.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280x720,URI="a-if.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1920x1080
b.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,RESOLUTION=1920x1080,URI="b-if.m3u8"
`;
    expect(filterHlsMaster(text, { max: 720 })).toBe(`#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280x720
a.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280x720,URI="a-if.m3u8"
`);
  });

  it('refuses with NoRenditionInRange when no video variant is left', () => {
    let caught: unknown;
    try {
      filterHlsMaster(MASTER, { min: 2160 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PlaybackError);
    expect(caught).toMatchObject({ status: 404, reason: 'NoRenditionInRange' });
  });

  it('leaves an audio-only master as it is', () => {
    const audio = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=96000,CODECS="mp4a.40.2"\naudio.m3u8\n';
    expect(filterHlsMaster(audio, { max: 480 })).toBe(audio);
  });
});

describe('rebaseHlsPlaylist', () => {
  it('prefixes relative URI lines and URI attributes, and leaves absolute ones', () => {
    const text = `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="a",URI="media_3.m3u8"
#EXT-X-MAP:URI="init.mp4"
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360
media_2.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=320x180
https://cdn.example.com/x/media_1.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=160x90
/abs/media_0.m3u8
`;
    expect(rebaseHlsPlaylist(text, '../videos/v1/')).toBe(`#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="a",URI="../videos/v1/media_3.m3u8"
#EXT-X-MAP:URI="../videos/v1/init.mp4"
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360
../videos/v1/media_2.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=320x180
https://cdn.example.com/x/media_1.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=160x90
/abs/media_0.m3u8
`);
  });
});
