import type { OutputFormat } from '@kubevod/contracts';
import { PlaybackError } from './playback-error';

export const PLAYERS = ['hlsjs', 'dashjs', 'shaka', 'native'] as const;
export type Player = (typeof PLAYERS)[number];

/** The player scripts served under /assets/, by player. */
export const PLAYER_SCRIPTS: Record<Player, string | undefined> = {
  hlsjs: 'hls.min.js',
  dashjs: 'dash.all.min.js',
  shaka: 'shaka-player.compiled.js',
  native: undefined,
};

/**
 * Which player and format the page uses: ?player= decides (hls.js and native play HLS, dash.js
 * plays DASH, Shaka plays the decided format); without it, native HLS where the browser has
 * it, hls.js for HLS elsewhere, dash.js for DASH.
 */
export function choosePlayer(
  playerParam: unknown,
  decided: OutputFormat,
  nativeHls: boolean,
): { player: Player; format: OutputFormat } {
  if (playerParam === undefined || playerParam === '') {
    if (decided === 'dash') return { player: 'dashjs', format: 'dash' };
    return { player: nativeHls ? 'native' : 'hlsjs', format: 'hls' };
  }
  switch (playerParam) {
    case 'hlsjs':
      return { player: 'hlsjs', format: 'hls' };
    case 'native':
      return { player: 'native', format: 'hls' };
    case 'dashjs':
      return { player: 'dashjs', format: 'dash' };
    case 'shaka':
      return { player: 'shaka', format: decided };
    default:
      throw new PlaybackError(400, 'InvalidPlayer', `player must be one of ${PLAYERS.join(', ')}`);
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface WatchPageOptions {
  videoId: string;
  player: Player;
  format: OutputFormat;
  /** the manifest URL, relative to /watch/:id */
  src: string;
}

/** The player page. No inline script: watch.js reads its settings from data attributes. */
export function renderWatchPage(o: WatchPageOptions): string {
  const script = PLAYER_SCRIPTS[o.player];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.videoId)} · kubevod</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px system-ui,sans-serif}video{display:block;width:100%;max-height:90vh;background:#000}p{margin:8px 12px}</style>
</head>
<body>
<video id="video" controls muted autoplay playsinline data-player="${o.player}" data-format="${o.format}" data-src="${escapeHtml(o.src)}"></video>
<p>${escapeHtml(o.videoId)} · ${o.format.toUpperCase()} · ${o.player} · <span id="status">loading</span></p>
${script ? `<script src="../assets/${script}"></script>\n` : ''}<script src="../assets/watch.js"></script>
</body>
</html>
`;
}

/**
 * The page's script (browser JavaScript, served as /assets/watch.js). It exposes
 * window.__player = { player, format, src, currentTime, playing, error } for tests and humans.
 */
export const WATCH_SCRIPT = `(function () {
  'use strict';
  var video = document.getElementById('video');
  var status = document.getElementById('status');
  var cfg = video.dataset;
  var state = (window.__player = {
    player: cfg.player, format: cfg.format, src: cfg.src,
    currentTime: 0, playing: false, error: null,
  });
  function fail(message) {
    if (!state.error) state.error = String(message);
    status.textContent = 'error: ' + state.error;
  }
  video.addEventListener('timeupdate', function () {
    state.currentTime = video.currentTime;
    status.textContent = 'playing ' + video.currentTime.toFixed(1) + ' s';
  });
  video.addEventListener('playing', function () { state.playing = true; });
  video.addEventListener('error', function () {
    var e = video.error;
    fail('media error ' + (e ? e.code + ' ' + e.message : ''));
  });
  function play() {
    var p = video.play();
    if (p && p.catch) p.catch(function (e) { if (e.name !== 'AbortError') fail('play(): ' + e.message); });
  }
  try {
    if (cfg.player === 'native') {
      if (!video.canPlayType('application/vnd.apple.mpegurl')) fail('this browser has no native HLS');
      else { video.src = cfg.src; play(); }
    } else if (cfg.player === 'hlsjs') {
      if (!window.Hls || !Hls.isSupported()) { fail('hls.js is not supported here'); return; }
      var hls = new Hls();
      hls.on(Hls.Events.ERROR, function (_, d) { if (d.fatal) fail('hls.js: ' + d.type + ' ' + d.details); });
      hls.on(Hls.Events.MANIFEST_PARSED, play);
      hls.loadSource(cfg.src);
      hls.attachMedia(video);
    } else if (cfg.player === 'dashjs') {
      var dash = dashjs.MediaPlayer().create();
      dash.on(dashjs.MediaPlayer.events.ERROR, function (e) {
        var err = e && e.error;
        fail('dash.js: ' + (err ? (err.code || '') + ' ' + (err.message || '') : 'error'));
      });
      dash.initialize(video, cfg.src, true);
    } else if (cfg.player === 'shaka') {
      shaka.polyfill.installAll();
      if (!shaka.Player.isBrowserSupported()) { fail('Shaka Player is not supported here'); return; }
      var sp = new shaka.Player();
      sp.addEventListener('error', function (e) { fail('shaka: ' + e.detail.code); });
      var mime = cfg.format === 'hls' ? 'application/x-mpegurl' : 'application/dash+xml';
      sp.attach(video)
        .then(function () { return sp.load(cfg.src, null, mime); })
        .then(play)
        .catch(function (e) { fail('shaka: ' + (e.code || e.message)); });
    } else {
      fail('unknown player ' + cfg.player);
    }
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }
})();
`;
