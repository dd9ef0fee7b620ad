import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
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

export interface MetricsOptions {
  /** what /metrics answers, from the app's registry; default `registry.metrics()` (playback's
   * node:cluster workers answer for every worker) */
  text?: (registry: Registry) => () => Promise<string>;
}

/** One prom-client Registry per app (never the global one), default Node metrics on, served at /metrics. */
@Module({})
export class MetricsModule {
  static forRoot(app: string, options: MetricsOptions = {}): DynamicModule {
    const registry = new Registry();
    registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: registry, prefix: 'kubevod_' });
    const text = options.text?.(registry) ?? (() => registry.metrics());
    return {
      module: MetricsModule,
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
