import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface BootedApp {
  url: string;
  get(path: string): Promise<{ status: number; body: string; contentType: string | null }>;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port and gives a tiny fetch wrapper. */
export async function boot(app: NestFastifyApplication): Promise<BootedApp> {
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    url,
    async get(path) {
      const res = await fetch(url + path);
      return {
        status: res.status,
        body: await res.text(),
        contentType: res.headers.get('content-type'),
      };
    },
    close: () => app.close(),
  };
}

/** The probes every kubevod HTTP app serves. */
export async function expectOperationalEndpoints(booted: BootedApp, app: string): Promise<void> {
  const live = await booted.get('/healthz');
  expect(live.status).toBe(200);
  expect(JSON.parse(live.body)).toMatchObject({ status: 'ok' });
  const ready = await booted.get('/readyz');
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok' });
  const metrics = await booted.get('/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.contentType).toContain('text/plain');
  expect(metrics.body).toMatch(
    new RegExp(`kubevod_process_cpu_user_seconds_total\\{app="${app}"\\} \\d`),
  );
}
