import {
  objectKeys,
  progressKey,
  ProgressRecordSchema,
  ReadyRecordSchema,
  validateTranscodeSpec,
  type ProgressRecord,
  type ReadyRecord,
  type TranscodeSpec,
  type TranscodeStatus,
  RETRY_ANNOTATION,
  RETRY_HANDLED_ANNOTATION,
  STUCK_REASONS,
} from '@kubevod/contracts';
import {
  isConflict,
  isNotFound,
  KubeApiError,
  type EventType,
  type KubeObject,
} from '@kubevod/kube';
import type { ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import type { ControllerMetrics } from '../metrics/controller.metrics';
import type { JobsRepository } from '../repositories/jobs.repository';
import type { TranscodesRepository } from '../repositories/transcodes.repository';
import type { WebhookNotifier } from '../webhook/webhook.notifier';
import { admit, type Candidate, type Caps } from './admission';
import { buildJob, jobName, type JobTemplate } from './job-spec';
import { nameHolder, refusedItsName } from './name-claim';
import {
  waitingRecheckMs,
  WAITING_CHECK_AFTER_MS,
  workerWaiting,
  type WorkerWaiting,
} from './worker-waiting';
import {
  FINALIZER,
  labelProblems,
  MANAGED_BY,
  NOTIFIED_ANNOTATION,
  RETAIN_OUTPUTS_ANNOTATION,
  WORKER_CONTAINER,
} from './labels';
import { mergePatchFor } from './status-patch';
import {
  isTerminal,
  statusFromObservation,
  type Observation,
  type WorkerFailure,
} from './status-from-job';
import { jobOutcome, type JobWire, type PodWire, type TranscodeWire } from './wire';

/** Read access to the informer caches. */
export interface Caches {
  transcode(key: string): TranscodeWire | undefined;
  transcodes(): TranscodeWire[];
  job(key: string): JobWire | undefined;
  jobs(): JobWire[];
}

export interface Recorder {
  record(obj: KubeObject, type: EventType, reason: string, action: string, note: string): void;
}

export interface ReconcilerSettings {
  bucket: string;
  caps: Caps;
  /** 0 = keep finished Transcodes */
  retentionMs: number;
  progressPollMs: number;
}

export interface ReconcileResult {
  requeueAfterMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const isNamespaceTerminating = (err: unknown) =>
  err instanceof KubeApiError && err.statusCode === 403 && /being terminated/.test(err.message);
const WAITING_RECHECK_MS = 15_000;

/** A tiny async mutex: admission decisions must see each other's Job creations. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Level-triggered reconcile of one Transcode: read the world (caches, the Job, the worker's
 * records in storage), compute the desired Job and status, create what is missing, write the
 * status when it differs. Idempotent: running it twice, or after a crash, changes nothing more.
 */
export class TranscodeReconciler {
  /** Owner uids of Jobs admitted or created but not yet seen by the Job informer: they count against the caps. */
  private readonly created = new Map<string, { namespace: string; at: number }>();
  private readonly admission = new Mutex();
  private readonly notifying = new Set<string>();
  /** uid/phase already notified: the cache may not show our annotation yet */
  private readonly notified = new Set<string>();
  /**
   * Our last write per key and the resourceVersion it was made from. While the informer still
   * shows that old version, reconcile from what we wrote instead: no double writes or events.
   */
  private readonly lastWrite = new Map<string, { superseded: Set<string>; obj: TranscodeWire }>();

  constructor(
    private readonly caches: Caches,
    private readonly transcodes: TranscodesRepository,
    private readonly jobs: JobsRepository,
    private readonly store: ObjectStore,
    private readonly events: Recorder,
    private readonly metrics: ControllerMetrics,
    private readonly notifier: WebhookNotifier | undefined,
    private readonly template: JobTemplate,
    private readonly settings: ReconcilerSettings,
    private readonly logger: Logger,
    /** asks for another reconcile of a key (the work queue's add) */
    private readonly enqueue: (key: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    let tc = this.caches.transcode(key);
    const written = this.lastWrite.get(key);
    if (written?.superseded.has(tc?.metadata.resourceVersion ?? '')) tc = written.obj;
    else this.lastWrite.delete(key);
    if (!tc) return {};
    if (tc.metadata.deletionTimestamp) return this.finalize(tc);
    if (!tc.metadata.finalizers?.includes(FINALIZER)) {
      tc = this.remember(
        tc,
        await this.transcodes.setFinalizers(tc, [...(tc.metadata.finalizers ?? []), FINALIZER]),
      );
    }
    if (tc.status?.phase === 'Failed' && retryRequested(tc)) tc = await this.startRetry(tc);
    else if (isTerminal(tc.status?.phase)) return this.afterFinish(tc);

    const validation = validateTranscodeSpec(tc.spec);
    const problems = validation.ok
      ? labelProblems(validation.spec.labels)
      : validation.errors.map((e) => `spec.${e.path}: ${e.message}`);
    if (!validation.ok || problems.length) {
      await this.writeStatus(
        tc,
        this.observe(tc, { attempt: tc.status?.attempt ?? 0, invalid: problems }),
      );
      return {};
    }
    const spec = validation.spec;
    const { namespace, name } = this.ids(tc);

    let attempt = tc.status?.attempt ?? 0;
    let jobN = jobName(this.ids(tc), attempt);
    let lost: string | undefined;
    let job = this.caches.job(`${namespace}/${jobN}`);
    if (!job && tc.status?.jobName === jobN) {
      // We recorded this Job, the cache does not have it: a lagging cache, or it was deleted.
      job = await this.jobs.get(namespace, jobN);
      if (!job) {
        // A finished Job removed by its TTL while we were away: the ready record still says
        // whether this attempt published. A failed attempt leaves no trace: a new one starts.
        const ready = await this.readyOf(tc);
        if (ready) {
          const updated = await this.writeStatus(
            tc,
            this.observe(tc, { attempt, jobName: jobN, ready }),
          );
          return this.afterFinish(updated);
        }
        attempt++;
        lost = jobN;
        jobN = jobName(this.ids(tc), attempt);
        job = this.caches.job(`${namespace}/${jobN}`);
      }
    }
    if (!job) {
      // A Job that exists was started while this Transcode held its name; a new one needs it.
      const holder = nameHolder(name, this.caches.transcodes());
      if (holder && holder.uid !== tc.metadata.uid) {
        await this.writeStatus(
          tc,
          this.observe(tc, { attempt, nameTakenBy: `${holder.namespace}/${name}` }),
        );
        return {};
      }
      if (!(await this.mayStart(tc, key))) {
        await this.writeStatus(tc, this.observe(tc, { attempt, waiting: 'ConcurrencyLimited' }));
        return { requeueAfterMs: WAITING_RECHECK_MS };
      }
      try {
        job = await this.createJob(tc, spec, attempt);
        if (lost) {
          this.events.record(
            tc,
            'Warning',
            'JobDeleted',
            'Recreate',
            `Job ${lost} disappeared; started attempt ${attempt}`,
          );
        }
      } catch (err) {
        // The namespace is going away (its Jobs first): our Transcode's deletion follows.
        if (isNamespaceTerminating(err)) return { requeueAfterMs: 2000 };
        throw err;
      }
    }

    const outcome = jobOutcome(job);
    // Only a started worker can report: no storage polling for pods still waiting for a node.
    const workerRunning = outcome === 'running' && (job.status?.ready ?? 0) > 0;
    // A pod that does not start says why only on itself: ask after a while, then now and then.
    const jobAgeMs = this.now().getTime() - Date.parse(String(job.metadata?.creationTimestamp));
    const startingFor = outcome === 'running' && !workerRunning ? jobAgeMs || 0 : undefined;
    const observation = this.observe(tc, {
      attempt,
      jobName: jobN,
      job,
      failure: outcome === 'failed' ? await this.workerFailure(namespace, jobN) : undefined,
      workerWaiting:
        startingFor !== undefined && startingFor >= WAITING_CHECK_AFTER_MS
          ? await this.whyWorkerWaits(namespace, jobN)
          : undefined,
      progress: workerRunning ? await this.readProgress(name, attempt) : undefined,
      ready: outcome === 'succeeded' ? await this.readReady(name) : undefined,
    });
    const updated = await this.writeStatus(tc, observation);
    if (isTerminal(updated.status?.phase)) return this.afterFinish(updated);
    // Poll progress while the worker runs; otherwise Job events wake us up (resync as a net).
    if (workerRunning) return { requeueAfterMs: this.settings.progressPollMs };
    return startingFor !== undefined ? { requeueAfterMs: waitingRecheckMs(startingFor) } : {};
  }

  /**
   * A retry of a Failed Transcode (the API bumps RETRY_ANNOTATION): record that this request was
   * handled, then go back to Pending with the next attempt, whose Job has a new deterministic name.
   */
  private async startRetry(tc: TranscodeWire): Promise<TranscodeWire> {
    const requested = tc.metadata.annotations?.[RETRY_ANNOTATION] ?? '';
    tc = this.remember(
      tc,
      await this.transcodes.setAnnotations(tc, { [RETRY_HANDLED_ANNOTATION]: requested }),
    );
    const attempt = (tc.status?.attempt ?? 0) + 1;
    this.events.record(
      tc,
      'Normal',
      'Retry',
      'Retry',
      `Retry requested: starting attempt ${attempt}`,
    );
    return this.writeStatus(tc, this.observe(tc, { attempt, waiting: 'Queued' }));
  }

  /** Keys of Transcodes held back by the cap (to reconsider when a slot frees). */
  waitingKeys(): string[] {
    return this.caches
      .transcodes()
      .filter((t) =>
        t.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ConcurrencyLimited'),
      )
      .map((t) => `${t.metadata.namespace}/${t.metadata.name}`);
  }

  private remember(from: TranscodeWire, updated: TranscodeWire): TranscodeWire {
    const key = `${from.metadata.namespace}/${from.metadata.name}`;
    const entry = this.lastWrite.get(key) ?? { superseded: new Set<string>(), obj: updated };
    entry.superseded.add(from.metadata.resourceVersion ?? '');
    entry.obj = updated;
    this.lastWrite.set(key, entry);
    return updated;
  }

  private ids(tc: TranscodeWire) {
    return { namespace: tc.metadata.namespace!, name: tc.metadata.name!, uid: tc.metadata.uid! };
  }

  private observe(
    tc: TranscodeWire,
    o: Omit<Observation, 'generation' | 'previous' | 'now'>,
  ): Observation {
    return { generation: tc.metadata.generation ?? 0, previous: tc.status, now: this.now(), ...o };
  }

  private async createJob(
    tc: TranscodeWire,
    spec: TranscodeSpec,
    attempt: number,
  ): Promise<JobWire> {
    const { namespace, uid } = this.ids(tc);
    const desired = buildJob({ ...this.ids(tc), spec }, attempt, this.template);
    const name = desired.metadata!.name!;
    try {
      const job = await this.jobs.create(desired);
      this.created.set(uid, { namespace, at: Date.now() });
      this.metrics.jobsCreated.inc();
      this.logger.info(
        { transcode: `${namespace}/${tc.metadata.name}`, job: name, attempt },
        'created worker Job',
      );
      this.events.record(
        tc,
        'Normal',
        'JobCreated',
        'Create',
        `Created Job ${name} (attempt ${attempt})`,
      );
      return job;
    } catch (err) {
      // Deterministic name: a 409 means an earlier run (or a lagging cache) already made it.
      if (!isConflict(err)) {
        this.created.delete(uid);
        throw err;
      }
      const existing = await this.jobs.get(namespace, name);
      if (!existing) throw err;
      return existing;
    }
  }

  /** The concurrency cap, decided under a lock so two workers never both take the last slot. */
  private async mayStart(tc: TranscodeWire, key: string): Promise<boolean> {
    const caps = this.settings.caps;
    if (!caps.total && !caps.perNamespace) return true;
    return this.admission.run(async () => {
      const owners = new Set<string>();
      const byNamespace = new Map<string, number>();
      let total = 0;
      const count = (ns: string) => {
        total++;
        byNamespace.set(ns, (byNamespace.get(ns) ?? 0) + 1);
      };
      for (const j of this.caches.jobs()) {
        if (j.metadata?.labels?.['app.kubernetes.io/managed-by'] !== MANAGED_BY) continue;
        const owner = j.metadata.ownerReferences?.find((r) => r.controller)?.uid;
        if (owner) owners.add(owner);
        if (jobOutcome(j) === 'running') count(j.metadata.namespace!);
      }
      for (const [uid, v] of this.created) {
        if (owners.has(uid) || Date.now() - v.at > 120_000) {
          this.created.delete(uid);
          continue;
        }
        owners.add(uid);
        count(v.namespace);
      }
      const waiting: Candidate[] = this.caches
        .transcodes()
        .filter(
          (t) =>
            !t.metadata.deletionTimestamp &&
            !isTerminal(t.status?.phase) &&
            !owners.has(t.metadata.uid!),
        )
        .map((t) => ({
          key: `${t.metadata.namespace}/${t.metadata.name}`,
          namespace: t.metadata.namespace!,
          priority: typeof t.spec?.priority === 'number' ? t.spec.priority : 0,
          created: String(t.metadata.creationTimestamp ?? ''),
        }));
      if (!waiting.some((c) => c.key === key)) {
        waiting.push({
          key,
          namespace: tc.metadata.namespace!,
          priority: tc.spec.priority ?? 0,
          created: String(tc.metadata.creationTimestamp ?? ''),
        });
      }
      const ok = admit(waiting, { total, byNamespace }, caps).includes(key);
      if (ok) {
        // Reserve the slot before the Job exists, so the next decision counts it.
        this.created.set(tc.metadata.uid!, { namespace: tc.metadata.namespace!, at: Date.now() });
      }
      return ok;
    });
  }

  private async workerFailure(namespace: string, job: string): Promise<WorkerFailure | undefined> {
    let pods: PodWire[];
    try {
      pods = await this.jobs.pods(namespace, job);
    } catch (err) {
      this.logger.warn(
        { job: `${namespace}/${job}`, err: String(err) },
        'could not read the failed pods',
      );
      return undefined;
    }
    let best: (WorkerFailure & { at: string }) | undefined;
    for (const pod of pods) {
      for (const cs of pod.status?.containerStatuses ?? []) {
        if (cs.name !== WORKER_CONTAINER) continue;
        const t = cs.state?.terminated ?? cs.lastState?.terminated;
        if (!t || t.exitCode === 0) continue;
        const at = t.finishedAt ?? '';
        if (!best || at > best.at)
          best = { exitCode: t.exitCode, terminationMessage: t.message, at };
      }
    }
    return best && { exitCode: best.exitCode, terminationMessage: best.terminationMessage };
  }

  /** Best effort: the status says JobCreated until the pods can be read. */
  private async whyWorkerWaits(namespace: string, job: string): Promise<WorkerWaiting | undefined> {
    try {
      return workerWaiting(await this.jobs.pods(namespace, job));
    } catch (err) {
      this.logger.debug({ job: `${namespace}/${job}`, err: String(err) }, 'pods not read');
      return undefined;
    }
  }

  /** Progress is best effort: a storage hiccup must not fail the reconcile. */
  private async readProgress(name: string, attempt: number): Promise<ProgressRecord | undefined> {
    try {
      const raw = await this.store.getJson(this.settings.bucket, progressKey(name));
      const parsed = ProgressRecordSchema.safeParse(raw);
      return parsed.success && parsed.data.attempt === attempt ? parsed.data : undefined;
    } catch (err) {
      this.logger.debug({ video: name, err: String(err) }, 'progress not read');
      return undefined;
    }
  }

  /**
   * The ready record of this Transcode, if it published one: videos are keyed by name, so a
   * record published before this Transcode existed belongs to an earlier one of the same name.
   */
  private async readyOf(tc: TranscodeWire): Promise<ReadyRecord | undefined> {
    const ready = await this.readReady(tc.metadata.name!);
    const created = Date.parse(String(tc.metadata.creationTimestamp ?? ''));
    if (!ready || Number.isNaN(created)) return undefined;
    // creationTimestamp has whole seconds: compare at that precision.
    return Date.parse(ready.publishedAt) >= created ? ready : undefined;
  }

  /** The ready record decides success, so storage errors here are real errors (retried). */
  private async readReady(name: string): Promise<ReadyRecord | undefined> {
    const raw = await this.store.getJson(this.settings.bucket, objectKeys.ready(name));
    if (raw === undefined) return undefined;
    const parsed = ReadyRecordSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn({ video: name }, 'ready record did not match its schema');
      return undefined;
    }
    return parsed.data;
  }

  private async writeStatus(tc: TranscodeWire, o: Observation): Promise<TranscodeWire> {
    const next = statusFromObservation(o);
    const patch = mergePatchFor(
      tc.status as Record<string, unknown> | undefined,
      next as Record<string, unknown>,
    );
    if (!patch) return tc;
    const { namespace, name } = this.ids(tc);
    const updated = this.remember(tc, await this.transcodes.patchStatus(namespace, name, patch));
    this.noteTransition(tc, tc.status, next);
    return updated;
  }

  private noteTransition(
    tc: TranscodeWire,
    prev: TranscodeStatus | undefined,
    next: TranscodeStatus,
  ) {
    const reason = (s?: TranscodeStatus) => s?.conditions?.find((c) => c.type === 'Ready')?.reason;
    if (prev?.phase === next.phase && reason(prev) === reason(next)) return;
    const ready = next.conditions?.find((c) => c.type === 'Ready');
    const warning =
      next.phase === 'Failed' || (ready !== undefined && STUCK_REASONS.includes(ready.reason));
    this.logger.info(
      {
        transcode: `${tc.metadata.namespace}/${tc.metadata.name}`,
        phase: next.phase,
        reason: ready?.reason,
      },
      'transcode changed phase',
    );
    // JobCreated has its own event at creation time.
    if (ready && ready.reason !== 'JobCreated') {
      this.events.record(
        tc,
        warning ? 'Warning' : 'Normal',
        ready.reason,
        next.phase ?? 'Update',
        ready.message,
      );
    }
    if (isTerminal(next.phase) && next.startTime && next.completionTime) {
      const seconds = (Date.parse(next.completionTime) - Date.parse(next.startTime)) / 1000;
      if (seconds >= 0)
        this.metrics.jobDuration.observe({ result: next.phase!.toLowerCase() }, seconds);
    }
  }

  /** Finished: notify, then delete the Transcode when its retention has passed. */
  private async afterFinish(tc: TranscodeWire): Promise<ReconcileResult> {
    this.notify(tc);
    const { retentionMs } = this.settings;
    const done = Date.parse(tc.status?.completionTime ?? '');
    if (!retentionMs || Number.isNaN(done)) return {};
    const left = done + retentionMs - this.now().getTime();
    if (left > 0) return { requeueAfterMs: Math.min(left, MAX_TIMER_MS) };
    const { namespace, name, uid } = this.ids(tc);
    if (
      tc.status?.phase === 'Succeeded' &&
      tc.metadata.annotations?.[RETAIN_OUTPUTS_ANNOTATION] !== 'true'
    ) {
      // etcd is not a video catalogue: the ready record in storage stays the durable truth.
      tc = await this.transcodes.setAnnotations(tc, { [RETAIN_OUTPUTS_ANNOTATION]: 'true' });
    }
    try {
      await this.transcodes.delete(namespace, name, uid);
      this.logger.info(
        { transcode: `${namespace}/${name}` },
        'deleted finished Transcode after its retention',
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return {};
  }

  private notify(tc: TranscodeWire): void {
    const phase = tc.status?.phase;
    const key = `${tc.metadata.namespace}/${tc.metadata.name}`;
    if (!this.notifier?.enabled || !phase || this.notifying.has(key)) return;
    if (tc.metadata.annotations?.[NOTIFIED_ANNOTATION] === phase) return;
    const id = `${tc.metadata.uid}/${phase}`;
    if (this.notified.has(id)) return;
    this.notifying.add(key);
    const ready = tc.status?.conditions?.find((c) => c.type === 'Ready');
    void this.notifier
      .deliver({
        type: phase === 'Succeeded' ? 'transcode.succeeded' : 'transcode.failed',
        id,
        namespace: tc.metadata.namespace!,
        name: tc.metadata.name!,
        videoId: tc.metadata.name!,
        phase,
        reason: ready?.reason ?? '',
        message: ready?.message ?? '',
        completionTime: tc.status?.completionTime,
        outputs: tc.status?.outputs,
      })
      .then(async () => {
        // Delivered or given up: either way it is not sent again. The annotation carries that
        // across restarts (a crash before it is written means one more delivery: at least once).
        this.notified.add(id);
        if (this.notified.size > 10_000) this.notified.delete(this.notified.values().next().value!);
        await this.transcodes.setAnnotations(tc, { [NOTIFIED_ANNOTATION]: phase });
      })
      .catch((err: unknown) => {
        this.logger.warn({ transcode: key, err: String(err) }, 'webhook bookkeeping failed');
      })
      .finally(() => {
        this.notifying.delete(key);
        this.enqueue(key);
      });
  }

  /** The finalizer: stop the work, remove what was published (per policy), let go. */
  private async finalize(tc: TranscodeWire): Promise<ReconcileResult> {
    if (!tc.metadata.finalizers?.includes(FINALIZER)) return {};
    const { namespace, name, uid } = this.ids(tc);
    const owned = this.caches
      .jobs()
      .filter(
        (j) =>
          j.metadata?.namespace === namespace &&
          j.metadata.ownerReferences?.some((r) => r.uid === uid),
      );
    const active = owned.filter((j) => jobOutcome(j) === 'running');
    if (active.length) {
      // A worker still running would upload again after the cleanup: stop it first.
      for (const j of active) {
        if (j.metadata?.deletionTimestamp) continue;
        await this.jobs.delete(namespace, j.metadata!.name!);
        this.events.record(
          tc,
          'Normal',
          'Cancelled',
          'Delete',
          `Deleted running Job ${j.metadata!.name}`,
        );
        this.logger.info(
          { transcode: `${namespace}/${name}`, job: j.metadata!.name },
          'deleted running Job of a deleted Transcode',
        );
      }
      return { requeueAfterMs: 1000 };
    }
    const annotations = tc.metadata.annotations ?? {};
    const nameConflict = refusedItsName(tc);
    const retainAll = nameConflict || annotations[RETAIN_OUTPUTS_ANNOTATION] === 'true';
    const spec = tc.spec as Partial<TranscodeSpec>;
    const bucket = this.settings.bucket;
    let removed = 0;
    if (!retainAll && (spec.deletionPolicy ?? 'Delete') === 'Delete') {
      removed = await this.store.removePrefix(bucket, objectKeys.outputPrefix(name));
    }
    if (!nameConflict) await this.store.remove(bucket, progressKey(name));
    if (
      !retainAll &&
      spec.sourceDeletionPolicy === 'Delete' &&
      spec.source?.bucket &&
      spec.source.key
    ) {
      await this.store.remove(spec.source.bucket, spec.source.key);
    }
    this.logger.info(
      {
        transcode: `${namespace}/${name}`,
        removedObjects: removed,
        retained: retainAll || spec.deletionPolicy === 'Retain',
      },
      'cleaned up a deleted Transcode',
    );
    try {
      await this.transcodes.setFinalizers(
        tc,
        (tc.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return {};
  }
}

function retryRequested(tc: TranscodeWire): boolean {
  const requested = tc.metadata.annotations?.[RETRY_ANNOTATION];
  return !!requested && requested !== tc.metadata.annotations?.[RETRY_HANDLED_ANNOTATION];
}
