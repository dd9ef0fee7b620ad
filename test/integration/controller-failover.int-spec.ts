/**
 * Two controller processes on one Lease: exactly one acts; SIGKILL the leader and the other
 * takes over within the lease duration, without duplicating any Job.
 */
import { jobName } from '../../apps/controller/src/reconcile/job-spec';
import {
  ensureCrd,
  storeFromEnv,
  TestCluster,
  uniqueBucket,
  waitFor,
} from '../../apps/controller/test/fixtures';
import { spawnController, type ControllerProcess } from '../../apps/controller/test/process';
import { freshNamespace } from '../setup/namespace';

jest.setTimeout(180_000);

const LEASE_SECONDS = 4;

describe('controller: leader election across processes', () => {
  let ns: Awaited<ReturnType<typeof freshNamespace>>;
  let cluster: TestCluster;
  const procs: ControllerProcess[] = [];
  const bucket = uniqueBucket('kv-failover');

  beforeAll(async () => {
    ensureCrd();
    ns = await freshNamespace('controller-failover');
    cluster = await TestCluster.connect();
    await storeFromEnv().ensureBucket(bucket);
    const env = {
      LOG_LEVEL: 'info',
      WATCH_NAMESPACES: ns.name,
      POD_NAMESPACE: ns.name,
      S3_BUCKET: bucket,
      LEASE_DURATION_SECONDS: String(LEASE_SECONDS),
      LEASE_RENEW_DEADLINE_SECONDS: '3',
      LEASE_RETRY_PERIOD_SECONDS: '0.5',
      RETENTION_SECONDS: '0',
    };
    procs.push(...(await Promise.all(['ctl-a', 'ctl-b'].map((id) => spawnController(id, env)))));
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    if (ns) await cluster?.releaseTranscodes(ns.name);
    cluster?.close();
    await ns?.cleanup();
  });

  const readiness = async () => Promise.all(procs.map((p) => p.ready()));

  it('one leader acts; after SIGKILL the other takes over within the lease duration', async () => {
    const first = await waitFor(
      'one controller to be ready',
      async () => {
        const r = await readiness();
        return r.includes(true) ? r : undefined;
      },
      90_000,
      250,
    );
    // Both processes are up and synced, but only the lease holder reports ready.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await readiness()).toEqual(first);
    expect(first.filter(Boolean)).toHaveLength(1);
    const leader = procs[first.indexOf(true)];
    const follower = procs[first.indexOf(false)];
    const notReady = await (await fetch(`${follower.url}/readyz`)).json();
    expect(JSON.stringify(notReady)).toContain(`not the leader (leader: ${leader.identity})`);

    const a = await cluster.createTranscode(ns.name, 'before-kill', {
      source: { bucket, key: 'sources/a/source' },
    });
    await waitFor('the Job of before-kill', async () =>
      (await cluster.jobs(ns.name)).length === 1 ? true : undefined,
    );

    await leader.kill('SIGKILL');
    const t0 = Date.now();
    await waitFor('the follower to take over', () => follower.ready(), 20_000, 100);
    const tookSeconds = (Date.now() - t0) / 1000;
    expect(tookSeconds).toBeLessThan(LEASE_SECONDS + 2);

    const b = await cluster.createTranscode(ns.name, 'after-kill', {
      source: { bucket, key: 'sources/b/source' },
    });
    await waitFor('the Job of after-kill', async () =>
      (await cluster.jobs(ns.name)).length === 2 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cluster.jobs(ns.name)).map((j) => j.metadata?.name).sort()).toEqual(
      [
        jobName({ name: 'before-kill', uid: a.metadata.uid! }, 0),
        jobName({ name: 'after-kill', uid: b.metadata.uid! }, 0),
      ].sort(),
    );
    const lease = await cluster.kube.get<{ spec: { holderIdentity: string } }>(
      `/apis/coordination.k8s.io/v1/namespaces/${ns.name}/leases/kubevod-controller`,
    );
    expect(lease.spec.holderIdentity).toBe(follower.identity);
    process.stderr.write(
      `[controller-failover] takeover after SIGKILL: ${tookSeconds.toFixed(1)} s\n`,
    );
  });
});
