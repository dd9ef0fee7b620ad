import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, MetricsModule, type ReadinessCheck } from '@kubevod/runtime';
import type { ObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import { ApiCoreModule } from './api-core.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import type { ApiKeyVerifier } from './auth/api-keys';
import type { ApiConfig } from './config';
import { API_CONFIG, OBJECT_STORE } from './tokens';
import { TusUploadsService } from './uploads/tus-uploads.service';
import { UploadsController } from './uploads/uploads.controller';
import { UploadsService } from './uploads/uploads.service';
import { TranscodesRepository } from './videos/transcodes.repository';
import { VideosController } from './videos/videos.controller';
import { VideosService } from './videos/videos.service';

export { API_CONFIG } from './tokens';

/** Ready when the bucket can be reached (it is created if missing) and Transcodes can be listed. */
function readinessChecks(
  store: ObjectStore,
  transcodes: TranscodesRepository,
  config: ApiConfig,
): ReadinessCheck[] {
  return [
    { name: 's3', check: () => store.ensureBucket(config.S3_BUCKET) },
    { name: 'kubernetes', check: () => transcodes.ping() },
  ];
}

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, logger: Logger, verifier: ApiKeyVerifier): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MetricsModule.forRoot('api'),
        ApiCoreModule.forRoot(config, logger, verifier),
        HealthModule.forRoot({
          useFactory: readinessChecks as (...args: never[]) => ReadinessCheck[],
          inject: [OBJECT_STORE, TranscodesRepository, API_CONFIG],
        }),
      ],
      controllers: [UploadsController, VideosController],
      providers: [UploadsService, VideosService, TusUploadsService, ApiKeyGuard],
    };
  }
}
