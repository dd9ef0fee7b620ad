import 'reflect-metadata';
import { loadConfig } from '@kubevod/runtime';
import { MinioObjectStore, StorageConfigSchema } from '@kubevod/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createPlaybackApp } from '../../apps/playback/src/app';
import { PlaybackConfigSchema } from '../../apps/playback/src/config';
import { publishWithWorker } from '../../apps/playback/test/worker-publisher';
import { launchChromium, type LaunchedChromium } from '../browser/chromium';
import { watchPage, type PlayerState } from '../browser/watch-page';

/**
 * The player page in headless Chromium: each player plays the HLS or DASH output published by
 * the REAL worker (apps/worker, run as its Job runs it) through playback's origin routes, past
 * 3 s of media, without a player error.
 */

const storageEnv = loadConfig(StorageConfigSchema, process.env);
const bucket = `pbw-${randomBytes(4).toString('hex')}`;
const store = MinioObjectStore.fromConfig({ ...storageEnv, S3_BUCKET: bucket });
const VIDEO = 'browser-video';

let app: NestFastifyApplication;
let url: string;
let chromium: LaunchedChromium;

beforeAll(async () => {
  await store.ensureBucket(bucket);
  const ready = await publishWithWorker(store, storageEnv, bucket, VIDEO, 8);
  expect(ready.formats).toEqual(['hls', 'dash']);
  const config = loadConfig(PlaybackConfigSchema, {
    ...process.env,
    LOG_LEVEL: 'silent',
    S3_BUCKET: bucket,
    PLAYBACK_MODE: 'origin',
  });
  app = await createPlaybackApp(config);
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
  chromium = await launchChromium();
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  for (const prefix of ['videos/', 'sources/', 'progress/']) {
    await store.removePrefix(bucket, prefix).catch(() => undefined);
  }
  await store.client.removeBucket(bucket).catch(() => undefined);
});

async function watch(query: string): Promise<PlayerState> {
  const { status, state, failed } = await watchPage(
    chromium.context,
    `${url}/watch/${VIDEO}?${query}`,
    60_000,
  );
  expect(status).toBe(200);
  expect({ query, failed }).toEqual({ query, failed: [] });
  return state;
}

describe('the player page in headless Chromium', () => {
  it.each([
    ['player=hlsjs', 'hlsjs', 'hls'],
    ['player=dashjs', 'dashjs', 'dash'],
    ['player=shaka&format=dash', 'shaka', 'dash'],
    ['player=shaka&format=hls', 'shaka', 'hls'],
    ['player=hlsjs&max_resolution=180', 'hlsjs', 'hls'],
    ['player=dashjs&max_resolution=180', 'dashjs', 'dash'],
  ])(
    '%s plays past 3 s without an error',
    async (query, player, format) => {
      const state = await watch(query);
      expect({ player: state.player, format: state.format, error: state.error }).toEqual({
        player,
        format,
        error: null,
      });
      expect(state.currentTime).toBeGreaterThan(3);
    },
    90_000,
  );

  it('picks dash.js for Chromium on Linux by default', async () => {
    const state = await watch('');
    expect([state.player, state.format, state.error]).toEqual(['dashjs', 'dash', null]);
    expect(state.currentTime).toBeGreaterThan(3);
  }, 90_000);
});
