/**
 * The real controller (its own process) on a multi-pool cluster: the real kube-scheduler places
 * the worker pods on kwok's fake nodes (3 general, 5 high-cpu tainted
 * kubevod.io/pool=high-cpu:NoSchedule, all tainted kwok.x-k8s.io/node=fake:NoSchedule; see
 * kwok.node-spec.ts) and kwok runs them: Running + Ready after 1-6 s, then Succeeded (exit 0)
 * after the pod annotations' delay. Nothing executes, so the worker never writes its ready
 * record: the test puts one in MinIO before the pod completes (as the worker would), except for
 * one Transcode where it checks what the controller does without one. One more controller sends
 * its workers to the real node with an image the registry does not have: the kubelet's pull fails.
 *
 * Test-only controller config: the toleration of kwok's taint (production pools have only their
 * own) and WORKER_POD_ANNOTATIONS with kwok's stage delays. The fake nodes declare 200Gi of
 * ephemeral storage (test/cluster/kwok.sh), so the default scratch request (10Gi) is scheduled.
 */
import * as k8s from '@kubernetes/client-node';
import { objectKeys } from '@kubevod/contracts';
import { jobName } from '../../apps/controller/src/reconcile/job-spec';
import {
  ensureCrd,
  readyRecord,
  storeFromEnv,
  TestCluster,
  uniqueBucket,
  waitFor as poll,
} from '../../apps/controller/test/fixtures';
import { spawnController, type ControllerProcess } from '../../apps/controller/test/process';
import type { TranscodeWire } from '../../apps/controller/src/reconcile/wire';
import { freshNamespace } from '../setup/namespace';
import { waitFor } from './kube-wait';

jest.setTimeout(300_000);

const POOL = 'kubevod.io/pool';
const FAKE_NODE = 'kubevod.io/fake-node';
const COMPLETE_DELAY = 'pod-complete.stage.kwok.x-k8s.io/delay';
const COMPLETE_JITTER = 'pod-complete.stage.kwok.x-k8s.io/jitter-delay';
const WORKER_PODS = 'app.kubernetes.io/managed-by=kubevod-controller';
const TIMEOUT_MS = 180_000;

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);

const TOLERATIONS = [
  { key: POOL, operator: 'Equal', value: 'high-cpu', effect: 'NoSchedule' },
  // test only: lets the pods onto kwok's fake nodes
  { key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' },
];

/** A controller for the high-cpu pool, holding each worker pod Running for `hold`. */
function controllerEnv(
  namespace: string,
  bucket: string,
  cap: number,
  hold: string,
  extra: Record<string, string> = {},
) {
  return {
    LOG_LEVEL: process.env.KUBEVOD_TEST_LOG_LEVEL ?? 'info',
    WATCH_NAMESPACES: namespace,
    POD_NAMESPACE: namespace,
    S3_BUCKET: bucket,
    LEASE_DURATION_SECONDS: '4',
    LEASE_RENEW_DEADLINE_SECONDS: '3',
    LEASE_RETRY_PERIOD_SECONDS: '0.5',
    PROGRESS_POLL_SECONDS: '1',
    RETENTION_SECONDS: '0',
    WORKER_IMAGE: 'kubevod.invalid/worker:never-pulled',
    WORKER_NODE_SELECTOR: JSON.stringify({ [POOL]: 'high-cpu' }),
    WORKER_TOLERATIONS: JSON.stringify(TOLERATIONS),
    WORKER_CPU_REQUEST: '2',
    WORKER_CPU_LIMIT: '4',
    WORKER_MEMORY_REQUEST: '2Gi',
    WORKER_MEMORY_LIMIT: '4Gi',
    WORKER_POD_ANNOTATIONS: JSON.stringify({ [COMPLETE_DELAY]: hold, [COMPLETE_JITTER]: hold }),
    MAX_CONCURRENT_TRANSCODES: String(cap),
    ...extra,
  };
}

const source = { bucket: 'kv-sources', key: 'sources/in/source' };
const store = storeFromEnv();
const pools = new Map<string, string>(); // node name -> pool ('' = the real node)
let cluster: TestCluster;
const procs: ControllerProcess[] = [];
const namespaces: Awaited<ReturnType<typeof freshNamespace>>[] = [];

async function workerPods(namespace: string): Promise<k8s.V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: WORKER_PODS })).items;
}

async function transcodes(namespace: string): Promise<TranscodeWire[]> {
  return (await cluster.kube.get<{ items: TranscodeWire[] }>(cluster.tcPath(namespace), {})).items;
}

async function snapshot(namespace: string): Promise<string> {
  const pods = await workerPods(namespace);
  const tcs = await transcodes(namespace);
  return [
    ...pods.map((p) => `pod ${p.metadata?.name} on ${p.spec?.nodeName ?? '-'}: ${p.status?.phase}`),
    ...tcs.map(
      (t) =>
        `transcode ${t.metadata.name}: ${t.status?.phase} ${t.status?.conditions?.find((c) => c.type === 'Ready')?.reason}`,
    ),
  ].join('\n');
}

interface Ctl {
  ns: string;
  bucket: string;
  proc: ControllerProcess;
}
let placing: Ctl;
let serial: Ctl;
let pulling: Ctl;

async function startController(
  prefix: string,
  cap: number,
  hold: string,
  extra: Record<string, string> = {},
): Promise<Ctl> {
  const ns = await freshNamespace(prefix);
  namespaces.push(ns);
  const bucket = uniqueBucket(`kv-${prefix}`.slice(0, 20));
  await store.ensureBucket(bucket);
  const proc = await spawnController(
    `${prefix}-ctl`,
    controllerEnv(ns.name, bucket, cap, hold, extra),
  );
  procs.push(proc);
  return { ns: ns.name, bucket, proc };
}

beforeAll(async () => {
  const nodes = await core.listNode();
  for (const n of nodes.items) pools.set(n.metadata!.name!, n.metadata?.labels?.[POOL] ?? '');
  const fake = nodes.items.filter((n) => n.metadata?.labels?.[FAKE_NODE] === 'true');
  const ready = fake.filter((n) =>
    n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  const count = (pool: string) => ready.filter((n) => n.metadata!.labels![POOL] === pool).length;
  if (count('general') !== 3 || count('high-cpu') !== 5) {
    throw new Error(
      "expected kwok's 3 general + 5 high-cpu fake nodes Ready: bash test/cluster/cluster.sh up kwok",
    );
  }
  ensureCrd();
  cluster = await TestCluster.connect();
  await store.ensureBucket(source.bucket);
  // 15 s Running: the cap's pods overlap for 9+ s however kwok (1-6 s) staggers their start
  const realNode = [...pools].find(([, pool]) => pool === '')?.[0];
  if (!realNode) throw new Error('no real (kubelet) node: bash test/cluster/cluster.sh up node');
  [placing, serial, pulling] = await Promise.all([
    startController('ctl-place', 3, '15s'),
    startController('ctl-prio', 1, '4s'),
    // the real node, from the registry it pulls from, an image never pushed there
    startController('ctl-pull', 1, '4s', {
      WORKER_IMAGE: `${process.env.KUBEVOD_REGISTRY}/kubevod/worker:never-pushed`,
      WORKER_NODE_SELECTOR: JSON.stringify({ 'kubernetes.io/hostname': realNode }),
      WORKER_TOLERATIONS: '[]',
      WORKER_CPU_REQUEST: '10m',
      WORKER_MEMORY_REQUEST: '16Mi',
      WORKER_EPHEMERAL_STORAGE_REQUEST: '16Mi',
    }),
  ]);
  await poll(
    'the controllers to lead',
    async () =>
      (await placing.proc.ready()) && (await serial.proc.ready()) && (await pulling.proc.ready()),
    120_000,
    250,
  );
});

afterAll(async () => {
  // Transcodes first, while their controllers run: the finalizer would hold the namespace.
  for (const ns of namespaces) {
    for (const t of await transcodes(ns.name).catch(() => [])) {
      await cluster.deleteTranscode(ns.name, t.metadata.name!).catch(() => undefined);
    }
  }
  for (const ns of namespaces) {
    await poll('the Transcodes to be gone', async () =>
      (await transcodes(ns.name)).length === 0 ? true : undefined,
    ).catch(() => undefined);
  }
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  cluster?.close();
  await Promise.all(namespaces.map((ns) => ns.cleanup()));
});

describe('controller on a multi-pool cluster (kube-scheduler + kwok)', () => {
  it('places worker pods only on the high-cpu pool, with the configured requests, never more than the cap Running', async () => {
    const CAP = 3;
    const N = 6;
    const { ns, bucket } = placing;

    const names = Array.from({ length: N }, (_, i) => `video-${i}`);
    for (const name of names) {
      await cluster.createTranscode(ns, name, { source });
      // the worker's last write, long before kwok completes the pod
      await store.putJson(bucket, objectKeys.ready(name), readyRecord(name, bucket));
    }

    let maxPodsRunning = 0;
    let maxTranscodesRunning = 0;
    const seen = new Map<string, k8s.V1Pod>();
    await waitFor(
      `all ${N} Transcodes Succeeded`,
      TIMEOUT_MS,
      async () => {
        const [pods, tcs] = await Promise.all([workerPods(ns), transcodes(ns)]);
        for (const p of pods) if (p.spec?.nodeName) seen.set(p.metadata!.name!, p);
        const running = pods.filter((p) => p.status?.phase === 'Running').length;
        maxPodsRunning = Math.max(maxPodsRunning, running);
        const tcRunning = tcs.filter((t) => t.status?.phase === 'Running').length;
        maxTranscodesRunning = Math.max(maxTranscodesRunning, tcRunning);
        // fail at the first instant the cap is broken
        expect(running).toBeLessThanOrEqual(CAP);
        expect(tcRunning).toBeLessThanOrEqual(CAP);
        const done = tcs.filter((t) => t.status?.phase === 'Succeeded').length;
        return done === N ? true : undefined;
      },
      () => snapshot(ns),
    );

    // the cap was reached, not just respected
    expect(maxPodsRunning).toBe(CAP);
    expect(maxTranscodesRunning).toBe(CAP);
    // one pod per Transcode, each on a high-cpu fake node (never general, never the real node)
    expect(seen.size).toBe(N);
    for (const p of seen.values()) {
      expect(pools.get(p.spec!.nodeName!)).toBe('high-cpu');
      expect(p.spec!.nodeSelector).toEqual({ [POOL]: 'high-cpu' });
      expect(p.spec!.containers[0].resources).toEqual({
        requests: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '10Gi' },
        limits: { cpu: '4', memory: '4Gi', 'ephemeral-storage': '20Gi' },
      });
    }
    for (const t of await transcodes(ns)) {
      expect(t.status).toMatchObject({
        phase: 'Succeeded',
        attempt: 0,
        jobName: jobName({ name: t.metadata.name!, uid: t.metadata.uid! }, 0),
        outputs: { readyRecord: objectKeys.ready(t.metadata.name!) },
      });
    }
  });

  it('with cap 1 and a backlog, gives the next Job to the highest priority, then the oldest', async () => {
    const { ns, bucket } = serial;
    const create = async (name: string, priority: number) => {
      await store.putJson(bucket, objectKeys.ready(name), readyRecord(name, bucket));
      await cluster.createTranscode(ns, name, { source, priority });
    };
    await create('blocker', 0);
    await poll('the blocker Job', async () =>
      (await cluster.jobs(ns)).length === 1 ? true : undefined,
    );
    // Age against name: "low-z" is older, "low-a" sorts first by name.
    await create('low-z', 0);
    await new Promise((r) => setTimeout(r, 1100));
    await create('low-a', 0);
    await create('high', 10);
    await create('mid', 5);

    const order: string[] = [];
    let maxJobsRunning = 0;
    await waitFor(
      'all 5 Transcodes Succeeded',
      TIMEOUT_MS,
      async () => {
        const [jobs, tcs] = await Promise.all([cluster.jobs(ns), transcodes(ns)]);
        for (const j of jobs) {
          const owner = j.metadata!.labels!['media.kubevod.io/transcode'];
          if (!order.includes(owner)) order.push(owner);
        }
        const active = jobs.filter(
          (j) => !j.status?.conditions?.some((c) => c.status === 'True'),
        ).length;
        maxJobsRunning = Math.max(maxJobsRunning, active);
        expect(active).toBeLessThanOrEqual(1);
        return tcs.filter((t) => t.status?.phase === 'Succeeded').length === 5 ? true : undefined;
      },
      () => snapshot(ns),
    );
    expect(order).toEqual(['blocker', 'high', 'mid', 'low-z', 'low-a']);
    // while waiting, the backlog said why
    const events = await cluster.events(ns, 'low-a');
    expect(events.map((e) => e.reason)).toContain('ConcurrencyLimited');
  });

  it('without a ready record, a pod that exits 0 fails the Transcode (the worker published nothing)', async () => {
    const { ns } = serial;
    await cluster.createTranscode(ns, 'silent', { source });
    const status = await waitFor(
      'silent to fail',
      TIMEOUT_MS,
      async () => {
        const t = await cluster.getTranscode(ns, 'silent');
        return t?.status?.phase === 'Failed' ? t.status : undefined;
      },
      () => snapshot(ns),
    );
    expect(status.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      reason: 'JobFailed',
      message: 'the worker Job completed but published no ready record',
    });
    const pods = await workerPods(ns);
    const pod = pods.find((p) => p.metadata?.labels?.['media.kubevod.io/transcode'] === 'silent');
    expect(pod?.status?.phase).toBe('Succeeded');
    expect(pools.get(pod!.spec!.nodeName!)).toBe('high-cpu');
  });

  it('a worker too big for any node of the pool stays Unschedulable, and the Transcode says so with the scheduler message', async () => {
    const { ns } = serial;
    // 32 CPUs: more than any 16-CPU high-cpu node has
    const tc = await cluster.createTranscode(ns, 'too-big', {
      source,
      placement: { resources: { requests: { cpu: '32' }, limits: { cpu: '32' } } },
    });
    const job = jobName({ name: 'too-big', uid: tc.metadata.uid! }, 0);
    const pod = await waitFor(
      'the scheduler to give up on the pod',
      TIMEOUT_MS,
      async () => {
        const list = await core.listNamespacedPod({
          namespace: ns,
          labelSelector: `batch.kubernetes.io/job-name=${job}`,
        });
        const p = list.items[0];
        const unschedulable = p?.status?.conditions?.some(
          (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
        );
        return unschedulable ? p : undefined;
      },
      () => snapshot(ns),
    );
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.status?.phase).toBe('Pending');
    const message = pod.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message!;
    expect(message).toMatch(/Insufficient cpu/);
    // The controller asks why a pod has not started once its Job is 10 s old.
    const status = await waitFor(
      'the Transcode to say Unschedulable',
      TIMEOUT_MS,
      async () => {
        const s = (await cluster.getTranscode(ns, 'too-big'))?.status;
        const ready = s?.conditions?.find((c) => c.type === 'Ready');
        return ready?.reason === 'Unschedulable' && ready.message.includes(message) ? s : undefined;
      },
      () => snapshot(ns),
    );
    expect(status.phase).toBe('Pending');
    expect(status.conditions?.find((c) => c.type === 'Ready')?.message).toBe(
      `the worker pod cannot be scheduled: ${message}`,
    );
    expect(status.jobName).toBe(job);
    const events = await cluster.events(ns, 'too-big');
    expect(events.find((e) => e.reason === 'Unschedulable')).toMatchObject({
      type: 'Warning',
      note: `the worker pod cannot be scheduled: ${message}`,
    });
  });

  it('a worker image that cannot be pulled on the real node: the Transcode says ImagePullBackOff with the kubelet message', async () => {
    const { ns } = pulling;
    await cluster.createTranscode(ns, 'no-image', { source });
    const ready = await waitFor(
      'the Transcode to say ImagePullBackOff',
      TIMEOUT_MS,
      async () => {
        const s = (await cluster.getTranscode(ns, 'no-image'))?.status;
        const r =
          s?.phase === 'Pending' ? s.conditions?.find((c) => c.type === 'Ready') : undefined;
        return r?.reason === 'ImagePullBackOff' ? r : undefined;
      },
      () => snapshot(ns),
    );
    expect(ready.message).toMatch(
      /^the worker image cannot be pulled \((ErrImagePull|ImagePullBackOff)\): .*kubevod\/worker:never-pushed/,
    );
    const pod = (await workerPods(ns))[0];
    expect(pools.get(pod.spec!.nodeName!)).toBe(''); // the real node: its kubelet tried the pull
  });
});
