import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MinioObjectStore, type StorageConfig } from '@kubevod/storage';

/** Helpers of the worker's integration tests: the real worker command against real MinIO. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const run = promisify(execFile);

export function storageConfig(): StorageConfig {
  const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY } = process.env;
  if (!S3_ENDPOINT || !S3_ACCESS_KEY || !S3_SECRET_KEY) {
    throw new Error(
      'S3_* are not set: run through the integration project (its global setup starts MinIO)',
    );
  }
  return {
    S3_ENDPOINT,
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    S3_REGION: process.env.S3_REGION ?? 'us-east-1',
    S3_BUCKET: 'kubevod',
  };
}

const created: string[] = [];

/** A temporary directory removed by `removeTempDirs()` (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface WorkerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  logs: Record<string, unknown>[];
  termination?: { reason: string; message: string; exitCode: number; retryable: boolean };
  scratchDir: string;
}

export interface WorkerEnv {
  videoId: string;
  spec: unknown;
  outputBucket: string;
  extra?: Record<string, string>;
  /** called with the running child, e.g. to signal it */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
  storage?: Partial<StorageConfig>;
}

/** Runs apps/worker/src/main.ts as the Job would, with its own scratch dir and termination log. */
export function runWorker(opts: WorkerEnv): Promise<WorkerRun> {
  const dir = tempDir('kubevod-worker-it-');
  const terminationLog = join(dir, 'termination-log');
  const scratchDir = join(dir, 'scratch');
  const storage = { ...storageConfig(), ...opts.storage };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LOG_LEVEL: 'info',
    S3_ENDPOINT: storage.S3_ENDPOINT,
    S3_ACCESS_KEY: storage.S3_ACCESS_KEY,
    S3_SECRET_KEY: storage.S3_SECRET_KEY,
    S3_REGION: storage.S3_REGION,
    KUBEVOD_VIDEO_ID: opts.videoId,
    KUBEVOD_SPEC: JSON.stringify(opts.spec),
    KUBEVOD_OUTPUT_BUCKET: opts.outputBucket,
    KUBEVOD_ATTEMPT: '0',
    KUBEVOD_SCRATCH_DIR: scratchDir,
    TERMINATION_LOG_PATH: terminationLog,
    X264_PRESET: 'superfast',
    SEGMENT_SECONDS: '2',
    PROGRESS_INTERVAL_MS: '500',
    ...opts.extra,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    opts.onSpawn?.(child);
    child.on('close', (code, signal) => {
      let termination: WorkerRun['termination'];
      try {
        termination = JSON.parse(readFileSync(terminationLog, 'utf8'));
      } catch {
        termination = undefined;
      }
      const logs = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, logs, ...(termination ? { termination } : {}), scratchDir });
    });
  });
}

export function store(): MinioObjectStore {
  return MinioObjectStore.fromConfig(storageConfig());
}

export async function getText(s: MinioObjectStore, bucket: string, key: string): Promise<string> {
  const stream = await s.getStream(bucket, key);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function getBuffer(s: MinioObjectStore, bucket: string, key: string): Promise<Buffer> {
  const stream = await s.getStream(bucket, key);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Writes init + segments of a rendition into one file (what a player's buffer holds). */
export async function joinRendition(
  s: MinioObjectStore,
  bucket: string,
  keys: string[],
  path: string,
): Promise<string> {
  const parts = await Promise.all(keys.map((k) => getBuffer(s, bucket, k)));
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** ffprobe duration of a file, in seconds. */
export async function probeDuration(
  path: string,
): Promise<{ duration: number; width?: number; height?: number }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration:stream=width,height',
    '-of',
    'json',
    path,
  ]);
  const json = JSON.parse(stdout) as {
    format: { duration: string };
    streams: { width?: number; height?: number }[];
  };
  const v = json.streams.find((st) => st.width);
  return {
    duration: Number(json.format.duration),
    ...(v ? { width: v.width, height: v.height } : {}),
  };
}

/** Decodes every frame; resolves with ffmpeg's error output (empty when clean). */
export async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-v',
    'error',
    '-xerror',
    '-i',
    path,
    '-f',
    'null',
    '-',
  ]);
  return stderr;
}

/** The avcC box's profile, compatibility and level bytes as an RFC 6381 codecs string. */
export function avcCodecsOf(init: Buffer): string {
  const at = init.indexOf('avcC');
  if (at < 0) throw new Error('no avcC box in the init segment');
  return `avc1.${init.subarray(at + 5, at + 8).toString('hex')}`;
}
