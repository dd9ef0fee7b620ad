import type { MinioObjectStore } from '@kubevod/storage';
import { freshNamespace } from '../../../test/setup/namespace';
import {
  ensureCrd,
  startController,
  storeFromEnv,
  testConfig,
  TestCluster,
  uniqueBucket,
  waitFor,
  type RunningController,
} from './fixtures';

/** What a controller integration suite works with; valid once its beforeAll has run. */
export interface ControllerSuite {
  /** the (first) namespace's name */
  readonly ns: string;
  readonly namespaces: string[];
  readonly cluster: TestCluster;
  readonly store: MinioObjectStore;
  /** the controller's output bucket, made in beforeAll */
  readonly bucket: string;
  readonly controller: RunningController | undefined;
  /** starts an in-process controller watching the namespaces; resolves once it leads, synced */
  start(extra?: Record<string, string>): Promise<RunningController>;
  stop(): Promise<void>;
}

/**
 * The set-up every controller suite shares, registered as beforeAll/afterAll: the CRD, fresh
 * namespaces, an apiserver client, the buckets. Teardown stops the controller, then releases the
 * Transcodes it left with our finalizer (or their namespaces would hang in Terminating), then
 * removes the namespaces.
 */
export function controllerSuite(
  prefix: string,
  opts: { namespaces?: number; buckets?: string[] } = {},
): ControllerSuite {
  const store = storeFromEnv();
  const bucket = uniqueBucket(`kv-${prefix}`.slice(0, 20));
  const created: Awaited<ReturnType<typeof freshNamespace>>[] = [];
  let cluster: TestCluster | undefined;
  let controller: RunningController | undefined;
  const namespaces = () => created.map((n) => n.name);

  const suite: ControllerSuite = {
    get ns() {
      return namespaces()[0];
    },
    get namespaces() {
      return namespaces();
    },
    get cluster() {
      if (!cluster) throw new Error('controllerSuite: used before its beforeAll');
      return cluster;
    },
    store,
    bucket,
    get controller() {
      return controller;
    },
    async start(extra = {}) {
      controller = await startController(
        testConfig(suite.ns, bucket, { WATCH_NAMESPACES: namespaces().join(','), ...extra }),
      );
      const url = controller.url;
      await waitFor(
        'the controller to lead and sync',
        async () => (await fetch(`${url}/readyz`)).ok,
      );
      return controller;
    },
    async stop() {
      await controller?.close();
      controller = undefined;
    },
  };

  beforeAll(async () => {
    ensureCrd();
    const count = opts.namespaces ?? 1;
    for (let i = 0; i < count; i++) {
      created.push(await freshNamespace(count > 1 ? `${prefix}-${i}` : prefix));
    }
    cluster = await TestCluster.connect();
    for (const b of [bucket, ...(opts.buckets ?? [])]) await store.ensureBucket(b);
  });

  afterAll(async () => {
    await suite.stop();
    for (const ns of created) await cluster?.releaseTranscodes(ns.name);
    cluster?.close();
    for (const ns of created) await ns.cleanup();
  });

  return suite;
}
