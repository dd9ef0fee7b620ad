import { objectKeys, type ReadyRecord } from '@kubevod/contracts';
import type { ObjectStore } from '@kubevod/storage';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Publishes a small real video for playback's tests and benchmark, the way the worker does:
 * every output under videos/<id>/, then ready.json LAST. The media is a real ffmpeg encode
 * (lavfi test pattern + tone, CMAF, HLS + DASH over the same segments, 2 video renditions).
 */
export interface FixtureOptions {
  seconds?: number;
  formats?: ('hls' | 'dash')[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

/** Encodes the fixture into `dir` (360p + 180p + audio, 2 s segments). */
export async function encodeFixture(dir: string, seconds = 6): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const s of ['stream0', 'stream1', 'stream2'])
    await mkdir(path.join(dir, s), { recursive: true });
  const { execa } = await import('execa'); // ESM-only: import() works under tsx and jest
  // prettier-ignore
  await execa('nice', [
    'ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-filter_complex', '[0:v]split=2[a][b];[a]scale=-2:360[v0];[b]scale=-2:180[v1]',
    '-map', '[v0]', '-map', '[v1]', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-b:v:0', '800k', '-maxrate:v:0', '800k', '-bufsize:v:0', '1600k',
    '-b:v:1', '300k', '-maxrate:v:1', '300k', '-bufsize:v:1', '600k',
    '-c:a', 'aac', '-b:a', '96k',
    '-f', 'dash', '-seg_duration', '2', '-use_template', '1', '-use_timeline', '0',
    '-hls_playlist', '1', '-hls_master_name', 'master.m3u8',
    '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
    '-init_seg_name', 'stream$RepresentationID$/init.mp4',
    '-media_seg_name', 'stream$RepresentationID$/seg-$Number%05d$.m4s',
    'manifest.mpd',
  ], { cwd: dir });
}

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, p)));
    else out.push(p);
  }
  return out.sort();
}

/** Uploads an encoded directory as video `id` and writes its ready record last. */
export async function publishDir(
  store: ObjectStore,
  bucket: string,
  id: string,
  dir: string,
  options: FixtureOptions = {},
): Promise<ReadyRecord> {
  const formats = options.formats ?? ['hls', 'dash'];
  const files: ReadyRecord['files'] = [];
  for (const rel of await listFiles(dir)) {
    if (rel === 'manifest.mpd' && !formats.includes('dash')) continue;
    if (rel.endsWith('.m3u8') && !formats.includes('hls')) continue;
    const body = await readFile(path.join(dir, rel));
    const key = objectKeys.output(id, rel);
    await store.putFile(bucket, key, path.join(dir, rel), CONTENT_TYPES[path.extname(rel)]);
    files.push({
      key,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
  }
  const record: ReadyRecord = {
    videoId: id,
    publishedAt: new Date().toISOString(),
    durationSeconds: options.seconds ?? 6,
    formats,
    bucket,
    prefix: objectKeys.outputPrefix(id),
    manifests: {
      hls: formats.includes('hls') ? objectKeys.output(id, 'master.m3u8') : undefined,
      dash: formats.includes('dash') ? objectKeys.output(id, 'manifest.mpd') : undefined,
    },
    renditions: [
      { name: '360p', width: 640, height: 360, bitrateKbps: 900, codecs: 'avc1.4d401e,mp4a.40.2' },
      { name: '180p', width: 320, height: 180, bitrateKbps: 400, codecs: 'avc1.4d400c,mp4a.40.2' },
    ],
    source: { durationSeconds: options.seconds ?? 6, width: 640, height: 360, frameRate: 25 },
    files,
  };
  await store.putJson(bucket, objectKeys.ready(id), record);
  return record;
}
