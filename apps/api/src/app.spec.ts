import 'reflect-metadata';
import { loadConfig } from '@kubevod/runtime';
import { boot, expectOperationalEndpoints } from '../../../test/support/http-boot';
import { createApiApp } from './app';
import { ApiConfigSchema } from './config';

describe('api app', () => {
  it('boots and serves /healthz, /readyz and /metrics', async () => {
    const app = await createApiApp(loadConfig(ApiConfigSchema, { LOG_LEVEL: 'silent' }));
    const booted = await boot(app);
    try {
      await expectOperationalEndpoints(booted, 'api');
    } finally {
      await booted.close();
    }
  });

  it('names the bad variable when the configuration is invalid', () => {
    expect(() => loadConfig(ApiConfigSchema, { PORT: 'eighty' })).toThrow(/PORT: /);
  });
});
