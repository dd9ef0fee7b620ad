/**
 * The API against a real kube-apiserver and a real MinIO: uploads (multipart and tus), the
 * lifecycle routes, the documented errors, and that nothing is left behind when an upload fails.
 */
import 'reflect-metadata';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Client } from 'minio';
import * as tus from 'tus-js-client';
import {
  objectKeys,
  TRANSCODE_GROUP,
  TRANSCODE_PLURAL,
  TRANSCODE_VERSION,
  type ReadyRecord,
  type Transcode,
} from '@kubevod/contracts';
import { loadConfig } from '@kubevod/runtime';
import { minioClientFrom } from '@kubevod/storage';
import { createApiApp } from '../../apps/api/src/app';
import { ApiConfigSchema } from '../../apps/api/src/config';
import { TusUploadsService } from '../../apps/api/src/uploads/tus-uploads.service';
import { waitFor } from '../../apps/api/support/free-port';
import { makeMediaLikeFile, makeSmallMp4, sha256File } from '../../apps/api/support/media-fixture';
import { startThrowawayMinio, type ThrowawayMinio } from '../../apps/api/support/throwaway-minio';
import { freshNamespace } from '../setup/namespace';
import { deadEndpoint } from '../support/dead-endpoint';
import { boot, expectOperationalEndpoints, type BootedApp } from '../support/http-boot';
import { installCrd } from '../support/kubectl';

const ROOT = resolve(__dirname, '..', '..');
// jest takes testTimeout only from the global config, not from a project's: set it here.
jest.setTimeout(180_000);
const MiB = 1024 * 1024;
const MAX_UPLOAD = 20 * MiB;
const KEY = 'integration-key';
const AUTH = { authorization: `Bearer ${KEY}` };

let ns: Awaited<ReturnType<typeof freshNamespace>>;
let api: BootedApp;
let bucket: string;
let s3: Client;
let custom: CustomObjectsApi;
let dir: string;
let smallMp4: string;

function s3Env() {
  return {
    S3_ENDPOINT: process.env.S3_ENDPOINT!,
    S3_ACCESS_KEY: process.env.S3_ACCESS_KEY!,
    S3_SECRET_KEY: process.env.S3_SECRET_KEY!,
    S3_REGION: process.env.S3_REGION ?? 'us-east-1',
  };
}

async function bootApi(env: Record<string, string>): Promise<BootedApp> {
  const config = loadConfig(ApiConfigSchema, {
    LOG_LEVEL: process.env.API_TEST_LOG_LEVEL ?? 'silent',
    KUBECONFIG: process.env.KUBECONFIG,
    TRANSCODE_NAMESPACE: ns.name,
    API_KEYS: KEY,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    TUS_PART_SIZE_MIB: '5',
    PLAYBACK_URL: 'http://playback.test',
    ...env,
  });
  return boot(await createApiApp(config));
}

async function listTranscodes(namespace = ns.name): Promise<Transcode[]> {
  const list = (await custom.listNamespacedCustomObject({
    group: TRANSCODE_GROUP,
    version: TRANSCODE_VERSION,
    plural: TRANSCODE_PLURAL,
    namespace,
  })) as { items: Transcode[] };
  return list.items;
}

async function getTranscode(name: string): Promise<Transcode> {
  return (await custom.getNamespacedCustomObject({
    group: TRANSCODE_GROUP,
    version: TRANSCODE_VERSION,
    plural: TRANSCODE_PLURAL,
    namespace: ns.name,
    name,
  })) as Transcode;
}

async function setStatus(name: string, status: Transcode['status']): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus(
    {
      group: TRANSCODE_GROUP,
      version: TRANSCODE_VERSION,
      plural: TRANSCODE_PLURAL,
      namespace: ns.name,
      name,
      body: { status },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function objectKeysIn(client: Client, b: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of client.listObjectsV2(b, '', true)) if (o.name) keys.push(o.name);
  return keys.sort();
}

/** MinIO lists incomplete multipart uploads only by exact key or with NO prefix: list with none. */
async function incompleteUploads(client: Client, b: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const u of client.listIncompleteUploads(b, '', true)) keys.push(u.key);
  return keys;
}

async function sha256Object(key: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for await (const chunk of await s3.getObject(bucket, key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function postForm(
  form: FormData,
  headers: Record<string, string> = AUTH,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${api.url}/v1/videos`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as never, headers: res.headers };
}

const fileForm = (path: string, fields: Record<string, string> = {}) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([readFileSync(path)]), 'clip.mp4');
  return form;
};

beforeAll(async () => {
  installCrd(ROOT);
  ns = await freshNamespace('api');
  bucket = `kubevod-api-${randomBytes(4).toString('hex')}`;
  s3 = minioClientFrom(s3Env());
  await s3.makeBucket(bucket);
  const kc = new KubeConfig();
  kc.loadFromDefault();
  custom = kc.makeApiClient(CustomObjectsApi);
  dir = mkdtempSync(join(tmpdir(), 'kubevod-api-int-'));
  smallMp4 = join(dir, 'small.mp4');
  makeSmallMp4(smallMp4);
  api = await bootApi({ ...s3Env(), S3_BUCKET: bucket });
});

afterAll(async () => {
  await api?.close();
  await ns?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('api against a real apiserver and MinIO', () => {
  it('is ready: /readyz checks the bucket and the Transcode resource', async () => {
    await expectOperationalEndpoints(api, 'api');
  });

  it('streams a multipart upload into storage and creates the Transcode with the right spec and owner labels', async () => {
    const res = await postForm(
      fileForm(smallMp4, { profile: 'mobile', formats: 'hls', labels: '{"team":"blue"}' }),
    );
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(id).toMatch(/^v[a-z2-7]{12}$/);
    expect(res.body).toEqual({
      id,
      name: id,
      namespace: ns.name,
      statusUrl: `/v1/videos/${id}`,
      phase: 'Pending',
      bytes: readFileSync(smallMp4).length,
      container: 'mp4',
    });
    expect(res.headers.get('location')).toBe(`/v1/videos/${id}`);

    const t = await getTranscode(id);
    expect(t.metadata.labels).toEqual({
      team: 'blue',
      'app.kubernetes.io/managed-by': 'kubevod-api',
      'app.kubernetes.io/part-of': 'kubevod',
    });
    expect(t.metadata.annotations).toMatchObject({
      'media.kubevod.io/original-filename': 'clip.mp4',
      'media.kubevod.io/uploaded-via': 'multipart',
    });
    expect(t.spec).toEqual({
      source: { bucket, key: objectKeys.source(id) },
      formats: ['hls'],
      ladder: { profile: 'mobile' },
      labels: { team: 'blue' },
      priority: 0,
      deletionPolicy: 'Delete',
      sourceDeletionPolicy: 'Delete',
    });
    // the source object is the client's bytes, under a key the server chose
    expect(await sha256Object(objectKeys.source(id))).toBe(sha256File(smallMp4));
    const stat = await s3.statObject(bucket, objectKeys.source(id));
    expect(stat.metaData['content-type']).toBe('video/mp4');

    const view = await (await fetch(`${api.url}/v1/videos/${id}`, { headers: AUTH })).json();
    expect(view).toMatchObject({ id, origin: 'transcode', phase: 'Pending', filename: 'clip.mp4' });
  });

  it('reports progress and playback URLs from the Transcode status, and lists with labels and continue tokens', async () => {
    const a = (await postForm(fileForm(smallMp4, { label: 'suite=list' }))).body.id as string;
    const b = (await postForm(fileForm(smallMp4, { label: 'suite=list' }))).body.id as string;
    await setStatus(a, {
      phase: 'Running',
      progress: { percent: 42 },
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'Encoding',
          message: 'encoding',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    expect(
      await (await fetch(`${api.url}/v1/videos/${a}`, { headers: AUTH })).json(),
    ).toMatchObject({ phase: 'Running', reason: 'Encoding', progress: { percent: 42 } });
    await setStatus(b, {
      phase: 'Succeeded',
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
    expect(
      await (await fetch(`${api.url}/v1/videos/${b}`, { headers: AUTH })).json(),
    ).toMatchObject({
      phase: 'Succeeded',
      playback: {
        url: `http://playback.test/v1/play/${b}`,
        watchUrl: `http://playback.test/watch/${b}`,
      },
    });

    type Page = { items: { id: string }[]; continue?: string };
    const list = async (query: string) =>
      (await (await fetch(`${api.url}/v1/videos?${query}`, { headers: AUTH })).json()) as Page;
    const first = await list('label=suite=list&limit=1');
    expect(first.items).toHaveLength(1);
    expect(typeof first.continue).toBe('string');
    // Follow the tokens to the end. With a label selector the apiserver may hand out a token
    // after the last match (other Transcodes of the namespace sort after it) and then an empty
    // last page: the API contract is "continue until there is no token", not "two pages".
    const ids = [first.items[0].id];
    let token = first.continue;
    for (let pages = 1; token !== undefined; pages++) {
      expect(pages).toBeLessThan(5);
      const page = await list(`label=suite=list&limit=1&continue=${encodeURIComponent(token)}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      ids.push(...page.items.map((item) => item.id));
      token = page.continue;
    }
    expect(ids.sort()).toEqual([a, b].sort());
  });

  it('answers from the published ready record once the Transcode is gone', async () => {
    const id = `vgone${randomBytes(4).toString('hex')}`;
    const record: ReadyRecord = {
      videoId: id,
      publishedAt: '2026-11-01T00:00:00Z',
      durationSeconds: 1,
      formats: ['hls'],
      bucket,
      prefix: objectKeys.outputPrefix(id),
      manifests: { hls: `${objectKeys.outputPrefix(id)}master.m3u8` },
      renditions: [
        { name: '240p', width: 320, height: 240, bitrateKbps: 400, codecs: 'avc1.64000d' },
      ],
      source: { durationSeconds: 1 },
      files: [],
    };
    const body = Buffer.from(JSON.stringify(record));
    await s3.putObject(bucket, objectKeys.ready(id), body, body.length);
    const view = await (await fetch(`${api.url}/v1/videos/${id}`, { headers: AUTH })).json();
    expect(view).toMatchObject({
      id,
      origin: 'published',
      phase: 'Succeeded',
      renditions: record.renditions,
      playback: { url: `http://playback.test/v1/play/${id}` },
    });
  });

  it('deletes with 202 and retries only Failed videos, bumping the retry annotation', async () => {
    const id = (await postForm(fileForm(smallMp4))).body.id as string;
    const early = await fetch(`${api.url}/v1/videos/${id}/retry`, {
      method: 'POST',
      headers: AUTH,
    });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ reason: 'NotFailed' });

    await setStatus(id, {
      phase: 'Failed',
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'JobFailed',
          message: 'boom',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    for (const n of ['1', '2']) {
      const retried = await fetch(`${api.url}/v1/videos/${id}/retry`, {
        method: 'POST',
        headers: AUTH,
      });
      expect(retried.status).toBe(202);
      expect(await retried.json()).toEqual({ id, status: 'Retrying', retry: n });
      expect((await getTranscode(id)).metadata.annotations?.['media.kubevod.io/retry']).toBe(n);
    }

    const deleted = await fetch(`${api.url}/v1/videos/${id}`, { method: 'DELETE', headers: AUTH });
    expect(deleted.status).toBe(202);
    expect(await deleted.json()).toEqual({ id, status: 'Deleting' });
    expect((await listTranscodes()).map((t) => t.metadata.name)).not.toContain(id);
    const again = await fetch(`${api.url}/v1/videos/${id}`, { method: 'DELETE', headers: AUTH });
    expect(again.status).toBe(404);
  });

  it('returns the same video for a retried Idempotency-Key; a concurrent duplicate gets 409', async () => {
    const headers = { ...AUTH, 'idempotency-key': `order-${randomBytes(4).toString('hex')}` };
    const [a, b] = await Promise.all([
      postForm(fileForm(smallMp4), headers),
      postForm(fileForm(smallMp4), headers),
    ]);
    const [first, second] = a.status === 201 ? [a, b] : [b, a];
    expect(first.status).toBe(201);
    const id = first.body.id;
    if (second.status === 409) {
      // both were in flight at once: the second was told to wait, nothing was stored for it
      expect(second.body).toMatchObject({ reason: 'IdempotencyKeyInUse' });
    } else {
      // the first had already finished: a plain replay
      expect(second).toMatchObject({ status: 200, body: { id } });
    }
    const replay = await postForm(fileForm(smallMp4), headers);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toMatchObject({ id, origin: 'transcode', phase: 'Pending' });
    const same = (await listTranscodes()).filter((t) => t.metadata.name === id);
    expect(same).toHaveLength(1);
    expect(same[0].metadata.labels?.['media.kubevod.io/idempotency-key']).toMatch(/^[0-9a-f]{63}$/);
    const other = await postForm(fileForm(smallMp4), {
      ...AUTH,
      'idempotency-key': 'another-order',
    });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(id);
  });

  describe('bad requests get the documented status codes and reasons, and leave nothing', () => {
    let before: { objects: string[]; transcodes: number };
    beforeEach(async () => {
      before = {
        objects: await objectKeysIn(s3, bucket),
        transcodes: (await listTranscodes()).length,
      };
    });
    afterEach(async () => {
      expect(await objectKeysIn(s3, bucket)).toEqual(before.objects);
      expect(await incompleteUploads(s3, bucket)).toEqual([]);
      expect((await listTranscodes()).length).toBe(before.transcodes);
    });

    it('401 without a key, 401 for a malformed header, 403 for a wrong key', async () => {
      const missing = await postForm(fileForm(smallMp4), {});
      expect(missing).toMatchObject({ status: 401, body: { reason: 'MissingApiKey' } });
      const malformed = await postForm(fileForm(smallMp4), { authorization: 'Basic abc' });
      expect(malformed).toMatchObject({ status: 401, body: { reason: 'MalformedAuthorization' } });
      const wrong = await postForm(fileForm(smallMp4), { authorization: 'Bearer not-the-key' });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        reason: 'InvalidApiKey',
        message: 'the API key is not valid',
      });
    });

    it('400 with field errors for bad options', async () => {
      const res = await postForm(
        fileForm(smallMp4, {
          renditions: '[{"name":"tiny","height":10,"videoBitrateKbps":100}]',
          formats: 'hls,flv',
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        reason: 'InvalidOptions',
      });
      expect(res.body.fields).toEqual([
        { path: 'formats.1', message: 'Invalid option: expected one of "hls"|"dash"' },
        { path: 'ladder.renditions.0.height', message: 'Too small: expected number to be >=64' },
      ]);
    });

    it('400 when the form has no file', async () => {
      const form = new FormData();
      form.append('profile', 'default');
      expect(await postForm(form)).toMatchObject({ status: 400, body: { reason: 'MissingFile' } });
    });

    it('415 for what is plainly not media, and for a body that is not multipart', async () => {
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'these are notes, not a video\n'.repeat(100));
      expect(await postForm(fileForm(text))).toMatchObject({
        status: 415,
        body: { reason: 'UnsupportedMediaType' },
      });
      const raw = await fetch(`${api.url}/v1/videos`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/octet-stream' },
        body: readFileSync(smallMp4),
      });
      expect(raw.status).toBe(415);
      expect(await raw.json()).toMatchObject({ reason: 'UnsupportedContentType' });
    });

    it('413 for a declared size over the limit, before reading the body', async () => {
      const res = await rawMultipart({ declaredFileBytes: MAX_UPLOAD + 2 * MiB, sendBytes: MiB });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ reason: 'PayloadTooLarge' });
    });

    it('413 for a chunked upload that grows past the limit: the multipart upload is aborted', async () => {
      const res = await rawMultipart({ chunked: true, sendBytes: MAX_UPLOAD + MiB });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        reason: 'PayloadTooLarge',
        message: `the upload is larger than the limit of ${MAX_UPLOAD} bytes`,
      });
    });

    it('404 for unknown videos and routes', async () => {
      const unknown = await fetch(`${api.url}/v1/videos/vdoesnotexist`, { headers: AUTH });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        reason: 'VideoNotFound',
        message: 'no video vdoesnotexist',
      });
      const route = await fetch(`${api.url}/v1/nothing`, { headers: AUTH });
      expect(route.status).toBe(404);
      expect(await route.json()).toMatchObject({ reason: 'RouteNotFound' });
      const bad = await fetch(`${api.url}/v1/videos?label=oops`, { headers: AUTH });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ reason: 'InvalidLabelSelector' });
    });

    it('a client that disconnects midway leaves no object, no incomplete upload and no Transcode', async () => {
      // More than one 16 MiB part is sent, so a multipart upload exists when the client goes away.
      await rawMultipart({
        declaredFileBytes: MAX_UPLOAD - MiB,
        sendBytes: 18 * MiB,
        abortAfterSend: true,
        beforeAbort: () =>
          waitFor(
            'a multipart upload to start',
            async () => (await incompleteUploads(s3, bucket)).length > 0,
          ),
      });
      await waitFor(
        'the aborted upload to be cleaned up',
        async () =>
          (await incompleteUploads(s3, bucket)).length === 0 &&
          (await objectKeysIn(s3, bucket)).length === before.objects.length,
        20_000,
      );
    });
  });

  describe('tus', () => {
    it('resumes an upload killed at 50% and completes with a byte-identical source object', async () => {
      const file = join(dir, 'resumable.mp4');
      makeMediaLikeFile(file, 16 * MiB, smallMp4);
      const data = readFileSync(file);
      const common = {
        headers: AUTH,
        metadata: { filename: 'resumable.mp4', profile: 'mobile', labels: '{"via":"tus"}' },
        chunkSize: Infinity,
        retryDelays: null,
      };

      // 1st attempt: the client goes away once half the bytes are sent.
      const uploadUrl = await new Promise<string>((resolvePromise, reject) => {
        const upload: tus.Upload = new tus.Upload(data, {
          ...common,
          endpoint: `${api.url}/v1/uploads`,
          onProgress: (sent, total) => {
            if (sent >= total / 2 && upload.url) {
              const url = upload.url;
              void upload.abort().then(() => resolvePromise(url));
            }
          },
          onSuccess: () => reject(new Error('the upload finished before it was killed')),
          onError: reject,
        });
        upload.start();
      });
      const id = uploadUrl.split('/').pop()!;
      expect(uploadUrl).toBe(`${api.url}/v1/uploads/${id}`);

      // The server kept what arrived: an offset between 0 and the size.
      let offset = 0;
      await waitFor('the server to settle the offset', async () => {
        const head = await fetch(uploadUrl, {
          method: 'HEAD',
          headers: { ...AUTH, 'tus-resumable': '1.0.0' },
        });
        offset = Number(head.headers.get('upload-offset'));
        return head.status === 200 && offset > 0;
      });
      expect(offset).toBeLessThan(data.length);
      expect((await listTranscodes()).map((t) => t.metadata.name)).not.toContain(id);

      // 2nd attempt: resume from the server's offset.
      let firstProgress = -1;
      const finished = await new Promise<tus.HttpResponse>((resolvePromise, reject) => {
        new tus.Upload(data, {
          ...common,
          uploadUrl,
          onProgress: (sent) => {
            if (firstProgress < 0) firstProgress = sent;
          },
          onSuccess: ({ lastResponse }) => resolvePromise(lastResponse),
          onError: reject,
        }).start();
      });
      expect(firstProgress).toBeGreaterThanOrEqual(offset);
      expect(finished.getHeader('Video-Id')).toBe(id);
      expect(JSON.parse(finished.getBody())).toMatchObject({
        id,
        phase: 'Pending',
        bytes: data.length,
      });

      expect(await sha256Object(objectKeys.source(id))).toBe(sha256File(file));
      const keys = (await objectKeysIn(s3, bucket)).filter((k) => k.startsWith(`sources/${id}/`));
      expect(keys).toEqual([objectKeys.source(id)]); // no .info / .part left
      const t = await getTranscode(id);
      expect(t.spec.ladder).toEqual({ profile: 'mobile' });
      expect(t.metadata.labels).toMatchObject({
        via: 'tus',
        'app.kubernetes.io/managed-by': 'kubevod-api',
      });
      expect(t.metadata.annotations).toMatchObject({
        'media.kubevod.io/uploaded-via': 'tus',
        'media.kubevod.io/original-filename': 'resumable.mp4',
      });
    });

    it('refuses bad options at creation and a non-media file at the end, leaving nothing', async () => {
      const before = await objectKeysIn(s3, bucket);
      const transcodes = (await listTranscodes()).length;
      const badOptions = await fetch(`${api.url}/v1/uploads`, {
        method: 'POST',
        headers: {
          ...AUTH,
          'tus-resumable': '1.0.0',
          'upload-length': '1000',
          'upload-metadata': `profile ${Buffer.from('huge').toString('base64')}`,
        },
      });
      expect(badOptions.status).toBe(400);
      expect(await badOptions.json()).toMatchObject({
        reason: 'InvalidOptions',
        fields: [{ path: 'ladder.profile' }],
      });

      const unauthenticated = await fetch(`${api.url}/v1/uploads`, {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '1000' },
      });
      expect(unauthenticated.status).toBe(401);
      expect(await unauthenticated.json()).toMatchObject({ reason: 'MissingApiKey' });

      const tooBig = await fetch(`${api.url}/v1/uploads`, {
        method: 'POST',
        headers: { ...AUTH, 'tus-resumable': '1.0.0', 'upload-length': String(MAX_UPLOAD + 1) },
      });
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toMatchObject({ reason: 'PayloadTooLarge' });

      const error = await new Promise<tus.DetailedError>((resolvePromise, reject) => {
        new tus.Upload(Buffer.from('plain text, not a video\n'.repeat(1000)), {
          endpoint: `${api.url}/v1/uploads`,
          headers: AUTH,
          retryDelays: null,
          onSuccess: () => reject(new Error('a text file was accepted')),
          onError: (err) => resolvePromise(err as tus.DetailedError),
        }).start();
      });
      expect(error.originalResponse?.getStatus()).toBe(415);
      expect(JSON.parse(error.originalResponse!.getBody())).toMatchObject({
        reason: 'UnsupportedMediaType',
      });
      expect(await objectKeysIn(s3, bucket)).toEqual(before);
      expect(await incompleteUploads(s3, bucket)).toEqual([]);
      expect((await listTranscodes()).length).toBe(transcodes);
    });

    it('loads tus on the first tus request only; the sweep removes expired uploads without it', async () => {
      const isolated = `kubevod-api-${randomBytes(4).toString('hex')}`;
      await s3.makeBucket(isolated);
      const app = await createApiApp(
        loadConfig(ApiConfigSchema, {
          LOG_LEVEL: process.env.API_TEST_LOG_LEVEL ?? 'silent',
          KUBECONFIG: process.env.KUBECONFIG,
          TRANSCODE_NAMESPACE: ns.name,
          API_KEYS: KEY,
          TUS_EXPIRY_HOURS: '24',
          ...s3Env(),
          S3_BUCKET: isolated,
        }),
      );
      const booted = await boot(app);
      const service = app.get(TusUploadsService);
      try {
        // A tus upload abandoned by its client: the multipart upload and the store's .info.
        const key = objectKeys.source('abandoned-upload');
        await s3.initiateNewMultipartUpload(isolated, key, {});
        await s3.putObject(isolated, `${key}.info`, Buffer.from('{}'));

        expect(await service.sweep()).toBe(0); // not yet expired
        expect(await incompleteUploads(s3, isolated)).toEqual([key]);
        expect(await service.sweep(Date.now() + 25 * 3600_000)).toBe(1);
        expect(await incompleteUploads(s3, isolated)).toEqual([]);
        expect(await objectKeysIn(s3, isolated)).toEqual([]);
        expect(service.loaded).toBe(false);

        const unauthenticated = await fetch(`${booted.url}/v1/uploads`, { method: 'POST' });
        expect(unauthenticated.status).toBe(401);
        expect(service.loaded).toBe(false);

        const created = await fetch(`${booted.url}/v1/uploads`, {
          method: 'POST',
          headers: { ...AUTH, 'tus-resumable': '1.0.0', 'upload-length': '1000' },
        });
        expect(created.status).toBe(201);
        expect(service.loaded).toBe(true);
        const id = created.headers.get('location')!.split('/').pop()!;
        const removed = await fetch(`${booted.url}/v1/uploads/${id}`, {
          method: 'DELETE',
          headers: { ...AUTH, 'tus-resumable': '1.0.0' },
        });
        expect(removed.status).toBe(204);
        expect(await incompleteUploads(s3, isolated)).toEqual([]);
      } finally {
        await booted.close();
        await s3.removeObjects(isolated, await objectKeysIn(s3, isolated));
        await s3.removeBucket(isolated);
      }
    });
  });

  describe('when a dependency is down', () => {
    it('answers 503 KubernetesUnavailable and removes the stored source when the Transcode cannot be created', async () => {
      const apiserver = await deadEndpoint();
      const kubeconfig = join(dir, 'dead-kubeconfig');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: dead, cluster: { server: "${apiserver.url}" } }]
users: [{ name: dead, user: {} }]
contexts: [{ name: dead, context: { cluster: dead, user: dead } }]
current-context: dead
`,
      );
      const isolated = `kubevod-api-${randomBytes(4).toString('hex')}`;
      await s3.makeBucket(isolated);
      const broken = await bootApi({ ...s3Env(), S3_BUCKET: isolated, KUBECONFIG: kubeconfig });
      try {
        const res = await fetch(`${broken.url}/v1/videos`, {
          method: 'POST',
          headers: AUTH,
          body: fileForm(smallMp4),
        });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({
          statusCode: 503,
          reason: 'KubernetesUnavailable',
        });
        expect(await objectKeysIn(s3, isolated)).toEqual([]);
        expect(await incompleteUploads(s3, isolated)).toEqual([]);
      } finally {
        await broken.close();
        await apiserver.close();
      }
    });

    it('answers 503 StorageUnavailable when MinIO is stopped, and creates no Transcode', async () => {
      let minio: ThrowawayMinio | undefined;
      let app: BootedApp | undefined;
      try {
        minio = await startThrowawayMinio();
        app = await bootApi({
          S3_ENDPOINT: minio.endpoint,
          S3_ACCESS_KEY: minio.accessKey,
          S3_SECRET_KEY: minio.secretKey,
          S3_BUCKET: 'kubevod-down',
        });
        expect((await app.get('/readyz')).status).toBe(200); // creates the bucket
        const transcodes = (await listTranscodes()).length;
        await minio.kill();

        const res = await fetch(`${app.url}/v1/videos`, {
          method: 'POST',
          headers: AUTH,
          body: fileForm(smallMp4),
        });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({
          statusCode: 503,
          error: 'Service Unavailable',
          reason: 'StorageUnavailable',
        });
        const tusCreate = await fetch(`${app.url}/v1/uploads`, {
          method: 'POST',
          headers: { ...AUTH, 'tus-resumable': '1.0.0', 'upload-length': '1000' },
        });
        expect(tusCreate.status).toBe(503);
        expect(await tusCreate.json()).toMatchObject({ reason: 'StorageUnavailable' });
        expect((await listTranscodes()).length).toBe(transcodes);
        const ready = await app.get('/readyz');
        expect(ready.status).toBe(503);
        expect(JSON.parse(ready.body)).toMatchObject({ error: { s3: { status: 'down' } } });
      } finally {
        await app?.close();
        await minio?.cleanup();
      }
    });
  });
});

/**
 * A multipart POST written by hand: a declared (or chunked) size, `sendBytes` of media-looking
 * file bytes, and optionally a disconnect instead of finishing.
 */
function rawMultipart(opts: {
  declaredFileBytes?: number;
  sendBytes: number;
  chunked?: boolean;
  abortAfterSend?: boolean;
  beforeAbort?: () => Promise<void>;
}): Promise<{ status: number; body: string }> {
  const boundary = `----kvtest${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n` +
      `Content-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const mp4Head = readFileSync(smallMp4).subarray(0, 512);
  const url = new URL(`${api.url}/v1/videos`);
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          ...AUTH,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          ...(opts.chunked
            ? {}
            : {
                'content-length': String(
                  head.length + (opts.declaredFileBytes ?? opts.sendBytes) + tail.length,
                ),
              }),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', (err) => {
      if (opts.abortAfterSend) return;
      if (
        (err as NodeJS.ErrnoException).code === 'EPIPE' ||
        (err as NodeJS.ErrnoException).code === 'ECONNRESET'
      ) {
        // the server answered and closed while we were still sending: the response handler resolves
      } else reject(err);
    });
    void (async () => {
      const write = (chunk: Buffer) =>
        new Promise<void>((ok) => {
          if (req.destroyed) return ok();
          if (req.write(chunk)) ok();
          else req.once('drain', ok);
          req.once('close', ok);
        });
      await write(head);
      await write(mp4Head);
      let sent = mp4Head.length;
      const block = randomBytes(MiB);
      while (sent < opts.sendBytes && !req.destroyed) {
        const n = Math.min(block.length, opts.sendBytes - sent);
        await write(block.subarray(0, n));
        sent += n;
      }
      if (opts.abortAfterSend) {
        await opts.beforeAbort?.();
        req.destroy();
        resolvePromise({ status: 0, body: '' });
        return;
      }
      if (!req.destroyed) {
        if (opts.chunked) await write(tail);
        req.end();
      }
    })().catch(reject);
  });
}
