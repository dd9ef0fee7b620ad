/**
 * The controller against a real kube-apiserver (with the real Job and garbage-collector
 * controllers of kube-controller-manager) and real MinIO. No kubelet: the tests report the
 * worker pod's exit the way a kubelet would (pods/status) and put the worker's records in MinIO.
 */
import {
  objectKeys,
  progressKey,
  RETRY_ANNOTATION,
  RETRY_HANDLED_ANNOTATION,
  validateTranscodeSpec,
  WORKER_EXIT,
} from '@kubevod/contracts';
import { MERGE_PATCH } from '@kubevod/kube';
import { readyRecord, waitFor } from '../../apps/controller/test/fixtures';
import { controllerSuite } from '../../apps/controller/test/suite';
import { buildJob, jobName } from '../../apps/controller/src/reconcile/job-spec';
import { jobTemplateFrom } from '../../apps/controller/src/manager/controller-manager';
import { FINALIZER } from '../../apps/controller/src/reconcile/labels';

jest.setTimeout(120_000);

const source = { bucket: 'kv-sources', key: 'sources/in/source' };

describe('controller: Transcode -> Job -> status, on a real apiserver', () => {
  const t = controllerSuite('controller', { buckets: [source.bucket] });

  const phaseOf = async (name: string) => (await t.cluster.getTranscode(t.ns, name))?.status;
  const waitPhase = (name: string, phase: string, reason?: string) =>
    waitFor(`${name} to be ${phase}${reason ? `/${reason}` : ''}`, async () => {
      const s = await phaseOf(name);
      const ready = s?.conditions?.find((c) => c.type === 'Ready');
      return s?.phase === phase && (!reason || ready?.reason === reason) ? s : undefined;
    });

  beforeAll(() => t.start());

  it('creates exactly one Job with the expected spec, a finalizer, status and an event', async () => {
    const tc = await t.cluster.createTranscode(t.ns, 'one', { source, priority: 5 });
    const expectedName = jobName({ name: 'one', uid: tc.metadata.uid! }, 0);
    const status = await waitPhase('one', 'Pending', 'JobCreated');
    expect(status.jobName).toBe(expectedName);
    expect(status.attempt).toBe(0);
    expect(status.observedGeneration).toBe(1);

    const jobs = (await t.cluster.jobs(t.ns)).filter(
      (j) => j.metadata?.labels?.['media.kubevod.io/transcode'] === 'one',
    );
    expect(jobs.map((j) => j.metadata?.name)).toEqual([expectedName]);
    const stored = await t.cluster.getTranscode(t.ns, 'one');
    expect(stored?.metadata.finalizers).toContain(FINALIZER);
    // Everything we asked for reached the apiserver (it only adds defaults; lists omit kind).
    const validated = validateTranscodeSpec(stored!.spec);
    if (!validated.ok) throw new Error('the stored spec should be valid');
    const {
      apiVersion: _a,
      kind: _k,
      ...desired
    } = buildJob(
      { name: 'one', namespace: t.ns, uid: tc.metadata.uid!, spec: validated.spec },
      0,
      jobTemplateFrom(t.controller!.config),
    );
    expect(jobs[0]).toMatchObject(JSON.parse(JSON.stringify(desired)));
    const events = await waitFor('a JobCreated event', async () => {
      const e = await t.cluster.events(t.ns, 'one');
      return e.some((x) => x.reason === 'JobCreated') ? e : undefined;
    });
    expect(events.find((e) => e.reason === 'JobCreated')?.note).toContain(expectedName);
  });

  it('reports progress, then Succeeded with the outputs of the ready record', async () => {
    const tc = await t.cluster.createTranscode(t.ns, 'good', { source });
    const job = jobName({ name: 'good', uid: tc.metadata.uid! }, 0);
    await waitPhase('good', 'Pending', 'JobCreated');

    await t.cluster.startPod(t.ns, job);
    await t.store.putJson(t.bucket, progressKey('good'), {
      videoId: 'good',
      attempt: 0,
      percent: 42.7,
      speed: 1.5,
      stage: 'encoding',
      renditions: [{ name: '720p', percent: 42.7 }],
      source: { durationSeconds: 12.5, width: 1280, height: 720 },
      updatedAt: new Date().toISOString(),
    });
    const running = await waitPhase('good', 'Running', 'Encoding');
    expect(running.progress).toMatchObject({ percent: 42, speed: 1.5 });
    expect(running.source).toMatchObject({ width: 1280, height: 720 });

    const record = readyRecord('good', t.bucket);
    await t.store.putJson(t.bucket, objectKeys.ready('good'), record);
    await t.cluster.finishPod(t.ns, job, WORKER_EXIT.ok);
    const done = await waitPhase('good', 'Succeeded', 'Succeeded');
    expect(done.renditionCount).toBe(2);
    expect(done.outputs).toEqual({
      bucket: t.bucket,
      prefix: 'videos/good/',
      manifests: record.manifests,
      readyRecord: 'videos/good/ready.json',
      renditions: record.renditions,
    });
    expect(done.source).toEqual(record.source);
    expect(done.progress?.percent).toBe(100);
    expect(done.completionTime).toBeDefined();
    expect(done.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
    expect(done.conditions?.find((c) => c.type === 'Progressing')?.status).toBe('False');
  });

  it('maps a permanent worker exit code to its reason, with the termination message', async () => {
    const tc = await t.cluster.createTranscode(t.ns, 'missing', { source });
    const job = jobName({ name: 'missing', uid: tc.metadata.uid! }, 0);
    await waitPhase('missing', 'Pending', 'JobCreated');
    await t.cluster.finishPod(
      t.ns,
      job,
      WORKER_EXIT.sourceNotFound,
      JSON.stringify({
        reason: 'SourceNotFound',
        message: 'kv-sources/sources/in/source does not exist',
      }),
    );
    const failed = await waitPhase('missing', 'Failed', 'SourceNotFound');
    const cond = failed.conditions?.find((c) => c.type === 'Failed');
    expect(cond).toMatchObject({ status: 'True', reason: 'SourceNotFound' });
    expect(cond?.message).toBe('kv-sources/sources/in/source does not exist (exit code 12)');
    // the podFailurePolicy failed the Job at once: no retry pod
    const j = (await t.cluster.jobs(t.ns)).find((x) => x.metadata?.name === job);
    expect(j?.status?.failed).toBe(1);
    const events = await waitFor('a SourceNotFound warning', async () =>
      (await t.cluster.events(t.ns, 'missing')).find((e) => e.reason === 'SourceNotFound'),
    );
    expect(events.type).toBe('Warning');
  });

  it('retries a Failed Transcode when the retry annotation is bumped: a new attempt, a new Job', async () => {
    await waitPhase('missing', 'Failed', 'SourceNotFound');
    await t.cluster.kube.request(
      'PATCH',
      `/apis/media.kubevod.io/v1alpha1/namespaces/${t.ns}/transcodes/missing`,
      {
        body: { metadata: { annotations: { [RETRY_ANNOTATION]: '1' } } },
        contentType: MERGE_PATCH,
      },
    );
    const retried = await waitPhase('missing', 'Pending', 'JobCreated');
    expect(retried.attempt).toBe(1);
    expect(retried.conditions?.find((c) => c.type === 'Failed')).toBeUndefined();
    const tc = await t.cluster.getTranscode(t.ns, 'missing');
    expect(tc?.metadata.annotations?.[RETRY_HANDLED_ANNOTATION]).toBe('1');
    const names = (await t.cluster.jobs(t.ns))
      .map((j) => j.metadata?.name)
      .filter((n) => n?.startsWith('missing-'))
      .sort();
    expect(names).toEqual(
      [jobName({ name: 'missing', uid: tc!.metadata.uid! }, 0), retried.jobName].sort(),
    );
    expect(retried.jobName).toBe(jobName({ name: 'missing', uid: tc!.metadata.uid! }, 1));
  });

  it('on delete while encoding: stops the Job, removes the outputs, lets go', async () => {
    const tc = await t.cluster.createTranscode(t.ns, 'gone', { source });
    const job = jobName({ name: 'gone', uid: tc.metadata.uid! }, 0);
    await waitPhase('gone', 'Pending', 'JobCreated');
    await t.store.putJson(t.bucket, objectKeys.output('gone', 'seg-1.m4s'), { partial: true });
    await t.store.putJson(t.bucket, progressKey('gone'), { videoId: 'gone' });
    await t.cluster.deleteTranscode(t.ns, 'gone');
    await waitFor('the Transcode to be gone', async () =>
      (await t.cluster.getTranscode(t.ns, 'gone')) ? undefined : true,
    );
    expect((await t.cluster.jobs(t.ns)).map((j) => j.metadata?.name)).not.toContain(job);
    expect(await t.store.listKeys(t.bucket, objectKeys.outputPrefix('gone'))).toEqual([]);
    expect(await t.store.stat(t.bucket, progressKey('gone'))).toBeUndefined();
  });

  it('on delete with deletionPolicy Retain: keeps the outputs, deletes the source when asked', async () => {
    const src = { bucket: source.bucket, key: 'sources/kept/source' };
    await t.store.putJson(src.bucket, src.key, { video: true });
    const tc = await t.cluster.createTranscode(t.ns, 'kept', {
      source: src,
      deletionPolicy: 'Retain',
      sourceDeletionPolicy: 'Delete',
    });
    const job = jobName({ name: 'kept', uid: tc.metadata.uid! }, 0);
    await waitPhase('kept', 'Pending', 'JobCreated');
    await t.store.putJson(t.bucket, objectKeys.ready('kept'), readyRecord('kept', t.bucket));
    await t.cluster.finishPod(t.ns, job, 0);
    await waitPhase('kept', 'Succeeded');
    await t.cluster.deleteTranscode(t.ns, 'kept');
    await waitFor('the Transcode to be gone', async () =>
      (await t.cluster.getTranscode(t.ns, 'kept')) ? undefined : true,
    );
    expect(await t.store.listKeys(t.bucket, objectKeys.outputPrefix('kept'))).toEqual([
      'videos/kept/ready.json',
    ]);
    expect(await t.store.stat(src.bucket, src.key)).toBeUndefined();
  });

  it('after a restart mid-way: no duplicate Job, and the status converges', async () => {
    const before = await t.cluster.createTranscode(t.ns, 'restart-a', { source });
    await waitPhase('restart-a', 'Pending', 'JobCreated');
    await t.stop();

    // While no controller runs: a new Transcode, and the first one's worker finishes.
    const during = await t.cluster.createTranscode(t.ns, 'restart-b', { source });
    await t.store.putJson(
      t.bucket,
      objectKeys.ready('restart-a'),
      readyRecord('restart-a', t.bucket),
    );
    await t.cluster.finishPod(
      t.ns,
      jobName({ name: 'restart-a', uid: before.metadata.uid! }, 0),
      0,
    );

    await t.start();
    await waitPhase('restart-a', 'Succeeded');
    await waitPhase('restart-b', 'Pending', 'JobCreated');
    const names = (await t.cluster.jobs(t.ns))
      .filter((j) =>
        ['restart-a', 'restart-b'].includes(
          j.metadata?.labels?.['media.kubevod.io/transcode'] ?? '',
        ),
      )
      .map((j) => j.metadata?.name)
      .sort();
    expect(names).toEqual(
      [
        jobName({ name: 'restart-a', uid: before.metadata.uid! }, 0),
        jobName({ name: 'restart-b', uid: during.metadata.uid! }, 0),
      ].sort(),
    );
  });

  it('serves its metrics', async () => {
    const text = await (await fetch(`${t.controller!.url}/metrics`)).text();
    expect(text).toMatch(
      /kubevod_controller_reconcile_total\{result="success",app="controller"\} [1-9]/,
    );
    expect(text).toMatch(
      /kubevod_controller_transcodes\{phase="Succeeded",app="controller"\} [1-9]/,
    );
    expect(text).toMatch(/kubevod_controller_leader\{app="controller"\} 1/);
    expect(text).toContain('kubevod_controller_workqueue_queue_duration_seconds_bucket');
  });
});
