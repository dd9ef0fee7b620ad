import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client';
import { microTime } from './leader-election';
import type { KubeObject } from './objects';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** reportingController, e.g. media.kubevod.io/controller */
  controller: string;
  /** reportingInstance: the replica's identity */
  instance: string;
  logger?: Logger;
  /** events in flight at once; more wait */
  concurrency?: number;
  /** events waiting beyond this are dropped (and counted): events must never slow reconciles */
  maxBacklog?: number;
}

/**
 * Records events.k8s.io/v1 Events on an object (shown by `kubectl describe` / `kubectl events`).
 * Fire and forget: a failed or dropped event is logged, never an error for the caller.
 */
export class EventRecorder {
  private inFlight = 0;
  private readonly backlog: (() => Promise<void>)[] = [];
  private idle: (() => void)[] = [];
  dropped = 0;
  failed = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly options: EventRecorderOptions,
  ) {}

  record(
    regarding: KubeObject,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): void {
    const md = regarding.metadata ?? {};
    if (!md.name || !md.namespace) return;
    const now = new Date();
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        // client-go's scheme: <object>.<unique suffix>
        name: `${md.name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`,
        namespace: md.namespace,
      },
      eventTime: microTime(now),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance,
      action,
      reason,
      type,
      note: note.slice(0, 1024),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: md.name,
        namespace: md.namespace,
        uid: md.uid,
        resourceVersion: md.resourceVersion,
      },
    };
    const send = async () => {
      try {
        await this.client.request(
          'POST',
          `/apis/events.k8s.io/v1/namespaces/${md.namespace}/events`,
          { body },
        );
      } catch (err) {
        this.failed++;
        // A namespace being deleted refuses new content, events included: expected, not news.
        const level = /being terminated/.test(String(err)) ? 'debug' : 'warn';
        this.options.logger?.[level](
          { object: `${md.namespace}/${md.name}`, reason, err: String(err) },
          'event not recorded',
        );
      }
    };
    if (this.backlog.length >= (this.options.maxBacklog ?? 1000)) {
      this.dropped++;
      return;
    }
    this.backlog.push(send);
    this.pump();
  }

  /** Resolves when every queued event has been sent (for shutdown and tests). */
  flush(): Promise<void> {
    if (this.inFlight === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < (this.options.concurrency ?? 4) && this.backlog.length) {
      const next = this.backlog.shift()!;
      this.inFlight++;
      void next().finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.backlog.length === 0) {
          for (const r of this.idle.splice(0)) r();
        }
      });
    }
  }
}
