import 'reflect-metadata';
import { loadConfig } from '@kubevod/runtime';
import { boot, expectOperationalEndpoints } from '../../../test/support/http-boot';
import { createPlaybackApp } from './app';
import { PlaybackConfigSchema } from './config';

describe('playback app', () => {
  it('boots and serves /healthz, /readyz and /metrics', async () => {
    const app = await createPlaybackApp(loadConfig(PlaybackConfigSchema, { LOG_LEVEL: 'silent' }));
    const booted = await boot(app);
    try {
      await expectOperationalEndpoints(booted, 'playback');
    } finally {
      await booted.close();
    }
  });

  it('names the bad variable when the configuration is invalid', () => {
    expect(() => loadConfig(PlaybackConfigSchema, { PORT: 'eighty' })).toThrow(/PORT: /);
  });
});
