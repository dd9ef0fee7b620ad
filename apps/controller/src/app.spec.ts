import 'reflect-metadata';
import { loadConfig } from '@kubevod/runtime';
import { boot } from '../../../test/support/http-boot';
import { createControllerApp } from './app';
import { ControllerConfigSchema } from './config';

const BASE_ENV = {
  LOG_LEVEL: 'silent',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'test-access',
  S3_SECRET_KEY: 'test-secret',
};

describe('controller app', () => {
  it('boots without a cluster when disabled: live, metrics, and honestly not ready', async () => {
    const app = await createControllerApp(
      loadConfig(ControllerConfigSchema, { ...BASE_ENV, CONTROLLER_ENABLED: 'false' }),
    );
    const booted = await boot(app);
    try {
      const live = await booted.get('/healthz');
      expect(live.status).toBe(200);
      expect(JSON.parse(live.body)).toMatchObject({ status: 'ok' });
      // A disabled controller does no work: readiness must say so, not pretend.
      const ready = await booted.get('/readyz');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({
        status: 'error',
        error: { controller: { status: 'down', message: expect.stringContaining('disabled') } },
      });
      const metrics = await booted.get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.contentType).toContain('text/plain');
      expect(metrics.body).toMatch(/kubevod_process_cpu_user_seconds_total\{app="controller"\} \d/);
    } finally {
      await booted.close();
    }
  });

  it('names the bad variable when the configuration is invalid', () => {
    expect(() => loadConfig(ControllerConfigSchema, { ...BASE_ENV, PORT: 'eighty' })).toThrow(
      /PORT: /,
    );
    expect(() =>
      loadConfig(ControllerConfigSchema, { ...BASE_ENV, WORKER_TOLERATIONS: '{not json' }),
    ).toThrow(/WORKER_TOLERATIONS: not valid JSON/);
    expect(() =>
      loadConfig(ControllerConfigSchema, {
        ...BASE_ENV,
        LEASE_DURATION_SECONDS: '10',
        LEASE_RENEW_DEADLINE_SECONDS: '10',
      }),
    ).toThrow(/LEASE_RENEW_DEADLINE_SECONDS: must be shorter/);
    expect(() =>
      loadConfig(ControllerConfigSchema, { ...BASE_ENV, WEBHOOK_URLS: 'http://x.test/hook' }),
    ).toThrow(/WEBHOOK_SECRET/);
  });

  it('reads lists and JSON settings', () => {
    const c = loadConfig(ControllerConfigSchema, {
      ...BASE_ENV,
      WATCH_NAMESPACES: 'a, b,,c',
      WORKER_NODE_SELECTOR: '{"kubevod.io/pool":"transcode"}',
      WORKER_TOLERATIONS: '[{"key":"kubevod.io/pool","operator":"Exists","effect":"NoSchedule"}]',
    });
    expect(c.WATCH_NAMESPACES).toEqual(['a', 'b', 'c']);
    expect(c.WORKER_NODE_SELECTOR).toEqual({ 'kubevod.io/pool': 'transcode' });
    expect(c.WORKER_TOLERATIONS).toEqual([
      { key: 'kubevod.io/pool', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(c.WORKER_AFFINITY).toBeUndefined();
    expect(c.RETENTION_SECONDS).toBe(604800);
  });
});
