/**
 * npm run bench:api — a 1 GiB upload through the API (multipart, and tus) vs the same bytes sent
 * with a bare `minio` client putObject to the same MinIO, plus the API's idle RSS and peak RSS
 * (VmHWM), and what loading each dependency costs.
 *
 *   BENCH_BYTES=1073741824  size of the generated file
 *   BENCH_NO_BUILD=1        reuse dist/ instead of `nest build api`
 *   BENCH_PART_SIZES=16,5   more multipart runs, each in a fresh api, with these part sizes (MiB)
 *   BENCH_ABLATION=1        more multipart runs, adding the memory settings one at a time
 *   BENCH_NO_IMPORTS=1      skip the import-cost table
 *   BENCH_TUS_CHUNK_MIB=32  tus PATCH size in MiB, as the CLI sends (0: one PATCH for the file)
 *   BENCH_API_NODE_OPTIONS  experiments only: other NODE_OPTIONS than the chart's
 *
 * The api runs with the NODE_OPTIONS of its Deployment, read from the chart
 * (charts/kubevod/templates/api/deployment.yaml), so the figures are those of the real pods.
 * Runs its own MinIO (the pinned binary) on loopback and the API as a child process from the
 * `nest build api` output, on the local control plane (KUBECONFIG or cluster.sh's kubeconfig).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { minioClientFrom } from '@kubevod/storage';
import { REPO_ROOT, startApiProcess, type ApiProcess } from '../support/api-process';
import { makeMediaLikeFile, makeSmallMp4 } from '../support/media-fixture';
import { startThrowawayMinio } from '../support/throwaway-minio';
import { measureImportCosts } from './import-cost';

const MiB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_BYTES ?? 1024 * MiB);
const TUS_CHUNK_MIB = Number(process.env.BENCH_TUS_CHUNK_MIB ?? 32);
const KEY = 'bench-key';
const MB_PER_MIB = 1.048576;
const CHART_DEPLOYMENT = join(REPO_ROOT, 'charts/kubevod/templates/api/deployment.yaml');
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

/** The api's runtime environment as its Deployment sets it: NODE_OPTIONS (and malloc tuning, if any). */
function chartRuntimeEnv(): Record<string, string> {
  const yaml = readFileSync(CHART_DEPLOYMENT, 'utf8');
  const env: Record<string, string> = {};
  for (const name of ['NODE_OPTIONS', 'MALLOC_MMAP_THRESHOLD_']) {
    const m = new RegExp(`- name: ${name}\\n\\s+value: "([^"]*)"`).exec(yaml);
    if (m) env[name] = m[1];
  }
  if (!env.NODE_OPTIONS) throw new Error(`${CHART_DEPLOYMENT} sets no NODE_OPTIONS`);
  return env;
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

interface Variant {
  name: string;
  /** the api's runtime env (NODE_OPTIONS, malloc) and config on top of the common env */
  env: Record<string, string>;
}

interface MultipartRun {
  name: string;
  seconds: number;
  idleMiB: number;
  hwmMiB: number;
}

const mb = (mib: number) => mib * MB_PER_MIB;
const fmtMem = (mib: number) => `${mib.toFixed(0)} MiB (${mb(mib).toFixed(0)} MB)`;

async function main(): Promise<void> {
  const runtime = chartRuntimeEnv();
  // For experiments only: the reported runs use the chart's settings.
  if (process.env.BENCH_API_NODE_OPTIONS !== undefined) {
    runtime.NODE_OPTIONS = process.env.BENCH_API_NODE_OPTIONS;
    console.log(`NOT the chart's settings: NODE_OPTIONS=${runtime.NODE_OPTIONS}`);
  }
  if (!process.env.BENCH_NO_IMPORTS) {
    console.log(`resident memory after require(), NODE_OPTIONS=${runtime.NODE_OPTIONS}:`);
    console.log('| modules | VmRSS (MiB) | added (MiB) |\n|---|---|---|');
    for (const row of measureImportCosts(runtime)) {
      console.log(
        `| ${row.what} | ${row.rssMiB.toFixed(1)} | ${row.addedMiB === undefined ? '' : `+${row.addedMiB.toFixed(1)}`} |`,
      );
    }
  }

  const work = mkdtempSync(join(tmpdir(), 'kubevod-bench-api-'));
  const minio = await startThrowawayMinio();
  const apis: ApiProcess[] = [];
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
    const startApi = async (env: Record<string, string>) => {
      const api = await startApiProcess(
        {
          ...s3,
          S3_BUCKET: bucket,
          KUBECONFIG: kubeconfig(),
          TRANSCODE_NAMESPACE: NAMESPACE,
          API_KEYS: KEY,
          LOG_LEVEL: 'warn',
          MAX_UPLOAD_BYTES: String(BYTES + MiB),
          ...env,
        },
        { built: true },
      );
      apis.push(api);
      // Settled: the start-up garbage is collected or not, as it would be in a pod.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { api, idle: memory(api.pid) };
    };

    // Baseline: the bare minio client, same MinIO (its own 16 MiB parts).
    const putBare = () =>
      timed(() =>
        client.putObject(
          bucket,
          'bench/bare',
          createReadStream(file, { highWaterMark: MiB }),
          BYTES,
        ),
      );

    // Through the API: one streamed multipart POST from curl (a separate, lean client process,
    // so the bench's own event loop does not slow the API side down).
    const postMultipart = (api: ApiProcess) =>
      timed(async () => {
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
            `${api.url}/v1/videos`,
          ],
          { encoding: 'utf8', maxBuffer: 1024 * 1024 },
        );
        const [body, status] = out.trim().split('\n');
        if (status !== '201') throw new Error(`upload answered ${status}: ${body}`);
        const created = JSON.parse(body) as { id: string; bytes: number };
        if (created.bytes !== BYTES) throw new Error(`stored ${created.bytes} bytes, not ${BYTES}`);
        return created;
      });

    const main = await startApi(runtime);
    const bare = await putBare();
    const viaApi = await postMultipart(main.api);
    const afterMultipart = memory(main.api.pid);

    // Through the API with tus: PATCHes of BENCH_TUS_CHUNK_MIB (0: one PATCH for the whole
    // file), parts staged on disk by @tus/s3-store.
    const viaTus = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          new tus.Upload(createReadStream(file) as never, {
            endpoint: `${main.api.url}/v1/uploads`,
            headers: { authorization: `Bearer ${KEY}` },
            metadata: { filename: 'upload.mp4' },
            chunkSize: TUS_CHUNK_MIB ? TUS_CHUNK_MIB * MiB : Infinity,
            retryDelays: null,
            onSuccess: () => resolve(),
            onError: reject,
          }).start();
        }),
    );
    const afterTus = memory(main.api.pid);
    await main.api.stop();

    // More multipart runs, each in a fresh api (VmHWM is per process).
    const variants: Variant[] = [];
    for (const size of (process.env.BENCH_PART_SIZES ?? '16,5').split(',').filter(Boolean)) {
      variants.push({
        name: `multipart, ${size} MiB parts`,
        env: { ...runtime, UPLOAD_PART_SIZE_MIB: size },
      });
    }
    if (process.env.BENCH_ABLATION) {
      // From the settings of the previous session to the chart's, one step at a time.
      const session1 = {
        NODE_OPTIONS: '--max-semi-space-size=2',
        API_OPTIMIZE_FOR_SIZE: 'false',
        UPLOAD_PART_SIZE_MIB: '16',
      };
      const steps: [string, Record<string, string>][] = [
        ['--max-semi-space-size=2, 16 MiB parts (the old runtime settings)', session1],
        ['+ --max-semi-space-size=1', { ...session1, NODE_OPTIONS: '--max-semi-space-size=1' }],
        [
          '+ --jitless and --optimize-for-size',
          {
            ...session1,
            NODE_OPTIONS: '--max-semi-space-size=1 --jitless',
            API_OPTIMIZE_FOR_SIZE: 'true',
          },
        ],
        [
          '+ 8 MiB parts',
          { NODE_OPTIONS: '--max-semi-space-size=1 --jitless', UPLOAD_PART_SIZE_MIB: '8' },
        ],
        ['+ --expose-gc (young GC every 4 MiB received) = the chart', { ...runtime }],
        // Tried and not kept: little memory, and fs/tus reads paid a page fault per 4 KiB.
        [
          'the chart + MALLOC_MMAP_THRESHOLD_=65536',
          { ...runtime, MALLOC_MMAP_THRESHOLD_: '65536' },
        ],
      ];
      for (const [name, env] of steps) variants.push({ name: `ablation: ${name}`, env });
    }
    const runs: MultipartRun[] = [];
    for (const variant of variants) {
      const { api, idle } = await startApi(variant.env);
      const run = await postMultipart(api);
      runs.push({
        name: variant.name,
        seconds: run.seconds,
        idleMiB: idle.rss,
        hwmMiB: memory(api.pid).hwm,
      });
      await api.stop();
    }
    // The machine is shared: the baseline again, to show how much it drifted meanwhile.
    const bareAgain = await putBare();

    const rate = (s: number) => BYTES / MiB / s;
    const vs = (s: number) => `${(bare.seconds / s).toFixed(2)}x`;
    console.log(
      `\n${(BYTES / MiB).toFixed(0)} MiB, loopback, MinIO ${minio.endpoint}; api env from the chart: ` +
        `NODE_OPTIONS=${runtime.NODE_OPTIONS}` +
        (runtime.MALLOC_MMAP_THRESHOLD_
          ? ` MALLOC_MMAP_THRESHOLD_=${runtime.MALLOC_MMAP_THRESHOLD_}`
          : ''),
    );
    console.log('| path | seconds | MiB/s | vs baseline | api idle RSS (MiB) | api VmHWM (MiB) |');
    console.log('|---|---|---|---|---|---|');
    const row = (name: string, s: number, ratio: string, idle: string, hwm: string) =>
      console.log(
        `| ${name} | ${s.toFixed(2)} | ${rate(s).toFixed(0)} | ${ratio} | ${idle} | ${hwm} |`,
      );
    row('bare minio putObject (baseline)', bare.seconds, '1.00x', '-', '-');
    row(
      'api POST /v1/videos (multipart)',
      viaApi.seconds,
      vs(viaApi.seconds),
      main.idle.rss.toFixed(0),
      afterMultipart.hwm.toFixed(0),
    );
    row(
      `same api, then tus /v1/uploads (${TUS_CHUNK_MIB ? `${TUS_CHUNK_MIB} MiB PATCHes` : 'one PATCH'})`,
      viaTus.seconds,
      vs(viaTus.seconds),
      '',
      afterTus.hwm.toFixed(0),
    );
    for (const r of runs) {
      row(r.name, r.seconds, vs(r.seconds), r.idleMiB.toFixed(0), r.hwmMiB.toFixed(0));
    }
    row('bare minio putObject again (drift)', bareAgain.seconds, vs(bareAgain.seconds), '-', '-');

    const ratio = bare.seconds / viaApi.seconds;
    console.log(
      `\ntargets: multipart throughput >= 0.7x baseline: ${ratio.toFixed(2)}x ${ratio >= 0.7 ? 'MET' : 'MISSED'}; ` +
        `api peak RSS < 150 MB: ${fmtMem(afterMultipart.hwm)} ${mb(afterMultipart.hwm) < 150 ? 'MET' : 'MISSED'} (multipart), ` +
        `${fmtMem(afterTus.hwm)} ${mb(afterTus.hwm) < 150 ? 'MET' : 'MISSED'} (multipart then tus); ` +
        `idle ${fmtMem(main.idle.rss)}`,
    );
    kubectl(['delete', 'transcodes', '--all', '-n', NAMESPACE, '--wait=false']);
  } finally {
    for (const api of apis) await api.stop();
    await minio.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
