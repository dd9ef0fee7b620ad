import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, MetricsModule } from '@kubevod/runtime';
import type { ApiConfig } from './config';

export const API_CONFIG = Symbol('API_CONFIG');

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [MetricsModule.forRoot('api'), HealthModule.forRoot()],
      providers: [{ provide: API_CONFIG, useValue: config }],
    };
  }
}
