import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthModule, MetricsModule, type ReadinessCheck } from '@kubevod/runtime';
import type { ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import { PLAYBACK_CONFIG, PLAYBACK_LOGGER } from './app.tokens';
import type { PlaybackConfig } from './config';
import { OriginController } from './controllers/origin.controller';
import { PlayController } from './controllers/play.controller';
import { PlaybackErrorFilter } from './controllers/playback-error.filter';
import { clusterMetricsReader } from './cluster/cluster-metrics';
import { WatchController } from './controllers/watch.controller';
import { PlayerAssetsRepository } from './repositories/player-assets.repository';
import { VideoStorageRepository } from './repositories/video-storage.repository';
import { OriginService } from './services/origin.service';
import { HotPlayAnswersService } from './services/hot-play-answers.service';
import { PlayService } from './services/play.service';
import { PlaybackMetrics } from './services/playback.metrics';
import { PublishedVideosService } from './services/published-videos.service';

export { PLAYBACK_CONFIG } from './app.tokens';

/** Config, logger and storage, visible to every module (the readiness check needs storage). */
@Global()
@Module({})
class PlaybackCoreModule {
  static forRoot(config: PlaybackConfig, logger: Logger, store: ObjectStore): DynamicModule {
    return {
      module: PlaybackCoreModule,
      providers: [
        { provide: PLAYBACK_CONFIG, useValue: config },
        { provide: PLAYBACK_LOGGER, useValue: logger },
        {
          provide: VideoStorageRepository,
          useValue: new VideoStorageRepository(store, config.S3_BUCKET),
        },
      ],
      exports: [PLAYBACK_CONFIG, PLAYBACK_LOGGER, VideoStorageRepository],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(
    config: PlaybackConfig,
    logger: Logger,
    store: ObjectStore,
    clusterWorker = false,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlaybackCoreModule.forRoot(config, logger, store),
        // a node:cluster worker's /metrics answers for every worker (cluster/cluster-metrics.ts)
        MetricsModule.forRoot('playback', clusterWorker ? { text: clusterMetricsReader } : {}),
        HealthModule.forRoot({
          useFactory: (storage: VideoStorageRepository): ReadinessCheck[] => [
            { name: 'storage', check: () => storage.ping() },
          ],
          inject: [VideoStorageRepository],
        }),
      ],
      controllers: [OriginController, WatchController],
      providers: [
        PlaybackMetrics,
        PlayController,
        PublishedVideosService,
        PlayService,
        OriginService,
        {
          provide: HotPlayAnswersService,
          useValue: new HotPlayAnswersService(config.CACHE_MAX_ENTRIES),
        },
        { provide: PlayerAssetsRepository, useValue: new PlayerAssetsRepository() },
        { provide: APP_FILTER, useClass: PlaybackErrorFilter },
      ],
    };
  }
}
