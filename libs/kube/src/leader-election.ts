import type { Logger } from 'pino';
import { isConflict, isNotFound, type KubeClient } from './kube-client';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** how long a lease is valid without renewal; others wait this long after the last renewal */
  leaseDurationMs: number;
  /** the leader gives up if it could not renew for this long (< leaseDurationMs) */
  renewDeadlineMs: number;
  /** how often candidates try to acquire and the leader renews */
  retryPeriodMs: number;
  logger?: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** MicroTime wants six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules:
 *  - the holder renews every retryPeriod; writes carry the resourceVersion, so of two
 *    candidates racing for an expired lease exactly one wins (the other gets 409);
 *  - a lease is expired when its record has not CHANGED for leaseDuration by OUR clock (we time
 *    our own observation of it, so clock skew between replicas does not matter);
 *  - the leader that cannot renew within renewDeadline stops leading before the lease can
 *    expire for the others (renewDeadline < leaseDuration), so two replicas never both act.
 */
export class LeaderElector {
  private leading = false;
  private running = false;
  private timer?: NodeJS.Timeout;
  private observed?: { record: string; at: number };
  private lastRenew = 0;
  private currentLeader = '';
  private ticking?: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
  ) {
    if (options.renewDeadlineMs >= options.leaseDurationMs) {
      throw new Error('renewDeadline must be shorter than leaseDuration');
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  get leader(): string {
    return this.currentLeader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops; a leader releases the lease (unless release is false) so another takes over at once. */
  async stop(release = true): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    if (this.leading) {
      this.setLeading(false);
      if (release) await this.release().catch(() => undefined);
    }
  }

  private get path(): string {
    const { namespace, name } = this.options;
    return `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule(this.options.retryPeriodMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const log = this.options.logger;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      log?.warn({ lease: this.options.name, err: String(err) }, 'lease update failed');
    }
    if (!this.running) return;
    const now = Date.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        log?.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
        this.setLeading(true);
      }
    } else if (this.leading && now - this.lastRenew > this.options.renewDeadlineMs) {
      log?.warn({ lease: this.options.name, identity: this.options.identity }, 'lost leadership');
      this.setLeading(false);
    }
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { identity, namespace, name } = this.options;
    const now = new Date();
    const leaseSeconds = Math.ceil(this.options.leaseDurationMs / 1000);
    const existing = await this.client.find<Lease>(this.path);
    if (!existing) {
      try {
        await this.client.request(
          'POST',
          `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
          {
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name, namespace },
              spec: {
                holderIdentity: identity,
                leaseDurationSeconds: leaseSeconds,
                acquireTime: microTime(now),
                renewTime: microTime(now),
                leaseTransitions: 0,
              },
            },
          },
        );
        this.noteLeader(identity);
        return true;
      } catch (err) {
        if (isConflict(err)) return false; // another candidate created it first
        throw err;
      }
    }
    const spec = existing.spec ?? {};
    const record = `${spec.holderIdentity}|${spec.renewTime}|${spec.leaseTransitions}`;
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    this.noteLeader(holder);
    const heldByOther = holder !== '' && holder !== identity;
    const durationMs = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
    if (heldByOther && Date.now() < this.observed.at + durationMs) return false;
    const takingOver = holder !== identity;
    try {
      await this.client.request('PUT', this.path, {
        body: {
          ...existing,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds: leaseSeconds,
            acquireTime: takingOver ? microTime(now) : spec.acquireTime,
            renewTime: microTime(now),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
          },
        },
      });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
    this.noteLeader(identity);
    return true;
  }

  private noteLeader(identity: string): void {
    if (identity && identity !== this.currentLeader) this.options.onNewLeader?.(identity);
    this.currentLeader = identity;
  }

  private async release(): Promise<void> {
    const existing = await this.client.find<Lease>(this.path);
    if (!existing || existing.spec?.holderIdentity !== this.options.identity) return;
    await this.client.request('PUT', this.path, {
      body: {
        ...existing,
        spec: {
          ...existing.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        },
      },
    });
    this.options.logger?.info({ lease: this.options.name }, 'released the lease');
  }
}
