/**
 * Worker benchmark (not a test): prints figures side by side in one run.
 *
 *   1. one-pass ladder (the worker's ffmpeg command) vs the same rungs as separate ffmpeg runs:
 *      CPU-seconds per media-second (children's user+sys from /proc/self/stat), target >= 1.35x;
 *   2. the worker end to end (download, probe, encode, upload, publish to MinIO) vs the bare
 *      ffmpeg command alone: wall time, target <= 1.15x.
 *
 * Run: npm run bench:worker   (BENCH_SECONDS=60, BENCH_PRESET=veryfast; S3_* from the env or a
 * MinIO started here from /root/.cache/kubevod/tools/bin/minio)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { encodeArgs, parseProbe, planLadder, probeArgs, type EncodePlan } from '@kubevod/ffmpeg';
import { MinioObjectStore, type StorageConfig } from '@kubevod/storage';
import { minioBinary } from '../../../test/support/minio-binary';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PRESET = process.env.BENCH_PRESET ?? 'veryfast';
const MAX_ALLOC = 1024 ** 3;
const ROOT = join(__dirname, '..', '..', '..');
const CACHE = join(process.env.HOME ?? tmpdir(), '.cache', 'kubevod', 'bench');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds of every child this process has waited for (cutime + cstime). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

interface Measured {
  wall: number;
  cpu: number;
}

function runMeasured(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Measured> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err}`));
      resolve({ wall: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0 });
    });
  });
}

function makeSource(): string {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `source-1080p30-${SECONDS}s.mp4`);
  if (!existsSync(path)) {
    console.log(`generating a ${SECONDS} s 1080p30 source (cached in ${CACHE})...`);
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
      '-c:v',
      'libx264',
      '-preset',
      'superfast',
      '-crf',
      '20',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-ac',
      '2',
      '-shortest',
      path,
    ]);
  }
  return path;
}

function subPlan(plan: EncodePlan, pick: { video?: number; audio?: boolean }): EncodePlan {
  return {
    ...plan,
    video:
      pick.video === undefined
        ? undefined
        : { ...plan.video!, renditions: [plan.video!.renditions[pick.video]] },
    audio: pick.audio ? plan.audio : undefined,
  };
}

async function ensureStorage(): Promise<{ config: StorageConfig; stop(): void }> {
  const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY } = process.env;
  if (S3_ENDPOINT && S3_ACCESS_KEY && S3_SECRET_KEY) {
    return {
      config: {
        S3_ENDPOINT,
        S3_ACCESS_KEY,
        S3_SECRET_KEY,
        S3_REGION: 'us-east-1',
        S3_BUCKET: 'kubevod',
      },
      stop: () => undefined,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubevod-bench-minio-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const config = {
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_ACCESS_KEY: 'bench',
    S3_SECRET_KEY: 'bench-secret-key',
    S3_REGION: 'us-east-1',
    S3_BUCKET: 'kubevod',
  };
  const child = spawn(
    minioBinary(),
    ['server', dir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${port + 1}`],
    {
      env: {
        ...process.env,
        MINIO_ROOT_USER: config.S3_ACCESS_KEY,
        MINIO_ROOT_PASSWORD: config.S3_SECRET_KEY,
      },
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 60; i++) {
    const ok = await fetch(`${config.S3_ENDPOINT}/minio/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    config,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const source = makeSource();
  const work = mkdtempSync(join(tmpdir(), 'kubevod-bench-'));
  execFileSync('cp', [source, join(work, 'source')]);
  const media = parseProbe(
    JSON.parse(
      execFileSync('ffprobe', probeArgs('source', MAX_ALLOC), { cwd: work, encoding: 'utf8' }),
    ),
  );
  const plan = planLadder(media, { profile: 'default' }, { segmentSeconds: 4 });
  const rungs = plan.video!.renditions.map((r) => r.name).join(', ');
  const opts = (out: string) => ({
    input: 'source',
    outputDir: out,
    preset: PRESET,
    maxAllocBytes: MAX_ALLOC,
  });
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log(
    `source: ${SECONDS} s 1080p30 + AAC; ladder: ${rungs} + audio; x264 preset ${PRESET}; 4 s segments\n`,
  );

  const single = await runMeasured('ffmpeg', encodeArgs(plan, opts('single')), { cwd: work });
  const parts: Measured[] = [];
  for (let i = 0; i < plan.video!.renditions.length; i++) {
    parts.push(
      await runMeasured('ffmpeg', encodeArgs(subPlan(plan, { video: i }), opts(`sep-v${i}`)), {
        cwd: work,
      }),
    );
  }
  parts.push(
    await runMeasured('ffmpeg', encodeArgs(subPlan(plan, { audio: true }), opts('sep-a')), {
      cwd: work,
    }),
  );
  const separate = {
    wall: parts.reduce((s, p) => s + p.wall, 0),
    cpu: parts.reduce((s, p) => s + p.cpu, 0),
  };

  const storage = await ensureStorage();
  let worker: Measured;
  try {
    const s3 = MinioObjectStore.fromConfig(storage.config);
    await s3.ensureBucket('bench-src');
    await s3.ensureBucket('bench-out');
    await s3.putFile('bench-src', 'uploads/source.mp4', source);
    worker = await runMeasured(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        ...storage.config,
        LOG_LEVEL: 'warn',
        KUBEVOD_VIDEO_ID: 'bench',
        KUBEVOD_SPEC: JSON.stringify({
          source: { bucket: 'bench-src', key: 'uploads/source.mp4' },
        }),
        KUBEVOD_OUTPUT_BUCKET: 'bench-out',
        KUBEVOD_SCRATCH_DIR: join(work, 'scratch'),
        TERMINATION_LOG_PATH: join(work, 'termination-log'),
        X264_PRESET: PRESET,
        SEGMENT_SECONDS: '4',
      },
    });
  } finally {
    storage.stop();
  }
  rmSync(work, { recursive: true, force: true });

  const row = (name: string, m: Measured) =>
    `${name.padEnd(44)} ${m.wall.toFixed(1).padStart(8)} ${m.cpu.toFixed(1).padStart(9)} ${(m.cpu / SECONDS).toFixed(3).padStart(12)}`;
  console.log(
    `${'run'.padEnd(44)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(9)} ${'CPU s/media s'.padStart(12)}`,
  );
  console.log(row('one-pass ladder (bare ffmpeg, the baseline)', single));
  console.log(row(`separate runs (${plan.video!.renditions.length} video + 1 audio)`, separate));
  console.log(row('worker end to end (MinIO in and out)', worker));
  const cpuGain = separate.cpu / single.cpu;
  const overhead = worker.wall / single.wall;
  console.log('');
  console.log(
    `one-pass CPU advantage: ${cpuGain.toFixed(2)}x less CPU than separate runs (target >= 1.35x) ${cpuGain >= 1.35 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `worker wall vs bare ffmpeg: ${overhead.toFixed(3)}x (target <= 1.15x) ${overhead <= 1.15 ? 'MET' : 'MISSED'}`,
  );
  // Wall time follows whatever else the machine runs; CPU time does not: show both.
  console.log(
    `worker CPU vs bare ffmpeg: ${(worker.cpu / single.cpu).toFixed(3)}x (load-independent view of the same overhead)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
