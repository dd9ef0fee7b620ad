import { Global, Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, MetricsModule } from '@kubevod/runtime';
import type { Logger } from 'pino';
import type { ControllerConfig } from './config';
import {
  CONTROLLER_CONFIG,
  CONTROLLER_LOGGER,
  ControllerService,
} from './manager/controller.service';

export { CONTROLLER_CONFIG };

/** Global so the health module's readiness factory can inject the ControllerService. */
@Global()
@Module({})
class ControllerModule {
  static forRoot(config: ControllerConfig, logger: Logger): DynamicModule {
    return {
      module: ControllerModule,
      providers: [
        { provide: CONTROLLER_CONFIG, useValue: config },
        { provide: CONTROLLER_LOGGER, useValue: logger },
        ControllerService,
      ],
      exports: [ControllerService, CONTROLLER_CONFIG],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ControllerConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule.forRoot('controller'),
        ControllerModule.forRoot(config, logger),
        HealthModule.forRoot({
          useFactory: (svc: ControllerService) => svc.readinessChecks(),
          inject: [ControllerService],
        }),
      ],
    };
  }
}
