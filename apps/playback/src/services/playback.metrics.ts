import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@kubevod/runtime';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Playback's own metrics, on the app's registry. */
@Injectable()
export class PlaybackMetrics {
  readonly selections: Counter<'format' | 'platform' | 'via' | 'answer'>;
  readonly duration: Histogram<'route' | 'method' | 'status'>;
  readonly cache: Counter<'cache' | 'result'>;
  readonly errors: Counter<'reason'>;
  readonly bytes: Counter<'kind'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.selections = new Counter({
      name: 'kubevod_playback_selections_total',
      help: 'Manifest selections by chosen format, client platform, what decided it and the answer',
      labelNames: ['format', 'platform', 'via', 'answer'],
      registers: [registry],
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
