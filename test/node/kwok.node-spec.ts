/**
 * Placement on kwok's fake nodes (test/cluster/kwok.sh): the real kube-scheduler places Jobs'
 * pods on 3 "general" and 5 "high-cpu" fake nodes (16 CPU each; high-cpu tainted
 * kubevod.io/pool=high-cpu:NoSchedule; all tainted kwok.x-k8s.io/node=fake:NoSchedule). Nothing
 * runs: kwok moves the pods through their phases, completing Job pods after the delay set by the
 * annotations pod-complete.stage.kwok.x-k8s.io/delay and .../jitter-delay.
 */
import * as k8s from '@kubernetes/client-node';
import { freshNamespace } from '../setup/namespace';
import { waitFor, waitForJobComplete } from './kube-wait';

const FAKE_NODE = 'kubevod.io/fake-node';
const POOL = 'kubevod.io/pool';
// kwok's pod-complete stage waits between delay and jitter-delay (defaults 1 s and 5 s); when the
// delay is longer than the jitter-delay it waits the jitter-delay: set both to hold a pod.
const COMPLETE_DELAY = 'pod-complete.stage.kwok.x-k8s.io/delay';
const COMPLETE_JITTER = 'pod-complete.stage.kwok.x-k8s.io/jitter-delay';
const TIMEOUT_MS = 150_000;
const JOBS = 20;

jest.setTimeout(240_000);

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);

const KWOK_TOLERATION: k8s.V1Toleration = {
  key: 'kwok.x-k8s.io/node',
  operator: 'Exists',
  effect: 'NoSchedule',
};
const HIGH_CPU_TOLERATION: k8s.V1Toleration = {
  key: POOL,
  operator: 'Equal',
  value: 'high-cpu',
  effect: 'NoSchedule',
};

function fakeJob(
  name: string,
  opts: { pool: string; tolerations: k8s.V1Toleration[]; cpu: string; completeDelay?: string },
): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {
          labels: { 'kubevod.io/test-job': name },
          annotations: opts.completeDelay
            ? { [COMPLETE_DELAY]: opts.completeDelay, [COMPLETE_JITTER]: opts.completeDelay }
            : undefined,
        },
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { [POOL]: opts.pool },
          tolerations: opts.tolerations,
          // never pulled: kwok only simulates the pod
          containers: [
            {
              name: 'main',
              image: 'kubevod.invalid/fake:1',
              resources: { requests: { cpu: opts.cpu } },
            },
          ],
        },
      },
    },
  };
}

let ns: Awaited<ReturnType<typeof freshNamespace>>;
const pools = new Map<string, string>(); // fake node name -> pool

beforeAll(async () => {
  const nodes = await core.listNode({ labelSelector: `${FAKE_NODE}=true` });
  for (const n of nodes.items) {
    const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready) pools.set(n.metadata!.name!, n.metadata!.labels![POOL]);
  }
  const count = (pool: string) => [...pools.values()].filter((p) => p === pool).length;
  if (count('general') !== 3 || count('high-cpu') !== 5) {
    throw new Error(
      `expected kwok's 3 general + 5 high-cpu fake nodes Ready, found ${JSON.stringify([...pools])}: ` +
        'bash test/cluster/cluster.sh up kwok (or fake-nodes)',
    );
  }
  ns = await freshNamespace('node-kwok');
});

afterAll(() => ns?.cleanup());

describe('kwok fake nodes', () => {
  it(`places ${JOBS} Jobs with the high-cpu selector + toleration and 2-CPU requests only on high-cpu nodes`, async () => {
    // "1h": the pods stay Running, so every placement is still visible when we look.
    await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        batch.createNamespacedJob({
          namespace: ns.name,
          body: fakeJob(`hot-${i}`, {
            pool: 'high-cpu',
            tolerations: [KWOK_TOLERATION, HIGH_CPU_TOLERATION],
            cpu: '2',
            completeDelay: '1h',
          }),
        }),
      ),
    );

    const pods = await waitFor(
      `${JOBS} pods Running`,
      TIMEOUT_MS,
      async () => {
        const list = await core.listNamespacedPod({
          namespace: ns.name,
          labelSelector: 'kubevod.io/test-job',
        });
        const running = list.items.filter(
          (p) => p.metadata?.name?.startsWith('hot-') && p.status?.phase === 'Running',
        );
        return running.length === JOBS ? running : undefined;
      },
      async () => {
        const list = await core.listNamespacedPod({ namespace: ns.name });
        return list.items
          .map((p) => `${p.metadata?.name} ${p.spec?.nodeName ?? '-'} ${p.status?.phase}`)
          .join('\n');
      },
    );

    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    for (const node of perNode.keys()) expect(pools.get(node)).toBe('high-cpu');
    expect([...perNode.values()].reduce((a, b) => a + b, 0)).toBe(JOBS);
    // 16 CPU per node, 2 per pod: never more than 8 on one node
    for (const n of perNode.values()) expect(n).toBeLessThanOrEqual(8);

    // The Jobs are still running (kwok holds them for the annotated hour).
    const jobs = await batch.listNamespacedJob({ namespace: ns.name });
    const hot = jobs.items.filter((j) => j.metadata?.name?.startsWith('hot-'));
    expect(hot).toHaveLength(JOBS);
    for (const j of hot) expect(j.status?.active).toBe(1);
  });

  it('places a Job selecting the general pool on a general node, and kwok completes it', async () => {
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: fakeJob('plain', {
        pool: 'general',
        tolerations: [KWOK_TOLERATION],
        cpu: '1',
        completeDelay: '1s',
      }),
    });
    const job = await waitForJobComplete(kc, ns.name, 'plain', TIMEOUT_MS);
    expect(job.status?.succeeded).toBe(1);
    const pods = await core.listNamespacedPod({
      namespace: ns.name,
      labelSelector: 'job-name=plain',
    });
    expect(pods.items).toHaveLength(1);
    expect(pools.get(pods.items[0].spec!.nodeName!)).toBe('general');
    expect(pods.items[0].status?.phase).toBe('Succeeded');
  });

  it('leaves a high-cpu Job without the pool toleration Pending', async () => {
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: fakeJob('untolerated', { pool: 'high-cpu', tolerations: [KWOK_TOLERATION], cpu: '1' }),
    });
    const pod = await waitFor('the scheduler to give up on the pod', TIMEOUT_MS, async () => {
      const list = await core.listNamespacedPod({
        namespace: ns.name,
        labelSelector: 'job-name=untolerated',
      });
      const p = list.items[0];
      const unschedulable = p?.status?.conditions?.some(
        (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
      );
      return unschedulable ? p : undefined;
    });
    expect(pod.spec?.nodeName).toBeUndefined();
    const message = pod.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message!;
    // per node the scheduler reports one failing filter: the pool taint (high-cpu) or the selector
    expect(message).toMatch(/^0\/\d+ nodes are available: .*had untolerated taint/);
  });
});
