import 'reflect-metadata';
import { loadConfig } from '@kubevod/runtime';
import { boot, expectOperationalEndpoints } from '../../../test/support/http-boot';
import { createControllerApp } from './app';
import { ControllerConfigSchema } from './config';

describe('controller app', () => {
  it('boots and serves /healthz, /readyz and /metrics', async () => {
    const app = await createControllerApp(
      loadConfig(ControllerConfigSchema, { LOG_LEVEL: 'silent' }),
    );
    const booted = await boot(app);
    try {
      await expectOperationalEndpoints(booted, 'controller');
    } finally {
      await booted.close();
    }
  });

  it('names the bad variable when the configuration is invalid', () => {
    expect(() => loadConfig(ControllerConfigSchema, { PORT: 'eighty' })).toThrow(/PORT: /);
  });
});
