/**
 * Video ids are Transcode names and outputs live under videos/<name>/: on a real apiserver + MinIO,
 * a second Transcode of the same name in another watched namespace is refused (NameConflict), and
 * deleting it leaves the first one's outputs alone.
 */
import { objectKeys } from '@kubevod/contracts';
import {
  ensureCrd,
  startController,
  storeFromEnv,
  testConfig,
  TestCluster,
  uniqueBucket,
  waitFor,
  type RunningController,
} from '../../apps/controller/test/fixtures';
import { freshNamespace } from '../setup/namespace';

jest.setTimeout(120_000);

describe('controller: one video id across namespaces', () => {
  let first: Awaited<ReturnType<typeof freshNamespace>>;
  let second: Awaited<ReturnType<typeof freshNamespace>>;
  let cluster: TestCluster;
  let controller: RunningController | undefined;
  const store = storeFromEnv();
  const bucket = uniqueBucket('kv-name');
  const source = { bucket, key: 'sources/clip/source' };
  const marker = objectKeys.output('clip', 'master.m3u8');

  const ready = async (ns: string, name: string) =>
    (await cluster.getTranscode(ns, name))?.status?.conditions?.find((c) => c.type === 'Ready');
  const waitReason = (ns: string, name: string, reason: string) =>
    waitFor(`${ns}/${name} to have reason ${reason}`, async () =>
      (await ready(ns, name))?.reason === reason ? true : undefined,
    );

  beforeAll(async () => {
    ensureCrd();
    first = await freshNamespace('controller-name-a');
    second = await freshNamespace('controller-name-b');
    cluster = await TestCluster.connect();
    await store.ensureBucket(bucket);
    controller = await startController(
      testConfig(first.name, bucket, { WATCH_NAMESPACES: `${first.name},${second.name}` }),
    );
    await waitFor('leadership', async () => (await fetch(`${controller!.url}/readyz`)).ok);
  });

  afterAll(async () => {
    await controller?.close();
    for (const ns of [first, second]) if (ns) await cluster?.releaseTranscodes(ns.name);
    cluster?.close();
    await first?.cleanup();
    await second?.cleanup();
  });

  it('refuses the younger Transcode of a name, and its deletion keeps the holder outputs', async () => {
    await cluster.createTranscode(first.name, 'clip', { source });
    await waitReason(first.name, 'clip', 'JobCreated');
    // what the holder's worker would have uploaded
    await store.putJson(bucket, marker, { holder: first.name });

    await cluster.createTranscode(second.name, 'clip', { source });
    await waitReason(second.name, 'clip', 'NameConflict');
    const refused = await cluster.getTranscode(second.name, 'clip');
    expect(refused?.status?.phase).toBe('Failed');
    expect(refused?.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'NameConflict',
      message: `the video id is taken: ${first.name}/clip holds it (video ids are Transcode names, unique across the watched namespaces)`,
    });
    expect(await cluster.jobs(second.name)).toEqual([]);
    await waitFor('the NameConflict event', async () =>
      (await cluster.events(second.name, 'clip')).find(
        (e) => e.reason === 'NameConflict' && e.type === 'Warning',
      ),
    );

    await cluster.deleteTranscode(second.name, 'clip');
    await waitFor('the refused Transcode to be gone', async () =>
      (await cluster.getTranscode(second.name, 'clip')) ? undefined : true,
    );
    expect(await store.getJson(bucket, marker)).toEqual({ holder: first.name });
    expect(await ready(first.name, 'clip')).toMatchObject({ reason: 'JobCreated' });
    expect((await cluster.jobs(first.name)).map((j) => j.metadata!.name)).toHaveLength(1);

    // the holder's own deletion removes its outputs (deletionPolicy Delete, the default)
    await cluster.deleteTranscode(first.name, 'clip');
    await waitFor('the holder to be gone', async () =>
      (await cluster.getTranscode(first.name, 'clip')) ? undefined : true,
    );
    expect(await store.getJson(bucket, marker)).toBeUndefined();
  });
});
