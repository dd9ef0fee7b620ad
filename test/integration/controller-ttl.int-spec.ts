/**
 * A finished Job removed by its TTL (the real ttl-after-finished controller of
 * kube-controller-manager) while no controller ran: the ready record decides. Published by this
 * Transcode -> Succeeded from the record, no new attempt. No record of this Transcode (the
 * attempt failed, or was deleted by someone) -> a new attempt, with a JobDeleted warning.
 */
import { objectKeys, WORKER_EXIT } from '@kubevod/contracts';
import { jobName } from '../../apps/controller/src/reconcile/job-spec';
import { readyRecord, waitFor } from '../../apps/controller/test/fixtures';
import { controllerSuite } from '../../apps/controller/test/suite';

jest.setTimeout(120_000);

const source = { bucket: 'kv-sources', key: 'sources/in/source' };

describe('controller: a Job removed by its TTL while the controller was down', () => {
  const t = controllerSuite('controller-ttl');

  const statusOf = async (name: string) => (await t.cluster.getTranscode(t.ns, name))?.status;
  const ownJobs = async (name: string) =>
    (await t.cluster.jobs(t.ns))
      .filter((j) => j.metadata?.labels?.['media.kubevod.io/transcode'] === name)
      .map((j) => j.metadata!.name!);
  // the real TTL controller removes a finished Job 1 s after it finished
  const startAndLead = () => t.start({ JOB_TTL_SECONDS_AFTER_FINISHED: '1' });

  /** Job created and running; the controller stops; the worker exits 0; the TTL removes the Job. */
  async function finishWhileAway(name: string): Promise<string> {
    const tc = await t.cluster.createTranscode(t.ns, name, { source });
    const job = jobName({ name, uid: tc.metadata.uid! }, 0);
    await waitFor(`${name}'s Job`, async () => (await statusOf(name))?.jobName === job);
    await t.stop();
    await t.cluster.finishPod(t.ns, job, WORKER_EXIT.ok);
    await waitFor(
      `the TTL controller to remove ${job}`,
      async () => (await ownJobs(name)).length === 0,
      60_000,
      250,
    );
    return job;
  }

  beforeAll(() => startAndLead());

  it('published: Succeeded from the ready record, and no new attempt', async () => {
    const job = await finishWhileAway('published');
    const record = readyRecord('published', t.bucket);
    await t.store.putJson(t.bucket, objectKeys.ready('published'), record);

    await startAndLead();
    const done = await waitFor('published to be Succeeded', async () => {
      const s = await statusOf('published');
      return s?.phase === 'Succeeded' ? s : undefined;
    });
    expect(done.attempt).toBe(0);
    expect(done.jobName).toBe(job);
    expect(done.completionTime).toBe(record.publishedAt);
    expect(done.outputs?.readyRecord).toBe('videos/published/ready.json');
    expect(done.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
      message: 'published 2 renditions (hls, dash); its Job was already removed',
    });
    // give a wrong decision time to show: no Job, no JobDeleted warning
    await new Promise((r) => setTimeout(r, 2000));
    expect(await ownJobs('published')).toEqual([]);
    const reasons = (await t.cluster.events(t.ns, 'published')).map((e) => e.reason);
    expect(reasons).not.toContain('JobDeleted');
    expect(reasons.filter((r) => r === 'JobCreated')).toHaveLength(1);
  });

  it("another Transcode's older record of the same name does not count: a new attempt", async () => {
    // An earlier video of this name kept its outputs (deletionPolicy Retain): its record predates us.
    const stale = readyRecord('unpublished', t.bucket);
    stale.publishedAt = new Date(Date.now() - 3600_000).toISOString();
    await t.store.putJson(t.bucket, objectKeys.ready('unpublished'), stale);
    const lost = await finishWhileAway('unpublished');

    await startAndLead();
    const tc = await t.cluster.getTranscode(t.ns, 'unpublished');
    const next = jobName({ name: 'unpublished', uid: tc!.metadata.uid! }, 1);
    const s = await waitFor('attempt 1 to be created', async () => {
      const st = await statusOf('unpublished');
      return st?.jobName === next ? st : undefined;
    });
    expect(s.attempt).toBe(1);
    expect(s.phase).toBe('Pending');
    expect(await ownJobs('unpublished')).toEqual([next]);
    const warning = await waitFor('a JobDeleted warning', async () =>
      (await t.cluster.events(t.ns, 'unpublished')).find((e) => e.reason === 'JobDeleted'),
    );
    expect(warning.note).toBe(`Job ${lost} disappeared; started attempt 1`);
  });
});
