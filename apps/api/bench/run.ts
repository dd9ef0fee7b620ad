/**
 * npm run bench:api — a 1 GiB upload through the API (multipart, and tus) vs the same bytes sent
 * with a bare `minio` client putObject to the same MinIO, plus the API's peak RSS (VmHWM).
 *
 *   BENCH_BYTES=1073741824  size of the generated file
 *   BENCH_NO_BUILD=1        reuse dist/ instead of `nest build api`
 *
 * Runs its own MinIO (the pinned binary) on loopback and the API as a child process from the
 * `nest build api` output, on the local control plane (KUBECONFIG or cluster.sh's kubeconfig).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { minioClientFrom } from '@kubevod/storage';
import { REPO_ROOT, startApiProcess } from '../support/api-process';
import { makeMediaLikeFile, makeSmallMp4 } from '../support/media-fixture';
import { startThrowawayMinio } from '../support/throwaway-minio';

const MiB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_BYTES ?? 1024 * MiB);
const KEY = 'bench-key';
/** How the api runs in its container (see apps/api/README.md): a small young generation. */
const API_NODE_OPTIONS = process.env.BENCH_API_NODE_OPTIONS ?? '--max-semi-space-size=2';
const NAMESPACE = 'kubevod-bench';
const KUBECTL = process.env.KUBECTL ?? join(homedir(), '.cache/kubevod/k8s-v1.34.4/bin/kubectl');

function kubeconfig(): string {
  const path = process.env.KUBECONFIG ?? join(homedir(), '.local/state/kubevod/kubeconfig');
  if (!existsSync(path)) {
    throw new Error(`no kubeconfig at ${path}: bash test/cluster/cluster.sh up controlplane`);
  }
  return path;
}

function kubectl(args: string[], input?: string): string {
  return execFileSync(KUBECTL, args, {
    env: { ...process.env, KUBECONFIG: kubeconfig() },
    input,
    encoding: 'utf8',
  });
}

/** Peak and current resident set of a process, in MiB, from /proc. */
function memory(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kubevod-bench-api-'));
  const minio = await startThrowawayMinio();
  let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  try {
    console.log(`generating ${(BYTES / MiB).toFixed(0)} MiB of media-like bytes in ${work}`);
    const mp4 = join(work, 'head.mp4');
    makeSmallMp4(mp4);
    const file = join(work, 'upload.mp4');
    makeMediaLikeFile(file, BYTES, mp4);

    kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      join(REPO_ROOT, 'crds/transcodes.media.kubevod.io.yaml'),
    ]);
    kubectl(
      ['apply', '-f', '-'],
      `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NAMESPACE} }\n`,
    );

    if (!process.env.BENCH_NO_BUILD) {
      console.log('building the api (nest build api)');
      execFileSync(join(REPO_ROOT, 'node_modules/.bin/nest'), ['build', 'api'], {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      });
    }
    const s3 = {
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY: minio.accessKey,
      S3_SECRET_KEY: minio.secretKey,
      S3_REGION: 'us-east-1',
    };
    const bucket = 'kubevod-bench';
    const client = minioClientFrom(s3);
    await client.makeBucket(bucket);
    api = await startApiProcess(
      {
        ...s3,
        S3_BUCKET: bucket,
        KUBECONFIG: kubeconfig(),
        TRANSCODE_NAMESPACE: NAMESPACE,
        API_KEYS: KEY,
        LOG_LEVEL: 'warn',
        MAX_UPLOAD_BYTES: String(BYTES + MiB),
        NODE_OPTIONS: API_NODE_OPTIONS,
      },
      { built: true },
    );
    const idle = memory(api.pid);

    // Baseline: the bare minio client, same MinIO, same part size as the API's store adapter.
    const bare = await timed(() =>
      client.putObject(bucket, 'bench/bare', createReadStream(file, { highWaterMark: MiB }), BYTES),
    );

    // Through the API: one streamed multipart POST from curl (a separate, lean client process,
    // so the bench's own event loop does not slow the API side down).
    const viaApi = await timed(async () => {
      const out = execFileSync(
        'curl',
        [
          '-sS',
          '-H',
          `Authorization: Bearer ${KEY}`,
          '-F',
          'profile=default',
          '-F',
          `file=@${file}`,
          '-w',
          '\\n%{http_code}',
          `${api!.url}/v1/videos`,
        ],
        { encoding: 'utf8', maxBuffer: 1024 * 1024 },
      );
      const [body, status] = out.trim().split('\n');
      if (status !== '201') throw new Error(`upload answered ${status}: ${body}`);
      return JSON.parse(body) as { id: string; bytes: number };
    });
    if (viaApi.result.bytes !== BYTES)
      throw new Error(`stored ${viaApi.result.bytes} bytes, not ${BYTES}`);
    const afterMultipart = memory(api.pid);

    // Through the API with tus (informational): 32 MiB PATCHes, parts staged on disk by @tus/s3-store.
    const viaTus = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          new tus.Upload(createReadStream(file) as never, {
            endpoint: `${api!.url}/v1/uploads`,
            headers: { authorization: `Bearer ${KEY}` },
            metadata: { filename: 'upload.mp4' },
            chunkSize: 32 * MiB,
            retryDelays: null,
            onSuccess: () => resolve(),
            onError: reject,
          }).start();
        }),
    );
    const afterTus = memory(api.pid);

    const rate = (s: number) => BYTES / MiB / s;
    const rows = [
      ['bare minio putObject (baseline)', bare.seconds, rate(bare.seconds), '', ''],
      [
        'api POST /v1/videos (multipart)',
        viaApi.seconds,
        rate(viaApi.seconds),
        (bare.seconds / viaApi.seconds).toFixed(2) + 'x',
        afterMultipart.hwm.toFixed(0),
      ],
      [
        'api tus /v1/uploads (32 MiB chunks)',
        viaTus.seconds,
        rate(viaTus.seconds),
        (bare.seconds / viaTus.seconds).toFixed(2) + 'x',
        afterTus.hwm.toFixed(0),
      ],
    ] as const;
    console.log(
      `\n${(BYTES / MiB).toFixed(0)} MiB, loopback, MinIO ${minio.endpoint}; api NODE_OPTIONS=${API_NODE_OPTIONS}, idle RSS ${idle.rss.toFixed(0)} MiB`,
    );
    console.log('| path | seconds | MiB/s | vs baseline | api VmHWM (MiB) |');
    console.log('|---|---|---|---|---|');
    for (const [name, s, r, ratio, hwm] of rows) {
      console.log(
        `| ${name} | ${s.toFixed(2)} | ${r.toFixed(0)} | ${ratio || '1.00x'} | ${hwm || '-'} |`,
      );
    }
    const ratio = bare.seconds / viaApi.seconds;
    console.log(
      `\ntargets: multipart throughput >= 0.7x baseline: ${ratio.toFixed(2)}x ${ratio >= 0.7 ? 'MET' : 'MISSED'}; ` +
        `api peak RSS < 150 MB: ${(afterMultipart.hwm * 1.048576).toFixed(0)} MB ${afterMultipart.hwm * 1.048576 < 150 ? 'MET' : 'MISSED'} (after multipart), ` +
        `${(afterTus.hwm * 1.048576).toFixed(0)} MB (after tus)`,
    );
    kubectl(['delete', 'transcodes', '--all', '-n', NAMESPACE, '--wait=false']);
  } finally {
    await api?.stop();
    await minio.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
