import { ExponentialBackoff } from './rate-limiter';

export interface WorkQueueHooks {
  /** the queue length changed */
  depth?(n: number): void;
  /** a key waited this long between being added and being picked up */
  latency?(seconds: number): void;
}

/**
 * A work queue with client-go's semantics:
 *  - a key is queued at most once however often it is added (dedup);
 *  - a key being processed is never handed to a second worker: adding it meanwhile marks it
 *    dirty and it is queued again when the first worker calls done();
 *  - addAfter() delays a key (the earliest pending delay wins); addRateLimited() delays it by
 *    the per-key exponential backoff, forget() resets that backoff.
 */
export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly addedAt = new Map<K, number>();
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    readonly backoff = new ExponentialBackoff<K>(),
    private readonly hooks: WorkQueueHooks = {},
  ) {}

  get length(): number {
    return this.queue.length;
  }

  /** keys queued, being processed or waiting for a delay */
  get pending(): number {
    return new Set([...this.dirty, ...this.processing, ...this.delayed.keys()]).size;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, Date.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  addRateLimited(key: K): number {
    const ms = this.backoff.when(key);
    this.addAfter(key, ms);
    return ms;
  }

  forget(key: K): void {
    this.backoff.forget(key);
  }

  /** The next key to process (waits for one); undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /**
   * Runs `concurrency` workers until shutDown(). A worker that throws gets the key re-queued
   * with backoff; a handler returning { requeueAfterMs } gets it re-queued after that delay.
   */
  async run(
    concurrency: number,
    handler: (key: K) => Promise<{ requeueAfterMs?: number } | void>,
    onError: (key: K, err: unknown, retryInMs: number) => void = () => undefined,
  ): Promise<void> {
    const worker = async () => {
      for (;;) {
        const key = await this.get();
        if (key === undefined) return;
        try {
          const result = await handler(key);
          this.forget(key);
          if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
        } catch (err) {
          onError(key, err, this.addRateLimited(key));
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  private push(key: K): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.take(key));
      return;
    }
    this.queue.push(key);
    this.hooks.depth?.(this.queue.length);
  }

  private take(key: K): K {
    this.dirty.delete(key);
    this.processing.add(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.hooks.latency?.((Date.now() - added) / 1000);
    this.hooks.depth?.(this.queue.length);
    return key;
  }
}
