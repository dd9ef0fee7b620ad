import 'reflect-metadata';
import { loadConfig } from '@kubevod/runtime';
import { availableParallelism } from 'node:os';
import { boot, expectOperationalEndpoints } from '../../../test/support/http-boot';
import { createPlaybackApp } from './app';
import { PlaybackConfigSchema } from './config';
import { MemoryObjectStore } from '../test/memory-object-store';

/** Storage settings for a boot without storage; the store itself is in memory here. */
const TEST_STORAGE_ENV = {
  S3_ENDPOINT: 'http://127.0.0.1:9',
  S3_ACCESS_KEY: 'test',
  S3_SECRET_KEY: 'test-secret',
};

describe('playback app', () => {
  it('boots and serves /healthz, /readyz and /metrics', async () => {
    const store = new MemoryObjectStore();
    const config = loadConfig(PlaybackConfigSchema, { LOG_LEVEL: 'silent', ...TEST_STORAGE_ENV });
    const app = await createPlaybackApp(config, { store });
    const booted = await boot(app);
    try {
      await expectOperationalEndpoints(booted, 'playback');
      expect(store.calls).toContain('ping'); // readiness asked the store
    } finally {
      await booted.close();
    }
  });

  it('names the bad variable when the configuration is invalid', () => {
    expect(() => loadConfig(PlaybackConfigSchema, { PORT: 'eighty' })).toThrow(/PORT: /);
    expect(() =>
      loadConfig(PlaybackConfigSchema, { ...TEST_STORAGE_ENV, PLAYBACK_MODE: 'proxy' }),
    ).toThrow(/PLAYBACK_MODE: /);
  });

  it('defaults to origin mode, CORS for any origin, a 5 s cache and one process', () => {
    expect(loadConfig(PlaybackConfigSchema, TEST_STORAGE_ENV)).toMatchObject({
      PLAYBACK_MODE: 'origin',
      CORS_ALLOW_ORIGIN: '*',
      CACHE_TTL_MS: 5000,
      CACHE_NEGATIVE_TTL_MS: 1000,
      S3_BUCKET: 'kubevod',
      PLAYBACK_WORKERS: 1,
    });
  });

  it('reads PLAYBACK_WORKERS: auto is one per available core', () => {
    const workers = (value: string) =>
      loadConfig(PlaybackConfigSchema, { ...TEST_STORAGE_ENV, PLAYBACK_WORKERS: value })
        .PLAYBACK_WORKERS;
    expect(workers('auto')).toBe(availableParallelism());
    expect(workers('3')).toBe(3);
    expect(() => workers('0')).toThrow(
      'invalid configuration: PLAYBACK_WORKERS: must be auto or a whole number from 1 to 256',
    );
  });
});
