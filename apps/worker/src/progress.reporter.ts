import { progressKey, type ProgressRecord } from '@kubevod/contracts';
import type { ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';

export type Stage = ProgressRecord['stage'];

/** Share of the overall percent each stage covers: the encode dominates. */
const STAGE_SPAN: Record<Stage, [number, number]> = {
  downloading: [0, 5],
  probing: [5, 5],
  encoding: [5, 90],
  uploading: [90, 99],
  publishing: [99, 99],
  done: [100, 100],
};

export type ProgressUpdate = Omit<
  ProgressRecord,
  'videoId' | 'attempt' | 'updatedAt' | 'percent'
> & {
  /** percent of the current stage, 0..100 */
  stagePercent: number;
};

/**
 * Overwrites the progress record in storage (progressKey) at most every `intervalMs`: the
 * worker has no Kubernetes credentials, the controller reads this record into the status.
 * A failed write is logged and skipped: progress must never fail a transcode.
 */
export class ProgressReporter {
  private latest?: ProgressRecord;
  private lastWrite = 0;
  private inflight?: Promise<void>;

  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
    private readonly videoId: string,
    private readonly attempt: number,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  update(update: ProgressUpdate, force = false): void {
    const [from, to] = STAGE_SPAN[update.stage];
    const { stagePercent, ...rest } = update;
    this.latest = {
      videoId: this.videoId,
      attempt: this.attempt,
      ...rest,
      percent:
        Math.round((from + ((to - from) * Math.min(100, Math.max(0, stagePercent))) / 100) * 10) /
        10,
      updatedAt: new Date(this.now()).toISOString(),
    };
    if (force || this.now() - this.lastWrite >= this.intervalMs) void this.write();
  }

  /** Writes the latest record now (and waits for any write in flight). */
  async flush(): Promise<void> {
    await this.inflight;
    await this.write();
  }

  private write(): Promise<void> {
    if (this.inflight || !this.latest) return this.inflight ?? Promise.resolve();
    const record = this.latest;
    this.lastWrite = this.now();
    this.inflight = this.store
      .putJson(this.bucket, progressKey(this.videoId), record)
      .catch((err: unknown) =>
        this.logger.warn({ err, stage: record.stage }, 'progress record write failed'),
      )
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }
}
