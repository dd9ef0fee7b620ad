import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, MetricsModule } from '@kubevod/runtime';
import type { ControllerConfig } from './config';

export const CONTROLLER_CONFIG = Symbol('CONTROLLER_CONFIG');

@Module({})
export class AppModule {
  static forRoot(config: ControllerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [MetricsModule.forRoot('controller'), HealthModule.forRoot()],
      providers: [{ provide: CONTROLLER_CONFIG, useValue: config }],
    };
  }
}
