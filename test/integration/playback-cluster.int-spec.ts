import { loadConfig } from '@kubevod/runtime';
import { MinioObjectStore, StorageConfigSchema } from '@kubevod/storage';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeFixture, publishDir } from '../../apps/playback/test/fixture-publisher';

/**
 * PLAYBACK_WORKERS=2: the real playback process (main.ts) as a node:cluster primary with two
 * workers on one port, against a real MinIO. /metrics, answered by whichever worker, must count
 * the requests of both.
 */

const ROOT = path.join(__dirname, '..', '..');
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

const storageEnv = loadConfig(StorageConfigSchema, process.env);
const bucket = `pbc-${randomBytes(4).toString('hex')}`;
const store = MinioObjectStore.fromConfig({ ...storageEnv, S3_BUCKET: bucket });
let fixtureDir: string;
let child: ChildProcess;
let output = '';
let base: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** One GET on its own connection (no keep-alive), so the cluster hands it to the next worker. */
function getOnNewConnection(
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${p}`, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one series, its labels in any order (aggregation puts `app` last). */
function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries({ ...labels, app: 'playback' })
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (m?.[1] === name && m[2].split(',').sort().join(',') === want) return Number(m[3]);
  }
  return 0;
}

beforeAll(async () => {
  await store.ensureBucket(bucket);
  fixtureDir = await mkdtemp(path.join(tmpdir(), 'kubevod-playback-cluster-'));
  await encodeFixture(fixtureDir);
  await publishDir(store, bucket, 'ready-video', fixtureDir);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // ts-node (transpile only) keeps decorator metadata, which tsx drops; the workers are forked
  // with the same flags
  child = spawn(
    process.execPath,
    ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/playback/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TS_NODE_TRANSPILE_ONLY: 'true',
        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        S3_BUCKET: bucket,
        PORT: String(port),
        PLAYBACK_WORKERS: '2',
        CACHE_TTL_MS: '600000', // one lookup per worker, however slow the machine
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 90_000;
  while (!output.includes('every worker is listening')) {
    if (child.exitCode !== null) throw new Error(`playback exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the workers did not listen in 90 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 150_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL'); // only if the SIGTERM test did not stop it
  }
  await store.removePrefix(bucket, 'videos/').catch(() => undefined);
  await store.client.removeBucket(bucket).catch(() => undefined);
  if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
});

describe('playback with PLAYBACK_WORKERS=2', () => {
  it('serves from two workers and /metrics counts the requests of both', async () => {
    const workers = [...output.matchAll(/"worker":(\d+),"msg":"playback started listening"/g)];
    expect(workers.map((m) => m[1]).sort()).toEqual(['1', '2']);

    const n = 20;
    for (let i = 0; i < n; i++) {
      const res = await getOnNewConnection('/v1/play/ready-video', { 'user-agent': IPHONE });
      expect(res.status).toBe(200);
      expect(res.body).toContain('#EXTM3U');
    }
    // every scrape, whichever worker answers it, sees the same totals
    for (let i = 0; i < 4; i++) {
      const res = await getOnNewConnection('/metrics');
      expect(res.status).toBe(200);
      const text = res.body;
      expect(
        metric(text, 'kubevod_playback_selections_total', {
          format: 'hls',
          platform: 'ios',
          via: 'user-agent',
          answer: 'manifest',
        }),
      ).toBe(n);
      expect(
        metric(text, 'kubevod_playback_request_duration_seconds_count', {
          route: '/v1/play/:id',
          method: 'GET',
          status: '200',
        }),
      ).toBe(n);
      // each worker looked the video up once and remembered its answer: both served requests
      expect(
        metric(text, 'kubevod_playback_cache_lookups_total', { cache: 'video', result: 'miss' }),
      ).toBe(2);
      expect(
        metric(text, 'kubevod_playback_cache_lookups_total', { cache: 'response', result: 'hit' }),
      ).toBe(n - 2);
      expect(text).toMatch(/kubevod_process_cpu_user_seconds_total\{app="playback"\} [\d.]+/);
    }
  });

  it('stops every worker and exits on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('stopped every worker');
    await expect(getOnNewConnection('/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});
