/**
 * Video ids are Transcode names and outputs live under videos/<name>/: on a real apiserver + MinIO,
 * a second Transcode of the same name in another watched namespace is refused (NameConflict), and
 * deleting it leaves the first one's outputs alone.
 */
import { objectKeys } from '@kubevod/contracts';
import { waitFor } from '../../apps/controller/test/fixtures';
import { controllerSuite } from '../../apps/controller/test/suite';

jest.setTimeout(120_000);

describe('controller: one video id across namespaces', () => {
  const t = controllerSuite('controller-name', { namespaces: 2 });
  const source = { bucket: t.bucket, key: 'sources/clip/source' };
  const marker = objectKeys.output('clip', 'master.m3u8');

  const ready = async (ns: string, name: string) =>
    (await t.cluster.getTranscode(ns, name))?.status?.conditions?.find((c) => c.type === 'Ready');
  const waitReason = (ns: string, name: string, reason: string) =>
    waitFor(`${ns}/${name} to have reason ${reason}`, async () =>
      (await ready(ns, name))?.reason === reason ? true : undefined,
    );

  beforeAll(() => t.start());

  it('refuses the younger Transcode of a name, and its deletion keeps the holder outputs', async () => {
    const [first, second] = t.namespaces;
    const { cluster, store, bucket } = t;
    await cluster.createTranscode(first, 'clip', { source });
    await waitReason(first, 'clip', 'JobCreated');
    // what the holder's worker would have uploaded
    await store.putJson(bucket, marker, { holder: first });

    await cluster.createTranscode(second, 'clip', { source });
    await waitReason(second, 'clip', 'NameConflict');
    const refused = await cluster.getTranscode(second, 'clip');
    expect(refused?.status?.phase).toBe('Failed');
    expect(refused?.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'NameConflict',
      message: `the video id is taken: ${first}/clip holds it (video ids are Transcode names, unique across the watched namespaces)`,
    });
    expect(await cluster.jobs(second)).toEqual([]);
    await waitFor('the NameConflict event', async () =>
      (await cluster.events(second, 'clip')).find(
        (e) => e.reason === 'NameConflict' && e.type === 'Warning',
      ),
    );

    await cluster.deleteTranscode(second, 'clip');
    await waitFor('the refused Transcode to be gone', async () =>
      (await cluster.getTranscode(second, 'clip')) ? undefined : true,
    );
    expect(await store.getJson(bucket, marker)).toEqual({ holder: first });
    expect(await ready(first, 'clip')).toMatchObject({ reason: 'JobCreated' });
    expect((await cluster.jobs(first)).map((j) => j.metadata!.name)).toHaveLength(1);

    // the holder's own deletion removes its outputs (deletionPolicy Delete, the default)
    await cluster.deleteTranscode(first, 'clip');
    await waitFor('the holder to be gone', async () =>
      (await cluster.getTranscode(first, 'clip')) ? undefined : true,
    );
    expect(await store.getJson(bucket, marker)).toBeUndefined();
  });
});
