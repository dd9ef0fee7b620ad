import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, MetricsModule } from '@kubevod/runtime';
import type { PlaybackConfig } from './config';

export const PLAYBACK_CONFIG = Symbol('PLAYBACK_CONFIG');

@Module({})
export class AppModule {
  static forRoot(config: PlaybackConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [MetricsModule.forRoot('playback'), HealthModule.forRoot()],
      providers: [{ provide: PLAYBACK_CONFIG, useValue: config }],
    };
  }
}
