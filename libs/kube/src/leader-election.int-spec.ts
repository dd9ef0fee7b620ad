import { freshNamespace } from '../../../test/setup/namespace';
import { KubeClient } from './kube-client';
import { loadKubeConfig } from './kube-config';
import { LeaderElector, microTime } from './leader-election';

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<number> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - t0;
}

jest.setTimeout(120_000);

describe('LeaderElector on a real Lease', () => {
  let ns: Awaited<ReturnType<typeof freshNamespace>>;
  let kube: KubeClient;
  const electors: LeaderElector[] = [];

  beforeAll(async () => {
    ns = await freshNamespace('kube-lease');
    kube = await KubeClient.create(loadKubeConfig());
  });
  afterAll(async () => {
    await Promise.all(electors.map((e) => e.stop(false)));
    kube?.close();
    await ns?.cleanup();
  });

  function candidate(name: string, identity: string, log: string[]) {
    const e = new LeaderElector(kube, {
      namespace: ns.name,
      name,
      identity,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 250,
      onStartedLeading: () => log.push(`${identity} leads`),
      onStoppedLeading: () => log.push(`${identity} stops`),
    });
    electors.push(e);
    return e;
  }

  const holder = async (lease: string) =>
    (
      await kube.get<{ spec: { holderIdentity?: string; leaseTransitions?: number } }>(
        `/apis/coordination.k8s.io/v1/namespaces/${ns.name}/leases/${lease}`,
      )
    ).spec;

  it('elects exactly one of two, and the other takes over within the lease duration after a crash', async () => {
    const log: string[] = [];
    const a = candidate('crash', 'a', log);
    const b = candidate('crash', 'b', log);
    a.start();
    await until('a to lead', () => a.isLeader());
    b.start();
    // b keeps trying for a while and never leads while a renews
    await new Promise((r) => setTimeout(r, 1500));
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(b.leader).toBe('a');
    expect((await holder('crash')).holderIdentity).toBe('a');

    // a dies without releasing (as a SIGKILL would leave it)
    await a.stop(false);
    const tookMs = await until('b to take over', () => b.isLeader(), 10_000);
    expect(tookMs).toBeLessThan(3000 + 2 * 250 + 500);
    expect(await holder('crash')).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
  });

  it('a released lease is taken over at once', async () => {
    const log: string[] = [];
    const a = candidate('release', 'a', log);
    const b = candidate('release', 'b', log);
    a.start();
    await until('a to lead', () => a.isLeader());
    b.start();
    await new Promise((r) => setTimeout(r, 600));
    await a.stop(true);
    const tookMs = await until('b to take over', () => b.isLeader(), 10_000);
    expect(tookMs).toBeLessThan(1000);
  });

  it('a leader that cannot renew stops leading before its lease could expire for others', async () => {
    const log: string[] = [];
    const a = candidate('isolated', 'a', log);
    a.start();
    await until('a to lead', () => a.isLeader());
    // Someone else (an admin, or a partition healing) takes the lease: a's renewals now conflict.
    const lease = await kube.get<Record<string, unknown> & { spec: Record<string, unknown> }>(
      `/apis/coordination.k8s.io/v1/namespaces/${ns.name}/leases/isolated`,
    );
    await kube.request(
      'PUT',
      `/apis/coordination.k8s.io/v1/namespaces/${ns.name}/leases/isolated`,
      {
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: 'intruder',
            renewTime: microTime(new Date()),
          },
        },
      },
    );
    const tookMs = await until('a to step down', () => !a.isLeader(), 10_000);
    expect(tookMs).toBeLessThanOrEqual(2000 + 2 * 250 + 500);
    expect(log).toEqual(['a leads', 'a stops']);
  });
});
