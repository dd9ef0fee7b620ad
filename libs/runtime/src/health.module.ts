import { Controller, Get, Inject, Module, type DynamicModule, type Provider } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';

/** A dependency that must be reachable for the app to be ready; `check` throws when it is not. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Controller()
class HealthController {
  constructor(
    // explicit tokens: runners without decorator metadata (tsx, esbuild) must still wire this
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** Liveness: the process answers. Never depends on other systems. */
  @Get('healthz')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: every dependency answers. */
  @Get('readyz')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.checks.map((c) => async () => {
        const indicator = this.indicators.check(c.name);
        try {
          await c.check();
          return indicator.up();
        } catch (err) {
          return indicator.down({ message: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }
}

/**
 * /healthz and /readyz through @nestjs/terminus. `checks` is a provider factory so checks can
 * use the app's own repositories.
 */
@Module({})
export class HealthModule {
  static forRoot(
    checks: Omit<Provider, 'provide'> & {
      useFactory: (...args: never[]) => ReadinessCheck[];
      inject?: unknown[];
    } = { useFactory: () => [] },
  ): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: READINESS_CHECKS, ...checks } as Provider],
    };
  }
}
