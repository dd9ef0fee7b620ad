import type { Logger } from 'pino';
import { isGone, KubeApiError, type KubeClient } from './kube-client';
import { objectKey, type KubeList, type KubeObject } from './objects';
import { ExponentialBackoff } from './rate-limiter';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  /** for logs and metrics, e.g. "transcodes" */
  name: string;
  /** collection path, e.g. /apis/batch/v1/namespaces/ns/jobs or /apis/batch/v1/jobs */
  path: string;
  labelSelector?: string;
  /** re-deliver every cached object as an update this often (0 = never); client-go's resync */
  resyncMs?: number;
  /** the server ends each watch after about this long; we then re-watch from the last version */
  watchTimeoutSeconds?: number;
  /** no line (event or bookmark) for this long means a silently dead watch: restart it */
  watchdogMs?: number;
  /** page size of lists */
  pageSize?: number;
  backoff?: ExponentialBackoff<string>;
  logger?: Logger;
  /**
   * Trims each object before it is cached (client-go's SetTransform), e.g. dropping
   * managedFields: the cache holds every object, so this is most of the controller's memory.
   */
  transform?(obj: KubeObject): KubeObject;
  /** called whenever a list-watch cycle fails (for metrics) */
  onRestart?(reason: 'gone' | 'error' | 'stalled'): void;
}

class WatchStalledError extends Error {}

/**
 * A supervised list-watch cache of one collection.
 *
 * client-node's informer stops for good on any error except 410 Gone and only emits `error`.
 * This one never gives up while started: 410 Gone relists; any other failure (HTTP error,
 * connection reset, apiserver restart) relists after an exponential backoff; a watch that goes
 * quiet for longer than the server's own watch timeout is aborted and restarted (watchdog);
 * and every resyncMs all cached objects are delivered again, so a missed event can only delay
 * a reconcile, never lose it.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  private running = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private resyncTimer?: NodeJS.Timeout;
  private sleepTimer?: { timer: NodeJS.Timeout; resolve: () => void };
  private readonly backoff: ExponentialBackoff<string>;
  private readonly handlers: InformerHandlers<T>[] = [];
  /** number of list-watch restarts after failures; for tests and metrics */
  restarts = 0;
  lastError?: unknown;

  constructor(
    private readonly client: KubeClient,
    readonly options: InformerOptions,
  ) {
    this.backoff = options.backoff ?? new ExponentialBackoff(500, 30_000);
  }

  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.runLoop();
    if (this.options.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs);
      this.resyncTimer.unref();
    }
  }

  /** Resolves once the first list has filled the cache (or rejects after timeoutMs). */
  async waitForSync(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.synced) {
      if (!this.running) throw new Error(`informer ${this.options.name} is not running`);
      if (Date.now() > deadline) {
        throw new Error(`informer ${this.options.name} did not sync within ${timeoutMs} ms`, {
          cause: this.lastError,
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.abort?.abort();
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer.timer);
      this.sleepTimer.resolve();
    }
    await this.loop;
    this.synced = false;
  }

  /** Restarts the current watch from the last seen version, as the watchdog does (ops and tests). */
  interruptWatch(): void {
    this.abort?.abort(new WatchStalledError('watch interrupted'));
  }

  private resync(): void {
    for (const obj of this.cache.values()) this.emit('update', obj, obj);
  }

  private async runLoop(): Promise<void> {
    const log = this.options.logger;
    let needList = true;
    while (this.running) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watch();
        this.backoff.forget('watch');
      } catch (err) {
        if (!this.running) break;
        this.lastError = err;
        this.restarts++;
        if (isGone(err)) {
          // Our resourceVersion is too old for the watch cache: relist at once.
          log?.info({ informer: this.options.name }, 'watch expired (410 Gone), relisted');
          this.options.onRestart?.('gone');
          needList = true;
          continue;
        }
        const stalled = err instanceof WatchStalledError;
        this.options.onRestart?.(stalled ? 'stalled' : 'error');
        const wait = this.backoff.when('watch');
        log?.warn(
          { informer: this.options.name, err: describe(err), retryInMs: wait },
          stalled ? 'watch stalled, restarting' : 'list-watch failed, restarting',
        );
        // After a stall the resourceVersion is still good; after an error, relist to be safe.
        needList = !stalled;
        await this.sleep(wait);
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.get<KubeList<T>>(this.options.path, {
        labelSelector: this.options.labelSelector,
        limit: this.options.pageSize ?? 500,
        continue: cont,
      });
      for (const item of page.items) fresh.set(objectKey(item), this.trim(item));
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    // Replace the cache and deliver the differences (client-go's Replace).
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (old) this.emit('update', old, obj);
      else this.emit('add', obj);
    }
    this.resourceVersion = rv;
    this.synced = true;
  }

  private async watch(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300;
    const watchdogMs = this.options.watchdogMs ?? (timeoutSeconds + 30) * 1000;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      if (watchdog) clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(new WatchStalledError('no watch event')), watchdogMs);
      watchdog.unref();
    };
    let failure: unknown;
    arm();
    try {
      await this.client.stream(
        this.options.path,
        {
          watch: true,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          labelSelector: this.options.labelSelector,
          timeoutSeconds,
        },
        (line) => {
          arm();
          try {
            this.onEvent(line);
          } catch (err) {
            failure = err;
            abort.abort(err);
          }
        },
        abort.signal,
      );
    } catch (err) {
      throw failure ?? (abort.signal.aborted ? abort.signal.reason : err);
    } finally {
      if (watchdog) clearTimeout(watchdog);
    }
    if (failure) throw failure;
    // An aborted response can end with 'close' rather than an error: keep the abort's reason.
    if (abort.signal.aborted && this.running) throw abort.signal.reason;
  }

  private onEvent(line: string): void {
    const event = JSON.parse(line) as { type: string; object: T };
    const obj = event.type === 'ERROR' ? event.object : this.trim(event.object);
    if (event.type === 'ERROR') {
      const status = obj as unknown as { code?: number; reason?: string; message?: string };
      throw new KubeApiError(
        status.code ?? 500,
        status.reason,
        `watch ${this.options.path}: ${status.message}`,
      );
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('delete', obj);
    } else {
      this.cache.set(key, obj);
      if (old) this.emit('update', old, obj);
      else this.emit('add', obj);
    }
  }

  private trim(obj: T): T {
    return this.options.transform ? (this.options.transform(obj) as T) : obj;
  }

  private emit(kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') h.add?.(a);
        else if (kind === 'update') h.update?.(a, b!);
        else h.delete?.(a);
      } catch (err) {
        this.options.logger?.error({ informer: this.options.name, err }, 'event handler threw');
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepTimer = undefined;
        resolve();
      }, ms);
      this.sleepTimer = { timer, resolve };
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
