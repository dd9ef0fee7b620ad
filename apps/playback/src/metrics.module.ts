import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { METRICS_REGISTRY } from '@kubevod/runtime';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { clusterMetricsReader } from './cluster/cluster-metrics';

const METRICS_TEXT = Symbol('METRICS_TEXT');

@Controller()
class MetricsController {
  constructor(@Inject(METRICS_TEXT) private readonly text: () => Promise<string>) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.text();
  }
}

/**
 * MetricsModule of @kubevod/runtime (one registry, default Node metrics, /metrics), except that
 * in a cluster worker /metrics answers for every worker (see cluster/cluster-metrics.ts).
 */
@Module({})
export class PlaybackMetricsModule {
  static forRoot(clusterWorker: boolean): DynamicModule {
    const registry = new Registry();
    registry.setDefaultLabels({ app: 'playback' });
    collectDefaultMetrics({ register: registry, prefix: 'kubevod_' });
    const text = clusterWorker ? clusterMetricsReader(registry) : () => registry.metrics();
    return {
      module: PlaybackMetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: METRICS_TEXT, useValue: text },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
