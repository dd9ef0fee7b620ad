import { randomBytes } from 'node:crypto';
import { freshNamespace } from '../../../test/setup/namespace';
import { Informer } from './informer';
import { KubeClient } from './kube-client';
import { loadKubeConfig } from './kube-config';
import type { KubeObject } from './objects';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

jest.setTimeout(120_000);

describe('Informer on a real kube-apiserver', () => {
  let ns: Awaited<ReturnType<typeof freshNamespace>>;
  let kube: KubeClient;
  const informers: Informer<KubeObject>[] = [];
  const cmPath = () => `/api/v1/namespaces/${ns.name}/configmaps`;
  const put = (name: string, v: string) =>
    kube.request('POST', cmPath(), { body: { metadata: { name }, data: { v } } });

  beforeAll(async () => {
    ns = await freshNamespace('kube-informer');
    kube = await KubeClient.create(loadKubeConfig());
  });
  afterAll(async () => {
    await Promise.all(informers.map((i) => i.stop()));
    kube?.close();
    await ns?.cleanup();
  });

  function track<T extends KubeObject>(inf: Informer<T>): Informer<T> {
    informers.push(inf as unknown as Informer<KubeObject>);
    return inf;
  }

  it('lists, then delivers adds, updates and deletes in order', async () => {
    await put('before', '1');
    const seen: string[] = [];
    const inf = track(
      new Informer<ConfigMap>(kube, { name: 'cm', path: cmPath(), labelSelector: undefined }),
    );
    inf.on({
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      update: (_, o) => seen.push(`update ${o.metadata?.name}=${o.data?.v}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    inf.start();
    await inf.waitForSync();
    expect(inf.get(`${ns.name}/before`)?.data).toEqual({ v: '1' });
    await put('after', '2');
    await kube.request('PATCH', `${cmPath()}/after`, {
      body: { data: { v: '3' } },
      contentType: 'application/merge-patch+json',
    });
    await kube.request('DELETE', `${cmPath()}/before`);
    await until('the delete', () => seen.includes('delete before'));
    expect(seen.filter((s) => !s.includes('kube-root-ca'))).toEqual([
      'add before',
      'add after',
      'update after=3',
      'delete before',
    ]);
    expect(inf.get(`${ns.name}/before`)).toBeUndefined();
    expect(inf.get(`${ns.name}/after`)?.data).toEqual({ v: '3' });
  });

  it('relists on 410 Gone and catches up on what it missed', async () => {
    const restarts: string[] = [];
    const inf = track(
      new Informer<ConfigMap>(kube, {
        name: 'gone',
        path: cmPath(),
        onRestart: (r) => restarts.push(r),
      }),
    );
    inf.start();
    await inf.waitForSync();
    // Pretend we slept through compaction: resume from a version etcd no longer has. An event
    // already in flight on the old watch can overwrite the planted version before the restart,
    // so plant it again until the apiserver answers 410.
    const expire = () => {
      (inf as unknown as { resourceVersion: string }).resourceVersion = '1';
      inf.interruptWatch();
    };
    expire();
    await put('while-gone', 'x');
    for (let i = 0; i < 40 && !restarts.includes('gone'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      if (!restarts.includes('gone')) expire();
    }
    await until('a relist after 410', () => restarts.includes('gone'));
    await until('the missed object', () => inf.get(`${ns.name}/while-gone`) !== undefined);
    expect(inf.hasSynced()).toBe(true);
  });

  it('survives errors other than 410 with backoff, and syncs once the resource appears', async () => {
    const group = `t${randomBytes(4).toString('hex')}.kubevod.io`;
    const path = `/apis/${group}/v1/namespaces/${ns.name}/widgets`;
    const restarts: string[] = [];
    const inf = track(
      new Informer<KubeObject>(kube, { name: 'widgets', path, onRestart: (r) => restarts.push(r) }),
    );
    inf.start();
    await until('a failed list (404: no such resource yet)', () => restarts.includes('error'));
    expect(inf.hasSynced()).toBe(false);
    await kube.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          ],
        },
      },
    });
    try {
      await inf.waitForSync(45_000);
      await kube.request('POST', path, {
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' } },
      });
      await until('the widget', () => inf.get(`${ns.name}/w1`) !== undefined);
    } finally {
      await kube.request(
        'DELETE',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`,
      );
    }
  }, 90_000);

  it('restarts a silent watch (watchdog) and keeps delivering; resync re-delivers the cache', async () => {
    const restarts: string[] = [];
    let resynced = 0;
    const inf = track(
      new Informer<ConfigMap>(kube, {
        name: 'quiet',
        path: cmPath(),
        labelSelector: 'quiet=yes',
        watchdogMs: 400,
        resyncMs: 300,
        onRestart: (r) => restarts.push(r),
      }),
    );
    inf.on({ update: (a, b) => a === b && resynced++ });
    inf.start();
    await inf.waitForSync();
    await until('a watchdog restart', () => restarts.includes('stalled'));
    await kube.request('POST', cmPath(), {
      body: { metadata: { name: 'quiet-1', labels: { quiet: 'yes' } }, data: { v: '1' } },
    });
    await until('the event after the restart', () => inf.get(`${ns.name}/quiet-1`) !== undefined);
    await until('a resync', () => resynced > 0);
    expect(restarts.every((r) => r === 'stalled')).toBe(true);
  });
});
