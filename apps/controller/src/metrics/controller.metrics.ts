import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The controller's Prometheus metrics, on the app's own registry. */
export class ControllerMetrics {
  readonly reconciles: Counter<'result'>;
  readonly reconcileErrors: Counter;
  readonly reconcileDuration: Histogram;
  readonly queueDepth: Gauge;
  readonly queueLatency: Histogram;
  readonly transcodes: Gauge<'phase'>;
  readonly jobsCreated: Counter;
  readonly jobDuration: Histogram<'result'>;
  readonly webhookDeliveries: Counter<'result'>;
  readonly leader: Gauge;
  readonly informerRestarts: Counter<'informer' | 'reason'>;

  constructor(registry: Registry, phaseCounts: () => Record<string, number>) {
    const registers = [registry];
    this.reconciles = new Counter({
      name: 'kubevod_controller_reconcile_total',
      help: 'Reconciles of Transcodes by result (success, error).',
      labelNames: ['result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'kubevod_controller_reconcile_errors_total',
      help: 'Reconciles that failed and were re-queued with backoff.',
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'kubevod_controller_reconcile_duration_seconds',
      help: 'Time spent in one reconcile.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'kubevod_controller_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      registers,
    });
    this.queueLatency = new Histogram({
      name: 'kubevod_controller_workqueue_queue_duration_seconds',
      help: 'How long a key waited in the work queue before a worker took it.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    });
    this.transcodes = new Gauge({
      name: 'kubevod_controller_transcodes',
      help: 'Transcodes in the informer cache by phase.',
      labelNames: ['phase'],
      registers,
      collect() {
        this.reset();
        for (const [phase, n] of Object.entries(phaseCounts())) this.set({ phase }, n);
      },
    });
    this.jobsCreated = new Counter({
      name: 'kubevod_controller_jobs_created_total',
      help: 'Worker Jobs created.',
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'kubevod_controller_job_duration_seconds',
      help: 'Wall time of worker Jobs from start to completion, by result.',
      labelNames: ['result'],
      buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'kubevod_controller_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result (delivered, retried, failed).',
      labelNames: ['result'],
      registers,
    });
    this.leader = new Gauge({
      name: 'kubevod_controller_leader',
      help: '1 while this replica holds the leader lease.',
      registers,
    });
    this.informerRestarts = new Counter({
      name: 'kubevod_controller_informer_restarts_total',
      help: 'List-watch restarts by informer and reason (gone, error, stalled).',
      labelNames: ['informer', 'reason'],
      registers,
    });
  }
}
