import { TRANSCODE_KIND, TRANSCODE_API_VERSION } from '@kubevod/contracts';
import {
  EventRecorder,
  Informer,
  KubeClient,
  LeaderElector,
  loadKubeConfig,
  objectKey,
  WorkQueue,
  ExponentialBackoff,
  isConflict,
  KubeApiError,
} from '@kubevod/kube';
import type { ReadinessCheck } from '@kubevod/runtime';
import { MinioObjectStore, type ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig } from '../config';
import { ControllerMetrics } from '../metrics/controller.metrics';
import { JobsRepository } from '../repositories/jobs.repository';
import { TranscodesRepository } from '../repositories/transcodes.repository';
import type { JobTemplate } from '../reconcile/job-spec';
import { MANAGED_BY, TRANSCODE_LABEL } from '../reconcile/labels';
import { TranscodeReconciler, type Caches } from '../reconcile/transcode.reconciler';
import { jobOutcome, type JobWire, type TranscodeWire } from '../reconcile/wire';
import { WebhookNotifier } from '../webhook/webhook.notifier';
import { trimJob, trimMeta } from './cache-trim';

/** A 409 (stale resourceVersion) or a failed JSON-patch test: someone wrote first. */
export function isStaleWrite(err: unknown): boolean {
  return (
    isConflict(err) ||
    (err instanceof KubeApiError && err.statusCode === 422 && /test/i.test(err.message))
  );
}

export function jobTemplateFrom(config: ControllerConfig): JobTemplate {
  return {
    image: config.WORKER_IMAGE,
    imagePullPolicy: config.WORKER_IMAGE_PULL_POLICY,
    command: config.WORKER_COMMAND,
    args: config.WORKER_ARGS,
    resources: {
      requests: {
        cpu: config.WORKER_CPU_REQUEST,
        memory: config.WORKER_MEMORY_REQUEST,
        'ephemeral-storage': config.WORKER_EPHEMERAL_STORAGE_REQUEST,
      },
      limits: {
        cpu: config.WORKER_CPU_LIMIT,
        memory: config.WORKER_MEMORY_LIMIT,
        'ephemeral-storage': config.WORKER_EPHEMERAL_STORAGE_LIMIT,
      },
    },
    nodeSelector: config.WORKER_NODE_SELECTOR,
    tolerations: config.WORKER_TOLERATIONS,
    affinity: config.WORKER_AFFINITY,
    priorityClassName: config.WORKER_PRIORITY_CLASS,
    podAnnotations: config.WORKER_POD_ANNOTATIONS,
    settings: Object.entries(config.WORKER_SETTINGS)
      .map(([name, value]) => ({ name, value: String(value) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    activeDeadlineSeconds: config.JOB_ACTIVE_DEADLINE_SECONDS,
    backoffLimit: config.JOB_BACKOFF_LIMIT,
    ttlSecondsAfterFinished: config.JOB_TTL_SECONDS_AFTER_FINISHED,
    scratchDir: config.WORKER_SCRATCH_DIR,
    scratchSizeLimit: config.WORKER_SCRATCH_SIZE_LIMIT,
    logLevel: config.LOG_LEVEL === 'silent' ? 'info' : config.LOG_LEVEL,
    s3: {
      endpoint: config.WORKER_S3_ENDPOINT ?? config.S3_ENDPOINT,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET,
      secretName: config.WORKER_S3_SECRET,
      accessKeyKey: config.WORKER_S3_SECRET_ACCESS_KEY_KEY,
      secretKeyKey: config.WORKER_S3_SECRET_SECRET_KEY_KEY,
    },
  };
}

/**
 * The controller's moving parts, as controller-runtime's Manager: informers on Transcodes and
 * our Jobs (started at once on every replica, so a new leader has a warm cache), a leader
 * elector, and, only while leading, a work queue drained by RECONCILE_WORKERS reconcilers.
 */
export class ControllerManager {
  readonly metrics: ControllerMetrics;
  private client?: KubeClient;
  private transcodeInformers: Informer<TranscodeWire>[] = [];
  private jobInformers: Informer<JobWire>[] = [];
  private elector?: LeaderElector;
  private events?: EventRecorder;
  private reconciler?: TranscodeReconciler;
  private queue?: WorkQueue<string>;
  private workers?: Promise<void>;
  private readonly store: ObjectStore;

  constructor(
    private readonly config: ControllerConfig,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.store = MinioObjectStore.fromConfig(config);
    this.metrics = new ControllerMetrics(registry, () => this.phaseCounts());
  }

  get identity(): string {
    return this.config.POD_NAME;
  }

  isLeader(): boolean {
    return this.elector?.isLeader() ?? false;
  }

  hasSynced(): boolean {
    return (
      this.transcodeInformers.length > 0 &&
      [...this.transcodeInformers, ...this.jobInformers].every((i) => i.hasSynced())
    );
  }

  readinessChecks(): ReadinessCheck[] {
    return [
      {
        name: 'informers',
        check: async () => {
          if (!this.hasSynced()) throw new Error('informer caches not synced');
        },
      },
      {
        name: 'leader',
        check: async () => {
          if (!this.isLeader()) {
            throw new Error(`not the leader (leader: ${this.elector?.leader || 'unknown'})`);
          }
        },
      },
    ];
  }

  readonly caches: Caches = {
    transcode: (key) => this.find(this.transcodeInformers, key),
    transcodes: () => this.transcodeInformers.flatMap((i) => i.list()),
    job: (key) => this.find(this.jobInformers, key),
    jobs: () => this.jobInformers.flatMap((i) => i.list()),
  };

  async start(): Promise<void> {
    const c = this.config;
    const client = await KubeClient.create(loadKubeConfig());
    this.client = client;
    const namespaces = c.WATCH_NAMESPACES.length ? c.WATCH_NAMESPACES : [undefined];
    const informerOptions = (name: string) => ({
      resyncMs: c.RESYNC_SECONDS * 1000,
      watchTimeoutSeconds: c.WATCH_TIMEOUT_SECONDS,
      logger: this.logger,
      backoff: new ExponentialBackoff<string>(500, 30_000),
      onRestart: (reason: string) => this.metrics.informerRestarts.inc({ informer: name, reason }),
      transform: name === 'jobs' ? trimJob : trimMeta,
    });
    this.transcodeInformers = namespaces.map(
      (ns) =>
        new Informer<TranscodeWire>(client, {
          name: 'transcodes',
          path: TranscodesRepository.collectionPath(ns),
          ...informerOptions('transcodes'),
        }),
    );
    this.jobInformers = namespaces.map(
      (ns) =>
        new Informer<JobWire>(client, {
          name: 'jobs',
          path: JobsRepository.collectionPath(ns),
          labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}`,
          ...informerOptions('jobs'),
        }),
    );
    for (const inf of this.transcodeInformers) {
      inf.on({
        add: (t) => this.enqueue(objectKey(t)),
        update: (_, t) => this.enqueue(objectKey(t)),
        delete: (t) => this.enqueue(objectKey(t)),
      });
    }
    for (const inf of this.jobInformers) {
      inf.on({
        add: (j) => this.onJob(j),
        update: (old, j) => this.onJob(j, old),
        delete: (j) => this.onJob(j, j, true),
      });
    }
    this.events = new EventRecorder(client, {
      controller: `${TRANSCODE_API_VERSION.split('/')[0]}/controller`,
      instance: c.POD_NAME,
      logger: this.logger,
    });
    const notifier = new WebhookNotifier(
      { urls: c.WEBHOOK_URLS, secret: c.WEBHOOK_SECRET, maxAttempts: c.WEBHOOK_MAX_ATTEMPTS },
      this.metrics,
      this.logger,
    );
    this.reconciler = new TranscodeReconciler(
      this.caches,
      new TranscodesRepository(client),
      new JobsRepository(client),
      this.store,
      this.events,
      this.metrics,
      notifier,
      jobTemplateFrom(c),
      {
        bucket: c.S3_BUCKET,
        caps: { total: c.MAX_CONCURRENT_TRANSCODES, perNamespace: c.MAX_CONCURRENT_PER_NAMESPACE },
        retentionMs: c.RETENTION_SECONDS * 1000,
        progressPollMs: c.PROGRESS_POLL_SECONDS * 1000,
      },
      this.logger,
      (key) => this.enqueue(key),
    );
    for (const inf of [...this.transcodeInformers, ...this.jobInformers]) inf.start();
    this.elector = new LeaderElector(client, {
      namespace: c.LEASE_NAMESPACE ?? c.POD_NAMESPACE,
      name: c.LEASE_NAME,
      identity: c.POD_NAME,
      leaseDurationMs: c.LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: c.LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: c.LEASE_RETRY_PERIOD_SECONDS * 1000,
      logger: this.logger,
      onStartedLeading: () => this.startWorkers(),
      onStoppedLeading: () => this.stopWorkers(),
    });
    this.elector.start();
    this.logger.info(
      { identity: c.POD_NAME, namespaces: c.WATCH_NAMESPACES.length ? c.WATCH_NAMESPACES : 'all' },
      'controller started',
    );
  }

  /** Graceful stop: finish in-flight reconciles, release the lease, close the watches. */
  async stop(): Promise<void> {
    const q = this.queue;
    this.queue = undefined;
    q?.shutDown();
    await this.workers;
    await this.elector?.stop(true);
    await Promise.all([...this.transcodeInformers, ...this.jobInformers].map((i) => i.stop()));
    await this.events?.flush();
    this.client?.close();
    this.logger.info({ identity: this.config.POD_NAME }, 'controller stopped');
  }

  private find<T>(informers: Informer<T & object>[], key: string): T | undefined {
    for (const inf of informers) {
      const hit = inf.get(key);
      if (hit) return hit;
    }
    return undefined;
  }

  private enqueue(key: string): void {
    this.queue?.add(key);
  }

  private onJob(job: JobWire, old?: JobWire, deleted = false): void {
    const owner = job.metadata?.ownerReferences?.find(
      (r) => r.controller && r.kind === TRANSCODE_KIND,
    );
    const name = owner?.name ?? job.metadata?.labels?.[TRANSCODE_LABEL];
    if (name) this.enqueue(`${job.metadata?.namespace}/${name}`);
    // A slot freed up: the work held back by the cap gets another look.
    const freed =
      deleted || (old && jobOutcome(old) === 'running' && jobOutcome(job) !== 'running');
    if (freed && this.reconciler)
      for (const key of this.reconciler.waitingKeys()) this.enqueue(key);
  }

  private phaseCounts(): Record<string, number> {
    const counts: Record<string, number> = { Pending: 0, Running: 0, Succeeded: 0, Failed: 0 };
    for (const t of this.caches.transcodes()) {
      const phase = t.status?.phase ?? 'Pending';
      counts[phase] = (counts[phase] ?? 0) + 1;
    }
    return counts;
  }

  private startWorkers(): void {
    this.metrics.leader.set(1);
    const queue = new WorkQueue<string>(new ExponentialBackoff<string>(100, 60_000), {
      depth: (n) => this.metrics.queueDepth.set(n),
      latency: (s) => this.metrics.queueLatency.observe(s),
    });
    this.queue = queue;
    const reconciler = this.reconciler!;
    const previous = this.workers;
    this.workers = (async () => {
      // After a lost and regained lease, the old workers finish first: one reconcile per key.
      await previous;
      // Act only on a complete picture: wait for the caches, then look at everything once.
      while (!this.hasSynced() && this.queue === queue) await new Promise((r) => setTimeout(r, 50));
      for (const t of this.caches.transcodes()) queue.add(objectKey(t));
      await queue.run(
        this.config.RECONCILE_WORKERS,
        async (key) => {
          const end = this.metrics.reconcileDuration.startTimer();
          try {
            const result = await reconciler.reconcile(key);
            this.metrics.reconciles.inc({ result: 'success' });
            return result;
          } finally {
            end();
          }
        },
        (key, err, retryInMs) => {
          // Acting on a stale copy is normal under concurrency: retried, not an error.
          if (isStaleWrite(err)) {
            this.metrics.reconciles.inc({ result: 'conflict' });
            this.logger.debug({ transcode: key, retryInMs }, 'reconcile hit a conflict, retrying');
            return;
          }
          this.metrics.reconciles.inc({ result: 'error' });
          this.metrics.reconcileErrors.inc();
          this.logger.warn({ transcode: key, err: String(err), retryInMs }, 'reconcile failed');
        },
      );
    })();
  }

  private stopWorkers(): void {
    this.metrics.leader.set(0);
    const q = this.queue;
    this.queue = undefined;
    q?.shutDown();
  }
}
