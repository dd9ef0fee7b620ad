/**
 * Benchmark: N Transcodes created at once on the real apiserver -> time until every Job exists
 * and every Transcode's status is correct, and the controller's peak RSS.
 *
 *   npm run bench:controller            # N=1000
 *   BENCH_N=200 npm run bench:controller
 *
 * kwok mode (default when kwok's high-cpu fake nodes are Ready; BENCH_KWOK=0 turns it off): the
 * controller is configured for the high-cpu pool, the real kube-scheduler places the N pods on
 * kwok's fake nodes, kwok runs them for a few seconds and completes them (exit 0); the script puts
 * every ready record first (as the worker would), and also times until all N are Succeeded and
 * checks every pod ran on a high-cpu node.
 *
 * Needs the local control plane (bash test/cluster/cluster.sh up controlplane) or KUBECONFIG;
 * S3: S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY, or the pinned MinIO binary is started here.
 * The controller runs as its own process from the compiled build (nest build controller), as in
 * production, so its RSS is its own. Baselines printed beside it:
 *   - the same N Jobs created directly by this script at the same client concurrency (the
 *     apiserver's floor for the work the controller must do at least);
 *   - the controller's own RSS when idle and synced, before the burst.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, loadKubeConfig, type KubeList } from '@kubevod/kube';
import { MinioObjectStore } from '@kubevod/storage';
import { objectKeys, TranscodeSpecSchema } from '@kubevod/contracts';
import { loadConfig } from '@kubevod/runtime';
import { ControllerConfigSchema } from '../src/config';
import { jobTemplateFrom } from '../src/manager/controller-manager';
import { buildJob, jobName } from '../src/reconcile/job-spec';
import type { JobWire, TranscodeWire } from '../src/reconcile/wire';
import { freePort } from '../test/process';
import { REPO_ROOT, ensureCrd, readyRecord, waitFor } from '../test/fixtures';
import { minioBinary } from '../../../test/support/minio-binary';

const N = Number(process.env.BENCH_N ?? 1000);
const CLIENT_CONCURRENCY = Number(process.env.BENCH_CLIENT_CONCURRENCY ?? 32);
const TARGET_SECONDS = 60;
const TARGET_RSS_MB = 200;
const POOL = 'kubevod.io/pool';
/** node/V8 flags of the controller process ('' = Node's defaults); the semi-space is young-gen RSS */
const CONTROLLER_NODE_FLAGS =
  process.env.BENCH_CONTROLLER_NODE_FLAGS ?? '--max-semi-space-size=2 --optimize-for-size';

/**
 * Worker placement on kwok's high-cpu pool: small requests so that the pool's pod slots
 * (5 nodes x 110 pods), not CPU or scratch space, bound how many run at once (no
 * ephemeral-storage request); kwok holds each pod Running 5-10 s.
 */
const KWOK_ENV = {
  WORKER_NODE_SELECTOR: JSON.stringify({ [POOL]: 'high-cpu' }),
  WORKER_TOLERATIONS: JSON.stringify([
    { key: POOL, operator: 'Equal', value: 'high-cpu', effect: 'NoSchedule' },
    { key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' },
  ]),
  WORKER_CPU_REQUEST: '50m',
  WORKER_MEMORY_REQUEST: '64Mi',
  WORKER_EPHEMERAL_STORAGE_REQUEST: '0',
  WORKER_POD_ANNOTATIONS: JSON.stringify({
    'pod-complete.stage.kwok.x-k8s.io/delay': '5s',
    'pod-complete.stage.kwok.x-k8s.io/jitter-delay': '10s',
  }),
};

interface NodeWire {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Ready high-cpu fake nodes (name -> pool of every node, for the placement check), or none. */
async function kwokPools(kube: KubeClient): Promise<Map<string, string> | undefined> {
  if (process.env.BENCH_KWOK === '0') return undefined;
  const nodes = await listAll<NodeWire>(kube, '/api/v1/nodes');
  const ready = nodes.filter(
    (n) =>
      n.metadata.labels?.['kubevod.io/fake-node'] === 'true' &&
      n.metadata.labels?.[POOL] === 'high-cpu' &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  if (!ready.length) {
    if (process.env.BENCH_KWOK === '1')
      throw new Error('BENCH_KWOK=1 but no Ready high-cpu kwok node');
    return undefined;
  }
  return new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[POOL] ?? '']));
}

const log = (msg: string) => process.stderr.write(`[bench:controller] ${msg}\n`);

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<unknown>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

function kubeconfigPath(): string {
  if (process.env.KUBECONFIG) return process.env.KUBECONFIG;
  const out = execFileSync(
    'bash',
    [join(REPO_ROOT, 'test/cluster/cluster.sh'), 'env', 'controlplane'],
    {
      encoding: 'utf8',
    },
  );
  const m = /^export KUBECONFIG=(.+)$/m.exec(out);
  if (!m)
    throw new Error(
      'no KUBECONFIG: start the control plane (test/cluster/cluster.sh up controlplane)',
    );
  return m[1].trim();
}

async function ensureS3(children: ChildProcess[]): Promise<void> {
  if (process.env.S3_ENDPOINT) return;
  const bin = minioBinary();
  const port = await freePort();
  const user = `bench${randomBytes(4).toString('hex')}`;
  const pass = randomBytes(16).toString('hex');
  const child = spawn(
    bin,
    [
      'server',
      mkdtempSync(join(tmpdir(), 'kv-bench-minio-')),
      '--address',
      `127.0.0.1:${port}`,
      '--quiet',
    ],
    {
      env: { ...process.env, MINIO_ROOT_USER: user, MINIO_ROOT_PASSWORD: pass },
      stdio: 'ignore',
    },
  );
  children.push(child);
  Object.assign(process.env, {
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_ACCESS_KEY: user,
    S3_SECRET_KEY: pass,
    S3_REGION: 'us-east-1',
  });
  await waitFor(
    'MinIO',
    async () => (await fetch(`http://127.0.0.1:${port}/minio/health/live`)).ok,
    60_000,
    250,
  );
}

function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

async function listAll<T>(kube: KubeClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await kube.get<KubeList<T>>(path, { limit: 500, continue: cont });
    items.push(...page.items);
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

/**
 * A previous run's namespaces are deleted in the background (thousands of Jobs and pods through
 * the namespace controller and the garbage collector, minutes of kube-controller-manager work):
 * wait for them, or this run would measure that backlog.
 */
async function previousRunGone(kube: KubeClient): Promise<void> {
  const terminating = async () =>
    (
      await listAll<{ metadata: { name: string }; status?: { phase?: string } }>(
        kube,
        '/api/v1/namespaces',
      )
    ).filter(
      (n) =>
        /^bench-[0-9a-f]{6}(-direct)?$/.test(n.metadata.name) && n.status?.phase === 'Terminating',
    );
  const left = await terminating();
  if (!left.length) return;
  log(
    `waiting for a previous run's namespaces to go: ${left.map((n) => n.metadata.name).join(', ')}`,
  );
  const t0 = performance.now();
  await waitFor(
    "a previous run's namespaces to go",
    async () => ((await terminating()).length ? undefined : true),
    1_200_000,
    2000,
  );
  log(`they went in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  process.env.KUBECONFIG = kubeconfigPath();
  const children: ChildProcess[] = [];
  const kube = await KubeClient.create(loadKubeConfig());
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const baseNs = `${ns}-direct`;
  const bucket = `kv-${ns}`;
  try {
    await ensureS3(children);
    ensureCrd();
    await previousRunGone(kube);
    const pools = await kwokPools(kube);
    const kwokEnv = pools ? KWOK_ENV : {};
    log(pools ? 'kwok mode: pods run on the high-cpu fake nodes' : 'no kwok: pods stay Pending');
    const main = join(REPO_ROOT, 'dist/apps/controller/apps/controller/src/main.js');
    if (!existsSync(main) || process.env.BENCH_BUILD !== '0') {
      log('building the controller (nest build controller)');
      execFileSync('npx', ['nest', 'build', 'controller'], { cwd: REPO_ROOT, stdio: 'inherit' });
    }
    for (const name of [ns, baseNs]) {
      await kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
    }
    const store = MinioObjectStore.fromConfig({
      S3_ENDPOINT: process.env.S3_ENDPOINT!,
      S3_ACCESS_KEY: process.env.S3_ACCESS_KEY!,
      S3_SECRET_KEY: process.env.S3_SECRET_KEY!,
      S3_REGION: process.env.S3_REGION ?? 'us-east-1',
      S3_BUCKET: bucket,
    });
    await store.ensureBucket(bucket);
    const names = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    if (pools) {
      // kwok runs nothing: the ready records the workers would write last, put beforehand
      await pool(names, CLIENT_CONCURRENCY, (name) =>
        store.putJson(bucket, objectKeys.ready(name), readyRecord(name, bucket)),
      );
      log(`${N} ready records put`);
    }

    const port = await freePort();
    // as node arguments, like the image's entrypoint would (some V8 flags are refused in NODE_OPTIONS)
    const nodeFlags = CONTROLLER_NODE_FLAGS.split(/\s+/).filter(Boolean);
    const ctl = spawn(process.execPath, [...nodeFlags, main], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        WATCH_NAMESPACES: ns,
        POD_NAMESPACE: ns,
        // the Lease lives outside the namespace the teardown deletes
        LEASE_NAMESPACE: 'default',
        LEASE_NAME: `kubevod-${ns}`,
        POD_NAME: 'bench-controller',
        S3_BUCKET: bucket,
        RETENTION_SECONDS: '0',
        ...kwokEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(ctl);
    const url = `http://127.0.0.1:${port}`;
    // waitFor retries on errors: an exited controller must end the wait at once instead
    const exited = new Promise<never>((_, reject) =>
      ctl.once('exit', (code) => reject(new Error(`the controller exited with ${code}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([
      waitFor(
        'the controller to be ready',
        async () => (await fetch(`${url}/readyz`)).ok,
        120_000,
        250,
      ),
      exited,
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = procStatus(ctl.pid!);
    log(`controller ready (pid ${ctl.pid}), idle RSS ${idle.rssMb.toFixed(0)} MB`);

    // --- the burst ---
    const tcPath = `/apis/media.kubevod.io/v1alpha1/namespaces/${ns}/transcodes`;
    let peakRss = idle.rssMb;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, procStatus(ctl.pid!).rssMb);
      } catch {
        /* exited */
      }
    }, 100);
    const t0 = performance.now();
    await pool(names, CLIENT_CONCURRENCY, (name) =>
      kube.request('POST', tcPath, {
        body: {
          apiVersion: 'media.kubevod.io/v1alpha1',
          kind: 'Transcode',
          metadata: { name },
          spec: { source: { bucket, key: `sources/${name}/source` } },
        },
      }),
    );
    const createdS = (performance.now() - t0) / 1000;
    log(`${N} Transcodes created in ${createdS.toFixed(1)} s`);

    let jobsAt = 0;
    let statusAt = 0;
    let lastReport = 0;
    await waitFor(
      'every Job and status',
      async () => {
        const [tcs, jobs] = await Promise.all([
          listAll<TranscodeWire>(kube, tcPath),
          listAll<JobWire>(kube, `/apis/batch/v1/namespaces/${ns}/jobs`),
        ]);
        const jobNames = new Set(jobs.map((j) => j.metadata?.name));
        const now = (performance.now() - t0) / 1000;
        if (!jobsAt && jobs.length >= N) jobsAt = now;
        const correct = tcs.filter((t) => {
          const expected = jobName({ name: t.metadata.name!, uid: t.metadata.uid! }, 0);
          const ready = t.status?.conditions?.find((c) => c.type === 'Ready');
          return (
            jobNames.has(expected) &&
            t.status?.jobName === expected &&
            // Unschedulable: a pod waiting for one of the pool's pod slots, as the scheduler says
            ((t.status.phase === 'Pending' &&
              (ready?.reason === 'JobCreated' || ready?.reason === 'Unschedulable')) ||
              (pools &&
                ((t.status.phase === 'Running' && ready?.reason === 'Encoding') ||
                  (t.status.phase === 'Succeeded' && ready?.reason === 'Succeeded')))) &&
            t.status.observedGeneration === t.metadata.generation &&
            t.metadata.finalizers?.includes('media.kubevod.io/cleanup')
          );
        }).length;
        if (now - lastReport > 5) {
          lastReport = now;
          log(
            `t=${now.toFixed(0)} s: ${jobs.length} Jobs, ${correct}/${N} statuses correct, RSS ${procStatus(ctl.pid!).rssMb.toFixed(0)} MB`,
          );
        }
        if (jobs.length > N) throw new Error(`duplicate Jobs: ${jobs.length} for ${N} Transcodes`);
        if (correct === N && jobs.length === N) {
          statusAt = now;
          return true;
        }
        return undefined;
      },
      600_000,
      500,
    );
    let succeededAt = 0;
    if (pools) {
      await waitFor(
        `all ${N} Succeeded`,
        async () => {
          const tcs = await listAll<TranscodeWire>(kube, tcPath);
          const now = (performance.now() - t0) / 1000;
          const done = tcs.filter((t) => t.status?.phase === 'Succeeded').length;
          const failed = tcs.filter((t) => t.status?.phase === 'Failed');
          if (failed.length)
            throw new Error(
              `${failed[0].metadata.name} Failed: ${JSON.stringify(failed[0].status)}`,
            );
          if (now - lastReport > 5) {
            lastReport = now;
            log(
              `t=${now.toFixed(0)} s: ${done}/${N} Succeeded, RSS ${procStatus(ctl.pid!).rssMb.toFixed(0)} MB`,
            );
          }
          if (done < N) return undefined;
          succeededAt = now;
          return true;
        },
        900_000,
        1000,
      );
      const [jobs, pods] = await Promise.all([
        listAll<JobWire>(kube, `/apis/batch/v1/namespaces/${ns}/jobs`),
        listAll<{ spec?: { nodeName?: string }; status?: { phase?: string } }>(
          kube,
          `/api/v1/namespaces/${ns}/pods`,
        ),
      ]);
      const complete = jobs.filter((j) =>
        j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
      ).length;
      const misplaced = pods.filter((p) => pools.get(p.spec?.nodeName ?? '') !== 'high-cpu');
      if (jobs.length !== N || complete !== N || pods.length !== N || misplaced.length) {
        throw new Error(
          `expected ${N} Complete Jobs with one pod each on high-cpu nodes: ${jobs.length} Jobs, ${complete} Complete, ${pods.length} pods, ${misplaced.length} not on a high-cpu node`,
        );
      }
      log(`${N} Jobs Complete, ${N} pods, all ran on high-cpu fake nodes`);
    }
    clearInterval(sampler);
    const after = procStatus(ctl.pid!);
    peakRss = Math.max(peakRss, after.rssMb);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const metric = (name: string) =>
      Number(new RegExp(`^${name}\\{[^}]*\\} ([0-9.e+-]+)`, 'm').exec(metrics)?.[1] ?? NaN);

    // --- baseline: the same N Jobs created straight at the apiserver, same concurrency ---
    // same placement as the controller's Jobs (kwok mode: their pods run on the fake pool too)
    const template = jobTemplateFrom(
      loadConfig(ControllerConfigSchema, { ...process.env, S3_BUCKET: bucket, ...kwokEnv }),
    );
    const spec = TranscodeSpecSchema.parse({ source: { bucket, key: 'sources/x/source' } });
    const b0 = performance.now();
    await pool(names, CLIENT_CONCURRENCY, (name) => {
      const job = buildJob({ name, namespace: baseNs, uid: `uid-${name}`, spec }, 0, template);
      delete job.metadata!.ownerReferences;
      return kube.request('POST', `/apis/batch/v1/namespaces/${baseNs}/jobs`, { body: job });
    });
    const baselineS = (performance.now() - b0) / 1000;
    // kwok mode: the cluster's own floor for "every pod scheduled, run and completed" (the
    // Job controller of kube-controller-manager creates the pods at its client QPS)
    let baselineCompleteS = 0;
    if (pools) {
      await waitFor(
        `all ${N} direct Jobs Complete`,
        async () => {
          const jobs = await listAll<JobWire>(kube, `/apis/batch/v1/namespaces/${baseNs}/jobs`);
          const complete = jobs.filter((j) =>
            j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
          ).length;
          return complete === N ? true : undefined;
        },
        900_000,
        1000,
      );
      baselineCompleteS = (performance.now() - b0) / 1000;
    }

    const rows: [string, string, string, string][] = [
      ['metric', 'controller', 'baseline', 'target'],
      [
        `all ${N} Jobs exist (s)`,
        jobsAt.toFixed(1),
        `${baselineS.toFixed(1)} (direct creates)`,
        '-',
      ],
      [`all ${N} statuses correct (s)`, statusAt.toFixed(1), '-', `< ${TARGET_SECONDS}`],
      ...(pools
        ? [
            [
              `all ${N} Succeeded (s; pods run 5-10 s, <= 550 at once)`,
              succeededAt.toFixed(1),
              `${baselineCompleteS.toFixed(1)} (direct Jobs all Complete)`,
              '-',
            ] as [string, string, string, string],
          ]
        : []),
      [
        'peak RSS (MB, sampled 10/s)',
        peakRss.toFixed(0),
        `${idle.rssMb.toFixed(0)} (idle, synced)`,
        `< ${TARGET_RSS_MB}`,
      ],
      ['peak RSS (MB, VmHWM)', after.hwmMb.toFixed(0), '-', `< ${TARGET_RSS_MB}`],
      ['reconciles', String(metric('kubevod_controller_reconcile_total')), '-', '-'],
      ['reconcile errors', String(metric('kubevod_controller_reconcile_errors_total')), '-', '0'],
    ];
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
    process.stdout.write(
      [
        `controller benchmark (${pools ? 'kwok: pods scheduled, run and complete' : 'no kwok: pods stay Pending'}): N=${N}, client concurrency ${CLIENT_CONCURRENCY}, controller node flags '${CONTROLLER_NODE_FLAGS}', Transcode creation took ${createdS.toFixed(1)} s`,
        line(rows[0]),
        `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`,
        ...rows.slice(1).map(line),
        '',
      ].join('\n'),
    );

    // --- teardown: delete every Transcode; the controller stops each Job, cleans up, lets go ---
    const d0 = performance.now();
    // one DELETE per Transcode, as users would (a collection DELETE of 1000 outlives the
    // apiserver's request timeout on this machine)
    await pool(names, CLIENT_CONCURRENCY, (name) => kube.request('DELETE', `${tcPath}/${name}`));
    await waitFor(
      'every Transcode to be gone',
      async () =>
        (await kube.get<KubeList<unknown>>(tcPath, { limit: 1 })).items.length ? undefined : true,
      600_000,
      500,
    );
    process.stdout.write(
      `deleting all ${N} Transcodes (running Jobs stopped, storage cleaned, finalizers released): ${((performance.now() - d0) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    // Whatever the controller did not finish (a failed run): release the finalizers ourselves,
    // or the namespace would hang in Terminating.
    const left = await listAll<TranscodeWire>(
      kube,
      `/apis/media.kubevod.io/v1alpha1/namespaces/${ns}/transcodes`,
    ).catch(() => []);
    await pool(left, CLIENT_CONCURRENCY, (t) =>
      kube
        .request(
          'PATCH',
          `/apis/media.kubevod.io/v1alpha1/namespaces/${ns}/transcodes/${t.metadata.name}`,
          {
            body: { metadata: { finalizers: null } },
            contentType: 'application/merge-patch+json',
          },
        )
        .catch(() => undefined),
    );
    await kube.request('DELETE', `/api/v1/namespaces/${baseNs}`).catch(() => undefined);
    await kube.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
    kube.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[bench:controller] failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
