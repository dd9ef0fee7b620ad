import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@kubevod/runtime';
import { boot } from '../../../test/support/http-boot';
import { createApiApp } from './app';
import { ApiConfigSchema } from './config';

/** A loopback port nothing listens on (a closed ephemeral port, not a "bad port" such as 1). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The unit boot has no storage and no cluster: it proves the wiring (routes, probes, metrics,
 * OpenAPI, auth, error bodies) and that readiness names both missing dependencies. The same
 * probes answer 200 against real MinIO and a real apiserver in test/integration/api.int-spec.ts.
 */
describe('api app', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubevod-api-boot-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('boots and serves /healthz, /readyz, /metrics, /docs and typed errors', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const apiserverPort = await closedPort();
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "http://127.0.0.1:${apiserverPort}" } }]
users: [{ name: none, user: {} }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
`,
    );
    const config = loadConfig(ApiConfigSchema, {
      LOG_LEVEL: 'silent',
      S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
      S3_ACCESS_KEY: 'unit',
      S3_SECRET_KEY: 'unit-secret',
      KUBECONFIG: kubeconfig,
      API_KEYS: 'unit-key',
    });
    const booted = await boot(await createApiApp(config));
    try {
      const live = await booted.get('/healthz');
      expect(live.status).toBe(200);
      expect(JSON.parse(live.body)).toMatchObject({ status: 'ok' });

      const ready = await booted.get('/readyz');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({
        status: 'error',
        error: { s3: { status: 'down' }, kubernetes: { status: 'down' } },
      });

      const metrics = await booted.get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.contentType).toContain('text/plain');
      expect(metrics.body).toMatch(/kubevod_process_cpu_user_seconds_total\{app="api"\} \d/);
      // the request counter saw the probes above
      expect(metrics.body).toMatch(
        /kubevod_api_http_requests_total\{method="GET",route="\/healthz",status="200",app="api"\} 1/,
      );

      const doc = JSON.parse((await booted.get('/docs/json')).body);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/videos',
          '/v1/videos/{id}',
          '/v1/videos/{id}/retry',
          '/v1/uploads',
          '/v1/uploads/{id}',
        ]),
      );
      expect((await booted.get('/docs')).status).toBe(200);

      const unauthenticated = await booted.get('/v1/videos');
      expect(unauthenticated.status).toBe(401);
      expect(JSON.parse(unauthenticated.body)).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        reason: 'MissingApiKey',
        message: 'an API key is required: send the header "Authorization: Bearer <key>"',
      });
      const listed = await fetch(`${booted.url}/v1/videos`, {
        headers: { authorization: 'Bearer unit-key' },
      });
      expect(listed.status).toBe(503);
      expect(await listed.json()).toMatchObject({ reason: 'KubernetesUnavailable' });
    } finally {
      await booted.close();
    }
  });

  it('names the bad variable when the configuration is invalid', () => {
    expect(() => loadConfig(ApiConfigSchema, { PORT: 'eighty' })).toThrow(/PORT: /);
    expect(() => loadConfig(ApiConfigSchema, { LOG_LEVEL: 'silent' })).toThrow(/S3_ENDPOINT: /);
  });

  it('refuses to start without API keys unless authentication is off', async () => {
    const base = {
      LOG_LEVEL: 'silent',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_ACCESS_KEY: 'unit',
      S3_SECRET_KEY: 'unit-secret',
      KUBECONFIG: join(dir, 'kubeconfig'),
    };
    await expect(createApiApp(loadConfig(ApiConfigSchema, base))).rejects.toThrow(
      /no API keys are configured/,
    );
    const open = await createApiApp(
      loadConfig(ApiConfigSchema, { ...base, AUTH_REQUIRED: 'false' }),
    );
    await open.close();
  });
});
