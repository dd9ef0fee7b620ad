import { objectKeys, type ReadyRecord } from '@kubevod/contracts';
import type { ObjectStore, StorageConfig } from '@kubevod/storage';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const WORKER_MAIN = path.join(REPO_ROOT, 'apps', 'worker', 'src', 'main.ts');

/**
 * Publishes video `id` with the REAL worker: a generated source (lavfi test pattern + tone,
 * H.264/AAC MP4) is uploaded as the video's source, then the worker command runs against it
 * exactly as its Job would (same env contract), and its ready record is returned.
 */
export async function publishWithWorker(
  store: ObjectStore,
  storage: StorageConfig,
  bucket: string,
  id: string,
  seconds = 8,
): Promise<ReadyRecord> {
  const work = await mkdtemp(path.join(tmpdir(), 'kubevod-worker-'));
  try {
    const source = path.join(work, 'source.mp4');
    const { execa } = await import('execa'); // ESM-only: import() works under tsx and jest
    // prettier-ignore
    await execa('nice', [
      'ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
      source,
    ]);
    const key = objectKeys.source(id);
    await store.putFile(bucket, key, source, 'video/mp4');
    const spec = {
      source: { bucket, key },
      formats: ['hls', 'dash'],
      ladder: {
        renditions: [
          { name: '360p', height: 360, videoBitrateKbps: 800 },
          { name: '180p', height: 180, videoBitrateKbps: 300 },
        ],
      },
    };
    const run = await execa(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      cwd: REPO_ROOT,
      reject: false,
      env: {
        S3_ENDPOINT: storage.S3_ENDPOINT,
        S3_ACCESS_KEY: storage.S3_ACCESS_KEY,
        S3_SECRET_KEY: storage.S3_SECRET_KEY,
        S3_REGION: storage.S3_REGION,
        S3_BUCKET: bucket,
        LOG_LEVEL: 'warn',
        KUBEVOD_VIDEO_ID: id,
        KUBEVOD_SPEC: JSON.stringify(spec),
        KUBEVOD_OUTPUT_BUCKET: bucket,
        KUBEVOD_ATTEMPT: '0',
        KUBEVOD_SCRATCH_DIR: path.join(work, 'scratch'),
        X264_PRESET: 'veryfast',
        SEGMENT_SECONDS: '2',
        TERMINATION_LOG_PATH: path.join(work, 'termination-log'),
      },
    });
    if (run.exitCode !== 0) {
      throw new Error(
        `the worker exited ${run.exitCode} publishing ${id}:\n${run.stdout}\n${run.stderr}`,
      );
    }
    const ready = await store.getJson<ReadyRecord>(bucket, objectKeys.ready(id));
    if (!ready) throw new Error(`the worker exited 0 but wrote no ready record for ${id}`);
    return ready;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
