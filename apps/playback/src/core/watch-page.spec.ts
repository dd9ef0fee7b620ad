import { choosePlayer, renderWatchPage } from './watch-page';

describe('choosePlayer', () => {
  it.each([
    [undefined, 'hls', true, { player: 'native', format: 'hls' }],
    [undefined, 'hls', false, { player: 'hlsjs', format: 'hls' }],
    [undefined, 'dash', false, { player: 'dashjs', format: 'dash' }],
    ['', 'dash', true, { player: 'dashjs', format: 'dash' }],
    ['hlsjs', 'dash', false, { player: 'hlsjs', format: 'hls' }],
    ['native', 'dash', false, { player: 'native', format: 'hls' }],
    ['dashjs', 'hls', true, { player: 'dashjs', format: 'dash' }],
    ['shaka', 'hls', false, { player: 'shaka', format: 'hls' }],
    ['shaka', 'dash', false, { player: 'shaka', format: 'dash' }],
  ] as const)('player=%j decided=%s nativeHls=%s -> %j', (param, decided, native, expected) => {
    expect(choosePlayer(param, decided, native)).toEqual(expected);
  });

  it('refuses an unknown player with 400 InvalidPlayer', () => {
    expect(() => choosePlayer('vlc', 'hls', false)).toThrow(
      expect.objectContaining({ status: 400, reason: 'InvalidPlayer' }),
    );
  });
});

describe('renderWatchPage', () => {
  it('loads the player script and watch.js, and escapes what it prints', () => {
    const html = renderWatchPage({
      videoId: 'v1',
      player: 'hlsjs',
      format: 'hls',
      src: '../v1/play/v1?format=hls&max_resolution=720',
    });
    expect(html).toContain(
      '<video id="video" controls muted autoplay playsinline data-player="hlsjs" data-format="hls" data-src="../v1/play/v1?format=hls&#38;max_resolution=720"></video>',
    );
    expect(html.match(/<script[^>]*>/g)).toEqual([
      '<script src="../assets/hls.min.js">',
      '<script src="../assets/watch.js">',
    ]);
  });

  it('loads no player script for native HLS', () => {
    const html = renderWatchPage({ videoId: 'v1', player: 'native', format: 'hls', src: 'x' });
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="../assets/watch.js">']);
  });
});
