import probes from './fixtures/probes.json';
import { timeline } from './dash-manifest';
import { buildMediaPlaylist } from './hls-manifests';
import { planLadder } from './ladder';
import { parseMediaPlaylist } from './media-playlist';
import { measureBitrate, packageOutputs, type MeasuredRendition } from './package';
import { parseProbe } from './probe';

const plan = (name: keyof typeof probes, profile: 'default' | 'mobile' = 'default') =>
  planLadder(parseProbe(probes[name]), { profile }, { segmentSeconds: 4 });

const seg = (n: number, durationSeconds: number, bytes: number) => ({
  file: `seg-${String(n).padStart(5, '0')}.m4s`,
  durationSeconds,
  bytes,
});

// av-480p.mkv: two video rungs and one audio track; durations as the hls muxer reports them
const measured: MeasuredRendition[] = [
  {
    name: '480p',
    initFile: 'init_480p.mp4',
    segments: [seg(1, 4, 600_000), seg(2, 1.04, 100_000)],
  },
  { name: '360p', initFile: 'init_360p.mp4', segments: [seg(1, 4, 300_000), seg(2, 1.04, 60_000)] },
  {
    name: 'audio',
    initFile: 'init_audio.mp4',
    segments: [seg(1, 4.010667, 64_000), seg(2, 1.045333, 16_000)],
  },
];

describe('packageOutputs', () => {
  const out = packageOutputs(plan('av-480p.mkv'), measured, ['hls', 'dash']);
  const file = (path: string) => out.files.find((f) => f.path === path)!;

  it('lays out the files: media first, then playlists, then the manifests', () => {
    expect(
      out.files.map(
        (f) => `${f.stage} ${f.path} <- ${f.localPath ?? 'generated'} ${f.contentType}`,
      ),
    ).toEqual([
      'media 480p/init.mp4 <- 480p/init_480p.mp4 video/mp4',
      'media 480p/seg-00001.m4s <- 480p/seg-00001.m4s video/iso.segment',
      'media 480p/seg-00002.m4s <- 480p/seg-00002.m4s video/iso.segment',
      'media 360p/init.mp4 <- 360p/init_360p.mp4 video/mp4',
      'media 360p/seg-00001.m4s <- 360p/seg-00001.m4s video/iso.segment',
      'media 360p/seg-00002.m4s <- 360p/seg-00002.m4s video/iso.segment',
      'media audio/init.mp4 <- audio/init_audio.mp4 audio/mp4',
      'media audio/seg-00001.m4s <- audio/seg-00001.m4s video/iso.segment',
      'media audio/seg-00002.m4s <- audio/seg-00002.m4s video/iso.segment',
      'playlist 480p/index.m3u8 <- generated application/vnd.apple.mpegurl',
      'playlist 360p/index.m3u8 <- generated application/vnd.apple.mpegurl',
      'playlist audio/index.m3u8 <- generated application/vnd.apple.mpegurl',
      'manifest master.m3u8 <- generated application/vnd.apple.mpegurl',
      'manifest manifest.mpd <- generated application/dash+xml',
    ]);
    expect(out.manifests).toEqual({ hls: 'master.m3u8', dash: 'manifest.mpd' });
    expect(out.durationSeconds).toBe(5.056);
  });

  // peaks: 480p 600 kB / 4 s = 1 200 000 bit/s; audio 64 kB / 4.010667 s = 127 660 (the short
  // tails are left out); averages: 700 kB / 5.04 s = 1 111 112, 80 kB / 5.056 s = 126 583
  it('advertises each video rung with the audio it plays with', () => {
    expect(out.renditions).toEqual([
      { name: '480p', width: 854, height: 480, bitrateKbps: 1328, codecs: 'avc1.64001e,mp4a.40.2' },
      { name: '360p', width: 640, height: 360, bitrateKbps: 728, codecs: 'avc1.64001e,mp4a.40.2' },
      { name: 'audio', bitrateKbps: 128, codecs: 'mp4a.40.2' },
    ]);
  });

  it('writes the master playlist with an audio group', () => {
    expect(file('master.m3u8').content).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="1",URI="audio/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=1327660,AVERAGE-BANDWIDTH=1237695,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=854x480,FRAME-RATE=25.000,AUDIO="audio"',
        '480p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=727660,AVERAGE-BANDWIDTH=698012,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000,AUDIO="audio"',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('writes the MPD over the same segment names', () => {
    expect(file('manifest.mpd').content).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT5.056S" minBufferTime="PT4.000S">',
        '  <Period id="0" start="PT0S">',
        '    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="854" maxHeight="480" maxFrameRate="25">',
        '      <Representation id="480p" bandwidth="1200000" codecs="avc1.64001e" width="854" height="480" frameRate="25" sar="1:1">',
        '        <SegmentTemplate timescale="90000" initialization="480p/init.mp4" media="480p/seg-$Number%05d$.m4s" startNumber="1">',
        '          <SegmentTimeline>',
        '            <S t="0" d="360000"/>',
        '            <S t="360000" d="93600"/>',
        '          </SegmentTimeline>',
        '        </SegmentTemplate>',
        '      </Representation>',
        '      <Representation id="360p" bandwidth="600000" codecs="avc1.64001e" width="640" height="360" frameRate="25" sar="1:1">',
        '        <SegmentTemplate timescale="90000" initialization="360p/init.mp4" media="360p/seg-$Number%05d$.m4s" startNumber="1">',
        '          <SegmentTimeline>',
        '            <S t="0" d="360000"/>',
        '            <S t="360000" d="93600"/>',
        '          </SegmentTimeline>',
        '        </SegmentTemplate>',
        '      </Representation>',
        '    </AdaptationSet>',
        '    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" startWithSAP="1">',
        '      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>',
        '      <Representation id="audio" bandwidth="127660" codecs="mp4a.40.2" audioSamplingRate="48000">',
        '        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="1"/>',
        '        <SegmentTemplate timescale="48000" initialization="audio/init.mp4" media="audio/seg-$Number%05d$.m4s" startNumber="1">',
        '          <SegmentTimeline>',
        '            <S t="0" d="192512"/>',
        '            <S t="192512" d="50176"/>',
        '          </SegmentTimeline>',
        '        </SegmentTemplate>',
        '      </Representation>',
        '    </AdaptationSet>',
        '  </Period>',
        '</MPD>',
        '',
      ].join('\n'),
    );
  });

  it('publishes only what the formats ask for', () => {
    const dashOnly = packageOutputs(plan('av-480p.mkv'), measured, ['dash']);
    expect(dashOnly.files.filter((f) => f.stage !== 'media').map((f) => f.path)).toEqual([
      'manifest.mpd',
    ]);
    expect(dashOnly.manifests).toEqual({ dash: 'manifest.mpd' });
  });

  it('lists audio renditions as the variants of an audio-only output', () => {
    const audio = packageOutputs(
      plan('audio-cover.mp3'),
      [{ name: 'audio', initFile: 'init_audio.mp4', segments: [seg(1, 3.03, 48_000)] }],
      ['hls'],
    );
    expect(audio.files.find((f) => f.path === 'master.m3u8')!.content).toBe(
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=126733,AVERAGE-BANDWIDTH=126733,CODECS="mp4a.40.2"\naudio/index.m3u8\n',
    );
  });

  it('lists video variants without an audio group when the source has no audio', () => {
    const video = packageOutputs(
      plan('video-only.mp4'),
      [{ name: '240p', initFile: 'init_240p.mp4', segments: [seg(1, 2, 50_000)] }],
      ['hls'],
    );
    expect(video.files.find((f) => f.path === 'master.m3u8')!.content).toBe(
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=200000,AVERAGE-BANDWIDTH=200000,CODECS="avc1.64001e",RESOLUTION=320x240,FRAME-RATE=24.000\n240p/index.m3u8\n',
    );
    expect(video.renditions).toEqual([
      { name: '240p', width: 320, height: 240, bitrateKbps: 200, codecs: 'avc1.64001e' },
    ]);
  });

  it('refuses to package a rendition that produced nothing', () => {
    expect(() => packageOutputs(plan('video-only.mp4'), [], ['hls'])).toThrow(
      'rendition 240p produced no segment',
    );
  });
});

describe('media playlists', () => {
  it('writes a VOD playlist with the init segment and rounded target duration', () => {
    expect(
      buildMediaPlaylist([seg(1, 4.010667, 1), seg(2, 4.48, 1), seg(3, 0.5, 1)], 'init.mp4'),
    ).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-MEDIA-SEQUENCE:1',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init.mp4"',
        '#EXTINF:4.010667,',
        'seg-00001.m4s',
        '#EXTINF:4.480000,',
        'seg-00002.m4s',
        '#EXTINF:0.500000,',
        'seg-00003.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it("reads the hls muxer's playlist", () => {
    const text =
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n' +
      '#EXT-X-MAP:URI="init_audio.mp4"\n#EXTINF:4.010667,\nseg-00001.m4s\n#EXTINF:1.026187,\nseg-00002.m4s\n#EXT-X-ENDLIST\n';
    expect(parseMediaPlaylist(text)).toEqual({
      initUri: 'init_audio.mp4',
      segments: [
        { uri: 'seg-00001.m4s', durationSeconds: 4.010667 },
        { uri: 'seg-00002.m4s', durationSeconds: 1.026187 },
      ],
    });
  });

  it('refuses names that leave the rendition directory, and empty outputs', () => {
    const head = '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4,\n';
    expect(() => parseMediaPlaylist(head + '../secret.m4s\n')).toThrow(
      'unexpected segment name ../secret.m4s',
    );
    expect(() => parseMediaPlaylist(head + 'http://x/seg.m4s\n')).toThrow(
      'unexpected segment name',
    );
    expect(() =>
      parseMediaPlaylist('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXT-X-ENDLIST\n'),
    ).toThrow(expect.objectContaining({ reason: 'InvalidInput' }));
  });
});

describe('timeline', () => {
  it('rounds start times, not durations, so rounding never accumulates', () => {
    const d = 4.004; // 29.97 fps, 120 frames
    expect(
      timeline([{ durationSeconds: d }, { durationSeconds: d }, { durationSeconds: d }], 1000),
    ).toEqual(['<S t="0" d="4004" r="2"/>']);
    // rounding each 0.3333 s to 333 would end at 999; rounding the starts ends at 1000
    expect(
      timeline(
        [0.3333, 0.3334, 0.3333].map((s) => ({ durationSeconds: s })),
        1000,
      ),
    ).toEqual(['<S t="0" d="333"/>', '<S t="333" d="334"/>', '<S t="667" d="333"/>']);
  });
});

describe('measureBitrate', () => {
  it('takes the peak over full segments and the average over all', () => {
    expect(
      measureBitrate([seg(1, 4, 500_000), seg(2, 4, 1_000_000), seg(3, 0.2, 100_000)], 4),
    ).toEqual({
      peak: 2_000_000, // 1 MB over 4 s; the 0.2 s tail is not a sustained rate
      average: 1_560_976, // 1.6 MB over 8.2 s, rounded up
    });
  });
});
