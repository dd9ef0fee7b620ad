import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  objectKeys,
  progressKey,
  ProgressRecordSchema,
  ReadyRecordSchema,
  WORKER_EXIT,
  type ReadyRecord,
} from '@kubevod/contracts';
import { makeMedia, type MediaRecipe } from '../../../test/fixtures/media/recipes';
import { parseDash, parseHls } from './manifest-parsers';
import {
  avcCodecsOf,
  decodeErrors,
  getBuffer,
  getText,
  joinRendition,
  probeDuration,
  removeTempDirs,
  run,
  runWorker,
  store,
  tempDir,
  uniqueName,
} from './worker-harness';

// real encodes on a shared 2-core machine: generous per-test time
jest.setTimeout(180_000);

const s3 = store();
const SRC = uniqueName('wk-src');
const OUT = uniqueName('wk-out');
const media = tempDir('kubevod-worker-media-');
const work = tempDir('kubevod-worker-check-');

async function upload(recipe: MediaRecipe): Promise<string> {
  const key = `uploads/${recipe}`;
  await s3.putFile(SRC, key, makeMedia(recipe, media));
  return key;
}

const spec = (key: string, extra: Record<string, unknown> = {}) => ({
  source: { bucket: SRC, key },
  ...extra,
});

async function readyOf(videoId: string): Promise<ReadyRecord | undefined> {
  const json = await s3.getJson(OUT, objectKeys.ready(videoId));
  return json === undefined ? undefined : ReadyRecordSchema.parse(json);
}

/** Every rendition joined (init + segments, as listed by the HLS media playlist), probed and decoded. */
async function checkRenditions(ready: ReadyRecord, sourceSeconds: number) {
  const results: Record<
    string,
    { duration: number; width?: number; height?: number; segments: string[] }
  > = {};
  for (const r of ready.renditions) {
    const playlist = parseHls(await getText(s3, OUT, `${ready.prefix}${r.name}/index.m3u8`));
    expect(playlist.endList).toBe(true);
    const segments = playlist.segments!.map((sg) => `${ready.prefix}${r.name}/${sg.uri}`);
    expect(playlist.segments![0].map!.uri).toBe('init.mp4');
    const path = await joinRendition(
      s3,
      OUT,
      [`${ready.prefix}${r.name}/init.mp4`, ...segments],
      join(work, `${ready.videoId}-${r.name}.mp4`),
    );
    const probed = await probeDuration(path);
    expect(Math.abs(probed.duration - sourceSeconds)).toBeLessThan(0.15);
    expect(await decodeErrors(path)).toBe('');
    if (r.width) {
      expect(avcCodecsOf(await getBuffer(s3, OUT, `${ready.prefix}${r.name}/init.mp4`))).toBe(
        r.codecs.split(',')[0],
      );
    }
    results[r.name] = { ...probed, segments };
  }
  return results;
}

beforeAll(async () => {
  await s3.ensureBucket(SRC);
  await s3.ensureBucket(OUT);
});

afterAll(async () => {
  removeTempDirs();
  for (const bucket of [SRC, OUT]) {
    for (const prefix of ['uploads/', 'videos/', 'progress/'])
      await s3.removePrefix(bucket, prefix);
    await s3.client.removeBucket(bucket).catch(() => undefined);
  }
});

describe('worker: audio + video source, default ladder', () => {
  const videoId = uniqueName('av');
  let ready: ReadyRecord;

  it('publishes CMAF renditions with HLS and DASH over the same segments', async () => {
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('av-360p.mp4')),
    });
    expect(result.termination).toEqual({
      reason: 'Succeeded',
      message: 'published 2 renditions (hls, dash)',
      exitCode: 0,
      retryable: false,
    });
    expect(result.code).toBe(WORKER_EXIT.ok);
    expect(existsSync(join(result.scratchDir, `kubevod-${videoId}`))).toBe(false);

    ready = (await readyOf(videoId))!;
    expect(
      ready.renditions.map((r) => `${r.name} ${r.width ?? '-'}x${r.height ?? '-'} ${r.codecs}`),
    ).toEqual(['360p 640x360 avc1.64001e,mp4a.40.2', 'audio -x- mp4a.40.2']);
    expect(ready.manifests).toEqual({
      hls: `videos/${videoId}/master.m3u8`,
      dash: `videos/${videoId}/manifest.mpd`,
    });
    expect(ready.source).toMatchObject({
      durationSeconds: 3,
      width: 640,
      height: 360,
      videoCodec: 'h264',
      audioCodec: 'aac',
    });
    expect(Math.abs(ready.durationSeconds - 3)).toBeLessThan(0.1);

    // exactly the listed files (and ready.json) exist, each with the recorded size and sha256
    const keys = await s3.listKeys(OUT, ready.prefix);
    expect(keys.sort()).toEqual(
      [...ready.files.map((f) => f.key), objectKeys.ready(videoId)].sort(),
    );
    for (const f of ready.files) {
      const body = await getBuffer(s3, OUT, f.key);
      expect({
        key: f.key,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      }).toEqual(f);
    }

    const renditions = await checkRenditions(ready, 3);
    expect(renditions['360p']).toMatchObject({ width: 640, height: 360 });

    const master = parseHls(await getText(s3, OUT, ready.manifests.hls!));
    expect(
      master.playlists!.map((p) => [
        p.uri,
        p.attributes.CODECS,
        p.attributes.RESOLUTION,
        p.attributes.AUDIO,
      ]),
    ).toEqual([['360p/index.m3u8', 'avc1.64001e,mp4a.40.2', { width: 640, height: 360 }, 'audio']]);
    expect(master.mediaGroups!.AUDIO!.audio.audio).toMatchObject({
      uri: 'audio/index.m3u8',
      default: true,
    });

    const mpd = parseDash(
      await getText(s3, OUT, ready.manifests.dash!),
      `http://x/${ready.manifests.dash}`,
    );
    const dashVideo = mpd.playlists.map((p) => p.segments.map((sg) => sg.uri));
    expect(dashVideo).toEqual([
      renditions['360p'].segments.map((k) => k.slice(ready.prefix.length)),
    ]);
    const dashAudio = Object.values(mpd.mediaGroups.AUDIO!)[0];
    expect(Object.values(dashAudio)[0].playlists[0].segments.map((sg) => sg.uri)).toEqual(
      renditions.audio.segments.map((k) => k.slice(ready.prefix.length)),
    );
    expect(Math.abs(mpd.duration - 3)).toBeLessThan(0.1);

    const progress = ProgressRecordSchema.parse(await s3.getJson(OUT, progressKey(videoId)));
    expect(progress).toMatchObject({ videoId, attempt: 0, stage: 'done', percent: 100 });
  });

  it('overwrites the same keys on a rerun and removes what an earlier attempt left', async () => {
    const stale = `videos/${videoId}/old-rung/seg-00009.m4s`;
    await s3.putJson(OUT, stale, { stale: true });
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec('uploads/av-360p.mp4'),
    });
    expect(result.code).toBe(WORKER_EXIT.ok);
    const again = (await readyOf(videoId))!;
    expect(again.files.map((f) => f.key)).toEqual(ready.files.map((f) => f.key));
    expect(again.publishedAt > ready.publishedAt).toBe(true);
    expect(await s3.stat(OUT, stale)).toBeUndefined();
    expect(
      result.logs.some(
        (l) => l.msg === 'removed stale objects of an earlier attempt' && l.removed === 1,
      ),
    ).toBe(true);
  });
});

describe('worker: source shapes', () => {
  it('makes audio-only HLS and DASH from an mp3 with cover art', async () => {
    const videoId = uniqueName('mp3');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('audio-cover.mp3')),
    });
    expect(result.code).toBe(WORKER_EXIT.ok);
    const ready = (await readyOf(videoId))!;
    expect(ready.renditions.map((r) => [r.name, r.codecs])).toEqual([['audio', 'mp4a.40.2']]);
    await checkRenditions(ready, 3.03);
    const master = parseHls(await getText(s3, OUT, ready.manifests.hls!));
    expect(master.playlists!.map((p) => [p.uri, p.attributes.CODECS])).toEqual([
      ['audio/index.m3u8', 'mp4a.40.2'],
    ]);
    const mpd = await getText(s3, OUT, ready.manifests.dash!);
    expect(mpd).not.toContain('contentType="video"');
    expect(parseDash(mpd, 'http://x/manifest.mpd').mediaGroups.AUDIO).toBeDefined();
  });

  it('makes video-only outputs from a source without audio', async () => {
    const videoId = uniqueName('mute');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('video-only.mp4')),
    });
    expect(result.code).toBe(WORKER_EXIT.ok);
    const ready = (await readyOf(videoId))!;
    expect(ready.renditions.map((r) => `${r.name} ${r.width}x${r.height} ${r.codecs}`)).toEqual([
      '240p 320x240 avc1.64001e',
    ]);
    await checkRenditions(ready, 2);
    const master = await getText(s3, OUT, ready.manifests.hls!);
    expect(master).not.toContain('AUDIO');
  });

  it('shows a rotated video upright', async () => {
    const videoId = uniqueName('rot');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('rotated.mp4')),
    });
    expect(result.code).toBe(WORKER_EXIT.ok);
    const ready = (await readyOf(videoId))!;
    const r = await checkRenditions(ready, 2);
    expect(r['360p']).toMatchObject({ width: 360, height: 640 });
  });

  it('makes a variable frame rate constant without losing time', async () => {
    const videoId = uniqueName('vfr');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('vfr.mp4')),
    });
    expect(result.code).toBe(WORKER_EXIT.ok);
    const ready = (await readyOf(videoId))!;
    await checkRenditions(ready, 2.934);
    expect(await getText(s3, OUT, ready.manifests.hls!)).toContain('FRAME-RATE=23.976');
  });
});

describe('worker: failures are typed, permanent ones never publish', () => {
  async function expectRejected(
    videoId: string,
    result: Awaited<ReturnType<typeof runWorker>>,
    code: number,
    reason: string,
    message: RegExp,
  ) {
    expect({ code: result.code, reason: result.termination?.reason }).toEqual({ code, reason });
    expect(result.termination!.message).toMatch(message);
    expect(result.termination!.retryable).toBe(code === WORKER_EXIT.transient);
    expect(await s3.listKeys(OUT, objectKeys.outputPrefix(videoId))).toEqual([]);
    expect(existsSync(join(result.scratchDir, `kubevod-${videoId}`))).toBe(false);
  }

  it('rejects a truncated mp4 that ffmpeg would half-decode', async () => {
    const path = join(media, 'truncated.mp4');
    // moov first, then cut the media data in half: the probe is happy, decoding is not
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      makeMedia('av-360p.mp4', media),
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      join(media, 'fs.mp4'),
    ]);
    const full = readFileSync(join(media, 'fs.mp4'));
    writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)));
    await s3.putFile(SRC, 'uploads/truncated.mp4', path);
    const videoId = uniqueName('trunc');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec('uploads/truncated.mp4'),
    });
    await expectRejected(
      videoId,
      result,
      WORKER_EXIT.invalidInput,
      'InvalidInput',
      /could not be decoded|truncated/,
    );
  });

  it.each([
    [
      'text that is not media',
      'hello, this is not a video\n'.repeat(20),
      /not a media file we accept/,
    ],
    [
      'an HLS playlist naming a local file',
      '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
      /not a media file we accept/,
    ],
    [
      'an ffconcat list',
      "ffconcat version 1.0\nfile '/etc/hostname'\n",
      /not a media file we accept/,
    ],
  ])('rejects %s', async (_, content, message) => {
    const key = `uploads/${uniqueName('bad')}`;
    const path = join(media, key.replace('/', '-'));
    writeFileSync(path, content);
    await s3.putFile(SRC, key, path);
    const videoId = uniqueName('bad');
    const result = await runWorker({ videoId, outputBucket: OUT, spec: spec(key) });
    await expectRejected(videoId, result, WORKER_EXIT.invalidInput, 'InvalidInput', message);
  });

  it('rejects a source beyond the configured duration before decoding', async () => {
    const videoId = uniqueName('long');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('av-360p.mp4')),
      extra: { MAX_DURATION_SECONDS: '2' },
    });
    await expectRejected(
      videoId,
      result,
      WORKER_EXIT.limitExceeded,
      'LimitExceeded',
      /source lasts 3.0 s, above the limit of 2 s/,
    );
    expect(result.logs.some((l) => l.msg === 'planned renditions')).toBe(false);
  });

  it('rejects a source larger than allowed without downloading it', async () => {
    const videoId = uniqueName('big');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec(await upload('av-360p.mp4')),
      extra: { MAX_SOURCE_BYTES: '1000' },
    });
    await expectRejected(
      videoId,
      result,
      WORKER_EXIT.limitExceeded,
      'LimitExceeded',
      /above the limit of 1000/,
    );
    expect(result.logs.some((l) => l.msg === 'downloaded source')).toBe(false);
  });

  it('reports a missing source as SourceNotFound', async () => {
    const videoId = uniqueName('gone');
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec('uploads/never-uploaded'),
    });
    await expectRejected(
      videoId,
      result,
      WORKER_EXIT.sourceNotFound,
      'SourceNotFound',
      /does not exist/,
    );
  });

  it('exits transient (the Job retries) when storage is unreachable', async () => {
    const videoId = uniqueName('down');
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec('uploads/av-360p.mp4'),
      storage: { S3_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    await expectRejected(
      videoId,
      result,
      WORKER_EXIT.transient,
      'JobFailed',
      /unavailable|ECONNREFUSED/,
    );
  });

  it('stops ffmpeg on SIGTERM, cleans its scratch space and exits transient; progress was visible', async () => {
    const path = join(media, 'long.mp4');
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=30:duration=30',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      path,
    ]);
    await s3.putFile(SRC, 'uploads/long.mp4', path);
    const videoId = uniqueName('term');
    let seen: unknown;
    const result = await runWorker({
      videoId,
      outputBucket: OUT,
      spec: spec('uploads/long.mp4'),
      extra: { X264_PRESET: 'veryslow' },
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          const p = await s3
            .getJson<{ stage: string; percent: number }>(OUT, progressKey(videoId))
            .catch(() => undefined);
          if (p?.stage === 'encoding' && p.percent > 5 && seen === undefined) {
            clearInterval(poll);
            seen = p;
            child.kill('SIGTERM'); // once, as the kubelet does before its grace period ends
          }
        }, 250);
        child.on('close', () => clearInterval(poll));
      },
    });
    expect(ProgressRecordSchema.parse(seen)).toMatchObject({
      stage: 'encoding',
      renditions: [{ name: '360p' }],
    });
    await expectRejected(
      videoId,
      result,
      WORKER_EXIT.transient,
      'JobFailed',
      /stopped by a signal/,
    );
  });
});
