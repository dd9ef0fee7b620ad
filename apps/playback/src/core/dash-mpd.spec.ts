import { filterMpd, rebaseMpd } from './dash-mpd';

/** What ffmpeg 5.1 writes for a 2-rung CMAF ladder with one audio set (trimmed namespaces). */
const MPD = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT6.0S" minBufferTime="PT4.0S">
	<ProgramInformation>
	</ProgramInformation>
	<Period id="0" start="PT0.0S">
		<AdaptationSet id="0" contentType="video" maxWidth="640" maxHeight="360">
			<Representation id="0" mimeType="video/mp4" codecs="avc1.4d401e" bandwidth="800000" width="640" height="360" sar="1:1">
				<SegmentTemplate timescale="1000000" duration="2000000" initialization="stream$RepresentationID$/init.mp4" media="stream$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1">
				</SegmentTemplate>
			</Representation>
			<Representation id="1" mimeType="video/mp4" codecs="avc1.4d400c" bandwidth="300000" width="320" height="180" sar="1:1">
				<SegmentTemplate timescale="1000000" duration="2000000" initialization="stream$RepresentationID$/init.mp4" media="stream$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1">
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
		<AdaptationSet id="1" contentType="audio">
			<Representation id="2" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="96000" audioSamplingRate="44100">
				<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="1" />
				<SegmentTemplate timescale="1000000" duration="2000000" initialization="stream$RepresentationID$/init.mp4" media="stream$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1">
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
	</Period>
</MPD>
`;

describe('filterMpd', () => {
  it('drops the video Representations above max and keeps audio', () => {
    expect(filterMpd(MPD, { max: 200 })).toBe(`<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT6.0S" minBufferTime="PT4.0S">
	<ProgramInformation>
	</ProgramInformation>
	<Period id="0" start="PT0.0S">
		<AdaptationSet id="0" contentType="video" maxWidth="640" maxHeight="360">
			<Representation id="1" mimeType="video/mp4" codecs="avc1.4d400c" bandwidth="300000" width="320" height="180" sar="1:1">
				<SegmentTemplate timescale="1000000" duration="2000000" initialization="stream$RepresentationID$/init.mp4" media="stream$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1">
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
		<AdaptationSet id="1" contentType="audio">
			<Representation id="2" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="96000" audioSamplingRate="44100">
				<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="1" />
				<SegmentTemplate timescale="1000000" duration="2000000" initialization="stream$RepresentationID$/init.mp4" media="stream$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1">
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
	</Period>
</MPD>
`);
  });

  it('applies min, and min with max', () => {
    const ids = (xml: string) => [...xml.matchAll(/<Representation id="(\d+)"/g)].map((m) => m[1]);
    expect(ids(filterMpd(MPD, { min: 360 }))).toEqual(['0', '2']);
    expect(ids(filterMpd(MPD, { min: 180, max: 360 }))).toEqual(['0', '1', '2']);
    expect(ids(MPD)).toEqual(['0', '1', '2']);
  });

  it('removes an AdaptationSet left without Representations', () => {
    const two = MPD.replace(
      '<AdaptationSet id="1"',
      '<AdaptationSet id="9" contentType="video" height="1080"><Representation id="9" bandwidth="1"/></AdaptationSet>\n\t\t<AdaptationSet id="1"',
    );
    const out = filterMpd(two, { max: 720 });
    expect(out).not.toContain('id="9"');
    expect(out).toContain('<Representation id="0"');
  });

  it('refuses with NoRenditionInRange when no video is left', () => {
    expect(() => filterMpd(MPD, { min: 1000 })).toThrow(
      expect.objectContaining({ status: 404, reason: 'NoRenditionInRange' }),
    );
  });
});

describe('rebaseMpd', () => {
  it('adds an MPD-level BaseURL after ProgramInformation', () => {
    const out = rebaseMpd(MPD, '../videos/v1/');
    expect(out.split('\n').slice(2, 6)).toEqual([
      '\t<ProgramInformation>',
      '\t</ProgramInformation>',
      '\t<BaseURL>../videos/v1/</BaseURL>',
      '\t<Period id="0" start="PT0.0S">',
    ]);
  });

  it('adds it right after <MPD> without ProgramInformation, escaping the URL', () => {
    const xml = '<MPD type="static"><Period id="0"></Period></MPD>';
    expect(rebaseMpd(xml, 'https://cdn.example.com/v?a=1&b=2/')).toBe(
      '<MPD type="static">\n\t<BaseURL>https://cdn.example.com/v?a=1&amp;b=2/</BaseURL><Period id="0"></Period></MPD>',
    );
  });

  it('prefixes a relative BaseURL and keeps an absolute one', () => {
    expect(rebaseMpd('<MPD><BaseURL>out/</BaseURL><Period/></MPD>', '/v/')).toBe(
      '<MPD><BaseURL>/v/out/</BaseURL><Period/></MPD>',
    );
    const abs = '<MPD><BaseURL>https://x.example/out/</BaseURL><Period/></MPD>';
    expect(rebaseMpd(abs, '/v/')).toBe(abs);
  });
});
