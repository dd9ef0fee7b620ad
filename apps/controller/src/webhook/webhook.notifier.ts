import type { Logger } from 'pino';
import type { ControllerMetrics } from '../metrics/controller.metrics';
import { SIGNATURE_HEADER, signBody } from './webhook-signature';

export interface TranscodeFinishedEvent {
  type: 'transcode.succeeded' | 'transcode.failed';
  /** stable per Transcode and outcome: receivers can drop duplicates */
  id: string;
  namespace: string;
  name: string;
  videoId: string;
  phase: string;
  reason: string;
  message: string;
  completionTime?: string;
  outputs?: unknown;
}

export interface WebhookOptions {
  urls: string[];
  secret: string;
  maxAttempts: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

/**
 * POSTs signed JSON to every configured URL ("notify playback"), retrying with exponential
 * backoff on network errors, 5xx, 408 and 429. Other 4xx are final: the receiver refused it.
 */
export class WebhookNotifier {
  constructor(
    private readonly options: WebhookOptions,
    private readonly metrics: ControllerMetrics,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.options.urls.length > 0;
  }

  /** True when every URL accepted the event. */
  async deliver(event: TranscodeFinishedEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    const signature = signBody(this.options.secret, body);
    const results = await Promise.all(
      this.options.urls.map((url) => this.deliverTo(url, event, body, signature)),
    );
    return results.every(Boolean);
  }

  private async deliverTo(
    url: string,
    event: TranscodeFinishedEvent,
    body: string,
    signature: string,
  ): Promise<boolean> {
    const base = this.options.baseDelayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      let retryable = true;
      let outcome: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            [SIGNATURE_HEADER]: signature,
            'X-Kubevod-Event': event.type,
            'X-Kubevod-Delivery': event.id,
          },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await res.body?.cancel();
        if (res.ok) {
          this.metrics.webhookDeliveries.inc({ result: 'delivered' });
          this.logger.info({ url, event: event.type, transcode: event.name }, 'webhook delivered');
          return true;
        }
        retryable = res.status >= 500 || res.status === 408 || res.status === 429;
        outcome = `HTTP ${res.status}`;
      } catch (err) {
        outcome = err instanceof Error ? err.message : String(err);
      }
      if (!retryable || attempt >= this.options.maxAttempts) {
        this.metrics.webhookDeliveries.inc({ result: 'failed' });
        this.logger.warn(
          { url, event: event.type, transcode: event.name, attempt, outcome },
          'webhook delivery failed',
        );
        return false;
      }
      this.metrics.webhookDeliveries.inc({ result: 'retried' });
      await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1)));
    }
  }
}
