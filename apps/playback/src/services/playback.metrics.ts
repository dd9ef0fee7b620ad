import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@kubevod/runtime';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * One counter series counted with a plain addition and folded into its prom-client counter when
 * metrics are read. prom-client's inc() validates and hashes the labels on every call (~0.6–1.5
 * µs); the fast lane counts every request, so it counts here.
 */
export class DeferredCount<L extends string> {
  pending = 0;
  constructor(readonly labels: Readonly<Record<L, string>>) {}
}

/** Deferred series of one counter, folded in by the counter's collect() at every scrape. */
class DeferredCounts<L extends string> {
  private readonly series = new Map<string, DeferredCount<L>>();

  /** The series of these labels, made once (label cardinality is small and closed). */
  of(labels: Readonly<Record<L, string>>): DeferredCount<L> {
    const key = Object.values(labels).join('\0');
    let series = this.series.get(key);
    if (series === undefined) {
      series = new DeferredCount(labels);
      this.series.set(key, series);
    }
    return series;
  }

  flush(counter: Counter<L>): void {
    for (const s of this.series.values()) {
      if (s.pending === 0) continue;
      counter.inc(s.labels as Partial<Record<L, string>>, s.pending);
      s.pending = 0;
    }
  }
}

/** Playback's own metrics, on the app's registry. */
@Injectable()
export class PlaybackMetrics {
  readonly selections: Counter<'format' | 'platform' | 'via' | 'answer'>;
  readonly duration: Histogram<'route' | 'method' | 'status'>;
  readonly cache: Counter<'cache' | 'result'>;
  readonly errors: Counter<'reason'>;
  readonly bytes: Counter<'kind'>;
  readonly deferredSelections = new DeferredCounts<'format' | 'platform' | 'via' | 'answer'>();
  readonly deferredCache = new DeferredCounts<'cache' | 'result'>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const deferredSelections = this.deferredSelections;
    const deferredCache = this.deferredCache;
    this.selections = new Counter({
      name: 'kubevod_playback_selections_total',
      help: 'Manifest selections by chosen format, client platform, what decided it and the answer',
      labelNames: ['format', 'platform', 'via', 'answer'],
      registers: [registry],
      collect() {
        deferredSelections.flush(this);
      },
    });
    this.duration = new Histogram({
      name: 'kubevod_playback_request_duration_seconds',
      help: 'Latency of playback HTTP requests by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.cache = new Counter({
      name: 'kubevod_playback_cache_lookups_total',
      help: 'In-memory cache lookups by cache and result (hit or miss)',
      labelNames: ['cache', 'result'],
      registers: [registry],
      collect() {
        deferredCache.flush(this);
      },
    });
    this.errors = new Counter({
      name: 'kubevod_playback_errors_total',
      help: 'Refused or failed playback requests by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.bytes = new Counter({
      name: 'kubevod_playback_served_bytes_total',
      help: 'Bytes of media served in origin mode, by kind (manifest or segment)',
      labelNames: ['kind'],
      registers: [registry],
    });
  }
}
