/**
 * The `kubevod` CLI end to end against the API running as its own process, on a real
 * kube-apiserver and a real MinIO; and the API's graceful shutdown with an upload in flight.
 * There is no controller here: where the CLI waits for a transcode, the test writes the
 * Transcode's status itself, as the controller would.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  objectKeys,
  TRANSCODE_GROUP,
  TRANSCODE_PLURAL,
  TRANSCODE_VERSION,
  type Transcode,
} from '@kubevod/contracts';
import { minioClientFrom } from '@kubevod/storage';
import { startApiProcess, type ApiProcess } from '../../apps/api/support/api-process';
import { waitFor } from '../../apps/api/support/free-port';
import { makeMediaLikeFile, makeSmallMp4, sha256File } from '../../apps/api/support/media-fixture';
import { freshNamespace } from '../setup/namespace';
import { installCrd } from '../support/kubectl';

const ROOT = resolve(__dirname, '..', '..');
// jest takes testTimeout only from the global config, not from a project's: set it here.
jest.setTimeout(180_000);
const KEY = 'cli-key';
const PLAYBACK = 'http://playback.cli.test';

let ns: Awaited<ReturnType<typeof freshNamespace>>;
let api: ApiProcess;
let custom: CustomObjectsApi;
let dir: string;
let smallMp4: string;
let bucket: string;

const s3Env = () => ({
  S3_ENDPOINT: process.env.S3_ENDPOINT!,
  S3_ACCESS_KEY: process.env.S3_ACCESS_KEY!,
  S3_SECRET_KEY: process.env.S3_SECRET_KEY!,
  S3_REGION: process.env.S3_REGION ?? 'us-east-1',
});

const tc = { group: TRANSCODE_GROUP, version: TRANSCODE_VERSION, plural: TRANSCODE_PLURAL };

async function transcodes(): Promise<Transcode[]> {
  return (
    (await custom.listNamespacedCustomObject({ ...tc, namespace: ns.name })) as {
      items: Transcode[];
    }
  ).items;
}

async function setStatus(name: string, status: Transcode['status']): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus(
    { ...tc, namespace: ns.name, name, body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run kubevod -- ARGS` the way a person would (Node 24 through tsx). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'apps/cli/src/main.ts'), ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          KUBEVOD_API_URL: api.url,
          KUBEVOD_API_KEY: KEY,
          KUBEVOD_PLAYBACK_URL: PLAYBACK,
          XDG_CONFIG_HOME: join(dir, 'config'),
          ...env,
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  installCrd(ROOT);
  ns = await freshNamespace('api-cli');
  bucket = `kubevod-cli-${randomBytes(4).toString('hex')}`;
  await minioClientFrom(s3Env()).makeBucket(bucket);
  const kc = new KubeConfig();
  kc.loadFromDefault();
  custom = kc.makeApiClient(CustomObjectsApi);
  dir = mkdtempSync(join(tmpdir(), 'kubevod-cli-int-'));
  smallMp4 = join(dir, 'small.mp4');
  makeSmallMp4(smallMp4);
  api = await startApiProcess({
    ...s3Env(),
    S3_BUCKET: bucket,
    KUBECONFIG: process.env.KUBECONFIG!,
    TRANSCODE_NAMESPACE: ns.name,
    API_KEYS: KEY,
    TUS_PART_SIZE_MIB: '5',
    LOG_LEVEL: 'info',
  });
});

afterAll(async () => {
  await api?.stop();
  await ns?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubevod CLI against the API process', () => {
  it('uploads a generated video, follows the transcode and prints the playback URLs', async () => {
    const running = cli([
      'upload',
      smallMp4,
      '--profile',
      'mobile',
      '--label',
      'team=cli',
      '--interval',
      '0.3',
      '--timeout',
      '60',
    ]);
    // Play the controller: once the Transcode exists, move it along to Succeeded.
    let name = '';
    await waitFor('the Transcode to be created', async () => {
      const items = await transcodes();
      name = items.find((t) => t.metadata.labels?.team === 'cli')?.metadata.name ?? '';
      return name !== '';
    });
    await setStatus(name, { phase: 'Running', progress: { percent: 50 } });
    await new Promise((r) => setTimeout(r, 800));
    await setStatus(name, {
      phase: 'Succeeded',
      progress: { percent: 100 },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Succeeded',
          message: 'published',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    const result = await running;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `uploaded ${name} (${readFileSync(smallMp4).length} bytes, mp4)`,
    );
    expect(result.stdout).toContain(`ready: ${name}`);
    expect(result.stdout).toContain(`play:  ${PLAYBACK}/v1/play/${name}`);
    expect(result.stdout).toContain(`watch: ${PLAYBACK}/watch/${name}`);

    const t = (await transcodes()).find((x) => x.metadata.name === name)!;
    expect(t.spec.ladder).toEqual({ profile: 'mobile' });
    expect(t.spec.source).toEqual({ bucket, key: objectKeys.source(name) });
    expect(t.metadata.annotations?.['media.kubevod.io/uploaded-via']).toBe('multipart');
  });

  it('uploads with tus, then status, ls and rm work on the video', async () => {
    const file = join(dir, 'tus.mp4');
    makeMediaLikeFile(file, 12 * 1024 * 1024, smallMp4);
    const up = await cli(['upload', file, '--protocol', 'tus', '--label', 'team=tus', '--no-wait']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const id = /uploaded (v[a-z2-7]{12}) \((\d+) bytes, mp4\)/.exec(up.stdout)?.[1];
    expect(id).toBeDefined();
    const t = (await transcodes()).find((x) => x.metadata.name === id)!;
    expect(t.metadata.annotations?.['media.kubevod.io/uploaded-via']).toBe('tus');
    expect(t.metadata.annotations?.['media.kubevod.io/source-bytes']).toBe(
      String(12 * 1024 * 1024),
    );
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256');
    for await (const c of await minioClientFrom(s3Env()).getObject(
      bucket,
      objectKeys.source(id!),
    )) {
      hash.update(c as Buffer);
    }
    expect(hash.digest('hex')).toBe(sha256File(file));

    const status = await cli(['status', id!]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^id\\s+${id}$`, 'm'));
    expect(status.stdout).toMatch(/^phase\s+Pending$/m);
    expect(status.stdout).toMatch(/^labels\s+team=tus$/m);

    const ls = await cli(['ls', '--label', 'team=tus']);
    expect(ls.code).toBe(0);
    const lines = ls.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PHASE\s+PROGRESS\s+REASON\s+CREATED\s+FILE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([id]);
    expect(lines[1]).toContain('tus.mp4');

    const rm = await cli(['rm', id!]);
    expect(rm).toMatchObject({ code: 0, stdout: `deleting ${id}\n` });
    expect((await transcodes()).map((x) => x.metadata.name)).not.toContain(id);
    const gone = await cli(['status', id!]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`error: 404 VideoNotFound: no video ${id}\n`);
  });

  it('says why an upload was refused, with the API reason and exit code 1', async () => {
    const wrongKey = await cli(['upload', smallMp4, '--no-wait'], { KUBEVOD_API_KEY: 'nope' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('error: 403 InvalidApiKey: the API key is not valid');
    const badOptions = await cli(['upload', smallMp4, '--no-wait', '--formats', 'hls,flv']);
    expect(badOptions.code).toBe(1);
    expect(badOptions.stderr).toContain(
      'error: 400 InvalidOptions:\n  formats.1: Invalid option: expected one of "hls"|"dash"',
    );
  });
});

describe('api process shutdown', () => {
  it('lets an in-flight upload finish on SIGTERM, then exits', async () => {
    const own = await startApiProcess({
      ...s3Env(),
      S3_BUCKET: bucket,
      KUBECONFIG: process.env.KUBECONFIG!,
      TRANSCODE_NAMESPACE: ns.name,
      API_KEYS: KEY,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_SECONDS: '30',
    });
    const body = readFileSync(smallMp4);
    const boundary = 'shutdownboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.mp4"\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(`${own.url}/v1/videos`);
    let exitedAt = 0;
    const response = new Promise<{ status: number; body: string; at: number }>((ok, fail) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': String(head.length + body.length + tail.length),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body: text, at: Date.now() }));
        },
      );
      req.on('error', fail);
      // Half the file now, SIGTERM, the rest two seconds later.
      req.write(head);
      req.write(body.subarray(0, body.length / 2));
      setTimeout(() => {
        process.kill(own.pid, 'SIGTERM');
        const exit = own.stop().then(() => (exitedAt = Date.now()));
        setTimeout(() => {
          req.write(body.subarray(body.length / 2));
          req.end(tail);
        }, 2000);
        void exit;
      }, 500);
    });
    const res = await response;
    await own.stop();
    expect(res.status).toBe(201);
    const created = JSON.parse(res.body) as { id: string; bytes: number };
    expect(created.bytes).toBe(body.length);
    expect((await transcodes()).map((t) => t.metadata.name)).toContain(created.id);
    expect(exitedAt).toBeGreaterThanOrEqual(res.at);
    expect(own.output()).toContain('shutdown started');
  });
});
