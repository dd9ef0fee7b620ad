import 'reflect-metadata';
import { objectKeys, progressKey } from '@kubevod/contracts';
import { loadConfig } from '@kubevod/runtime';
import { MinioObjectStore, StorageConfigSchema } from '@kubevod/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPlaybackApp } from '../../apps/playback/src/app';
import { PlaybackConfigSchema } from '../../apps/playback/src/config';
import { encodeFixture, publishDir } from '../../apps/playback/test/fixture-publisher';
import { deadEndpoint, type DeadEndpoint } from '../support/dead-endpoint';
import { expectOperationalEndpoints, type BootedApp } from '../support/http-boot';

/** Playback against a real MinIO (S3_* from the integration global setup). */

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const storageEnv = loadConfig(StorageConfigSchema, process.env);
const bucket = `pb-${randomBytes(4).toString('hex')}`;
const store = MinioObjectStore.fromConfig({ ...storageEnv, S3_BUCKET: bucket });
let fixtureDir: string;

interface Running {
  url: string;
  app: NestFastifyApplication;
  get(p: string, headers?: Record<string, string>): Promise<Response>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const config = loadConfig(PlaybackConfigSchema, {
    ...process.env,
    LOG_LEVEL: 'silent',
    S3_BUCKET: bucket,
    ...env,
  });
  const app = await createPlaybackApp(config);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    url,
    app,
    get: (p, headers = {}) => fetch(url + p, { headers, redirect: 'manual' }),
  };
}

const running: Running[] = [];
const afterAllClose: DeadEndpoint[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.app.close()));
  await Promise.all(afterAllClose.map((d) => d.close()));
  await store.removePrefix(bucket, 'videos/').catch(() => undefined);
  await store.removePrefix(bucket, 'sources/').catch(() => undefined);
  await store.removePrefix(bucket, 'progress/').catch(() => undefined);
  await store.client.removeBucket(bucket).catch(() => undefined);
  if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
});

beforeAll(async () => {
  await store.ensureBucket(bucket);
  fixtureDir = await mkdtemp(path.join(tmpdir(), 'kubevod-playback-'));
  await encodeFixture(fixtureDir);
  await publishDir(store, bucket, 'ready-video', fixtureDir);
  await publishDir(store, bucket, 'dash-only', fixtureDir, { formats: ['dash'] });
  await store.putJson(bucket, objectKeys.source('uploaded-video'), { not: 'media' });
  await store.putJson(bucket, progressKey('encoding-video'), { percent: 40 });
}, 120_000);

describe('origin mode', () => {
  let o: Running;
  beforeAll(async () => {
    o = await start({ PLAYBACK_MODE: 'origin' });
    running.push(o);
  });

  it('is ready when storage answers', async () => {
    const booted: BootedApp = {
      url: o.url,
      get: async (p) => {
        const res = await o.get(p);
        return {
          status: res.status,
          body: await res.text(),
          contentType: res.headers.get('content-type'),
        };
      },
      close: async () => undefined,
    };
    await expectOperationalEndpoints(booted, 'playback');
  });

  it('serves HLS to an iPhone, rebased onto the origin routes', async () => {
    const res = await o.get('/v1/play/ready-video', { 'user-agent': IPHONE });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('cache-control')).toBe('public, max-age=10');
    expect(res.headers.get('vary')).toBe('User-Agent, Accept');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const text = await res.text();
    const original = await readFile(path.join(fixtureDir, 'master.m3u8'), 'utf8');
    expect(text).toBe(
      original
        .replace('URI="media_2.m3u8"', 'URI="../videos/ready-video/media_2.m3u8"')
        .replace(/^media_/gm, '../videos/ready-video/media_'),
    );
  });

  it('serves DASH to Chrome with a BaseURL onto the origin routes', async () => {
    const res = await o.get('/v1/play/ready-video', { 'user-agent': CHROME });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dash+xml');
    const text = await res.text();
    expect(text).toContain('</ProgramInformation>\n\t<BaseURL>../videos/ready-video/</BaseURL>');
  });

  it('honours ?format= and Accept', async () => {
    const q = await o.get('/v1/play/ready-video?format=hls', { 'user-agent': CHROME });
    expect(q.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const a = await o.get('/v1/play/ready-video', {
      'user-agent': IPHONE,
      accept: 'application/dash+xml',
    });
    expect(a.headers.get('content-type')).toBe('application/dash+xml');
    const bad = await o.get('/v1/play/ready-video?format=smooth');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ reason: 'InvalidFormat' });
  });

  it('serves what the manifest points at, with types, cache headers and byte ranges', async () => {
    const playUrl = `${o.url}/v1/play/ready-video`;
    const master = await (await o.get('/v1/play/ready-video?format=hls')).text();
    const mediaUri = master.split('\n').find((l) => l.endsWith('media_0.m3u8'))!;
    const mediaUrl = new URL(mediaUri, playUrl);
    expect(mediaUrl.pathname).toBe('/v1/videos/ready-video/media_0.m3u8');
    const media = await fetch(mediaUrl);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const mediaText = await media.text();
    const segUri = mediaText.split('\n').find((l) => l.endsWith('.m4s'))!;
    const segUrl = new URL(segUri, mediaUrl);
    expect(segUrl.pathname).toBe('/v1/videos/ready-video/stream0/seg-00001.m4s');
    const local = await readFile(path.join(fixtureDir, 'stream0/seg-00001.m4s'));

    const full = await fetch(segUrl);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/iso.segment');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('access-control-expose-headers')).toContain('Content-Range');
    expect(Buffer.from(await full.arrayBuffer()).equals(local)).toBe(true);

    const part = await fetch(segUrl, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${local.length}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await part.arrayBuffer()).equals(local.subarray(100, 200))).toBe(true);

    const tail = await fetch(segUrl, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(local.subarray(local.length - 10))).toBe(
      true,
    );

    const beyond = await fetch(segUrl, { headers: { range: `bytes=${local.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${local.length}`);

    const init = await fetch(new URL('stream0/init.mp4', mediaUrl));
    expect(init.headers.get('content-type')).toBe('video/mp4');

    const etag = full.headers.get('etag')!;
    const again = await fetch(segUrl, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);

    const head = await fetch(segUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(local.length));
  });

  it('filters renditions by height in both manifests', async () => {
    const hls = await (await o.get('/v1/play/ready-video?format=hls&max_resolution=200')).text();
    expect(hls.match(/RESOLUTION=\d+x\d+/g)).toEqual(['RESOLUTION=320x180']);
    expect(hls).toContain('URI="../videos/ready-video/media_2.m3u8"');
    const mpd = await (await o.get('/v1/play/ready-video?format=dash&min_resolution=360p')).text();
    expect([...mpd.matchAll(/height="(\d+)"/g)].map((m) => m[1])).toEqual(['360']);
    const none = await o.get('/v1/play/ready-video?max_resolution=100');
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ reason: 'NoRenditionInRange' });
    const bad = await o.get('/v1/play/ready-video?max_resolution=big');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ reason: 'InvalidResolution' });
  });

  it('says why a video does not play', async () => {
    const cases: [string, number, string][] = [
      ['/v1/play/uploaded-video', 404, 'Processing'],
      ['/v1/play/encoding-video', 404, 'Processing'],
      ['/v1/play/no-such-video', 404, 'NotFound'],
      ['/v1/play/Bad_Id', 400, 'InvalidVideoId'],
      ['/v1/videos/uploaded-video/master.m3u8', 404, 'Processing'],
      ['/v1/videos/ready-video/ready.json', 404, 'NotFound'],
      ['/v1/videos/ready-video/stream0/seg-99999.m4s', 404, 'NotFound'],
      ['/v1/videos/ready-video/..%2F..%2Fsources%2Fuploaded-video%2Fsource', 400, 'InvalidPath'],
      ['/v1/videos/ready-video/.hidden.m4s', 400, 'InvalidPath'],
      ['/v1/play/dash-only?format=hls', 404, 'FormatNotPublished'],
      ['/watch/ready-video?player=vlc', 400, 'InvalidPlayer'],
    ];
    for (const [url, status, reason] of cases) {
      const res = await o.get(url);
      expect({ url, status: res.status, body: await res.json() }).toMatchObject({
        url,
        status,
        body: { reason },
      });
    }
  });

  it('falls back to the published format when the platform prefers the other', async () => {
    const res = await o.get('/v1/play/dash-only', { 'user-agent': IPHONE });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dash+xml');
  });

  it('answers a hot video from memory, and sees a new video after the short negative TTL', async () => {
    const misses = async () => {
      const text = await (await o.get('/metrics')).text();
      const m =
        /kubevod_playback_cache_lookups_total\{cache="video",result="miss",app="playback"\} (\d+)/.exec(
          text,
        );
      return Number(m?.[1] ?? 0);
    };
    await o.get('/v1/play/ready-video');
    const before = await misses();
    for (let i = 0; i < 20; i++) expect((await o.get('/v1/play/ready-video')).status).toBe(200);
    expect(await misses()).toBe(before);

    expect((await o.get('/v1/play/late-video')).status).toBe(404);
    await publishDir(store, bucket, 'late-video', fixtureDir);
    await new Promise((r) => setTimeout(r, 1_100)); // CACHE_NEGATIVE_TTL_MS default 1 s
    expect((await o.get('/v1/play/late-video')).status).toBe(200);
  });

  it('answers a repeated request from the fast lane, byte for byte as the first time', async () => {
    const responseHits = async () => {
      const text = await (await o.get('/metrics')).text();
      const m =
        /kubevod_playback_cache_lookups_total\{cache="response",result="hit",app="playback"\} (\d+)/.exec(
          text,
        );
      return Number(m?.[1] ?? 0);
    };
    const seen = async (res: Response) => ({
      status: res.status,
      headers: [...res.headers].filter(([name]) => name !== 'date'),
      body: Buffer.from(await res.arrayBuffer()).toString('base64'),
    });
    const url = '/v1/play/ready-video?max_resolution=360p'; // a request nobody made yet
    const headers = { 'user-agent': IPHONE };
    const first = await seen(await o.get(url, headers)); // computed, through fastify
    const before = await responseHits();
    const second = await seen(await o.get(url, headers)); // remembered
    expect(await responseHits()).toBe(before + 1);
    expect(second).toEqual(first);
    expect(first.status).toBe(200);

    const etag = first.headers.find(([name]) => name === 'etag')![1];
    const conditional = { ...headers, 'if-none-match': etag };
    const notModified = await seen(await o.get(url, conditional));
    expect(notModified).toMatchObject({ status: 304, body: '' });
    expect(notModified.headers).toContainEqual(['etag', etag]);
    // the same manifest asked for by Accept is another key: computed, then remembered, same 304
    const byAccept = { ...conditional, accept: 'application/vnd.apple.mpegurl' };
    const other = await seen(await o.get(url, byAccept));
    const otherAgain = await seen(await o.get(url, byAccept));
    expect(other.status).toBe(304);
    expect(otherAgain).toEqual(other);
    expect(await responseHits()).toBe(before + 3);
  });

  it('never serves a remembered answer longer than the video stays cached', async () => {
    const short = await start({ PLAYBACK_MODE: 'origin', CACHE_TTL_MS: '400' });
    running.push(short);
    await publishDir(store, bucket, 'short-lived', fixtureDir);
    for (let i = 0; i < 3; i++) {
      expect((await short.get('/v1/play/short-lived', { 'user-agent': IPHONE })).status).toBe(200);
    }
    await store.removePrefix(bucket, 'videos/short-lived/');
    await new Promise((r) => setTimeout(r, 500));
    const gone = await short.get('/v1/play/short-lived', { 'user-agent': IPHONE });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ reason: 'NotFound' });
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(`${o.url}/v1/videos/ready-video/stream0/seg-00001.m4s`, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.test', 'access-control-request-headers': 'range' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('Range');
  });

  it('counts selections by format and platform, and latency by route', async () => {
    await o.get('/v1/play/ready-video', { 'user-agent': IPHONE });
    const text = await (await o.get('/metrics')).text();
    expect(text).toMatch(
      /kubevod_playback_selections_total\{format="hls",platform="ios",via="user-agent",answer="manifest",app="playback"\} [1-9]/,
    );
    expect(text).toMatch(
      /kubevod_playback_request_duration_seconds_count\{app="playback",route="\/v1\/play\/:id",method="GET",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /kubevod_playback_errors_total\{reason="Processing",app="playback"\} [1-9]/,
    );
  });
});

describe('redirect mode', () => {
  let pub: Running;
  let presign: Running;
  const publicBase = `${storageEnv.S3_ENDPOINT.replace(/\/$/, '')}/${bucket}`;

  beforeAll(async () => {
    // what a public bucket behind a CDN looks like: anonymous reads of the published outputs
    await store.client.setBucketPolicy(
      bucket,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ['*'] },
            Action: ['s3:GetObject'],
            Resource: [`arn:aws:s3:::${bucket}/videos/*`],
          },
        ],
      }),
    );
    pub = await start({ PLAYBACK_MODE: 'redirect', PUBLIC_BASE_URL: publicBase });
    presign = await start({ PLAYBACK_MODE: 'redirect' });
    running.push(pub, presign);
  });

  it('redirects to the manifest under the public base URL, which storage serves', async () => {
    const res = await pub.get('/v1/play/ready-video', { 'user-agent': IPHONE });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${publicBase}/videos/ready-video/master.m3u8`);
    const manifest = await fetch(res.headers.get('location')!);
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toBe(
      await readFile(path.join(fixtureDir, 'master.m3u8'), 'utf8'),
    );
  });

  it('serves a filtered manifest itself, pointing at the public base', async () => {
    const res = await pub.get('/v1/play/ready-video?format=hls&max_resolution=180');
    expect(res.status).toBe(200);
    const text = await res.text();
    const uri = text.split('\n').find((l) => l.includes('media_1.m3u8'))!;
    expect(uri).toBe(`${publicBase}/videos/ready-video/media_1.m3u8`);
    expect((await fetch(uri)).status).toBe(200);
  });

  it('answers a repeated redirect from the fast lane as the first time', async () => {
    const seen = async (res: Response) => ({
      status: res.status,
      headers: [...res.headers].filter(([name]) => name !== 'date'),
      body: await res.text(),
    });
    const headers = { 'user-agent': CHROME, accept: 'application/vnd.apple.mpegurl' };
    const first = await seen(await pub.get('/v1/play/ready-video', headers));
    const second = await seen(await pub.get('/v1/play/ready-video', headers));
    expect(second).toEqual(first);
    expect(first.status).toBe(302);
    expect(first.headers).toContainEqual([
      'location',
      `${publicBase}/videos/ready-video/master.m3u8`,
    ]);
    const text = await (await pub.get('/metrics')).text();
    expect(text).toMatch(
      /kubevod_playback_selections_total\{format="hls",platform="linux",via="accept",answer="redirect",app="playback"\} 2\n/,
    );
  });

  it('redirects to a presigned URL without a public base', async () => {
    const res = await presign.get('/v1/play/ready-video', { 'user-agent': CHROME });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toContain('/videos/ready-video/manifest.mpd?');
    expect(location).toContain('X-Amz-Signature=');
    const manifest = await fetch(location);
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toBe(
      await readFile(path.join(fixtureDir, 'manifest.mpd'), 'utf8'),
    );
  });
});

describe('storage outage', () => {
  it('is not ready and answers 503 StorageUnavailable', async () => {
    const storage = await deadEndpoint();
    afterAllClose.push(storage);
    const down = await start({ S3_ENDPOINT: storage.url });
    running.push(down);
    expect((await down.get('/healthz')).status).toBe(200);
    expect((await down.get('/readyz')).status).toBe(503);
    const res = await down.get('/v1/play/ready-video');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ reason: 'StorageUnavailable' });
  });
});
