import { Global, Module, type DynamicModule } from '@nestjs/common';
import { METRICS_REGISTRY } from '@kubevod/runtime';
import { MinioObjectStore } from '@kubevod/storage';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ApiKeyVerifier } from './auth/api-keys';
import type { ApiConfig } from './config';
import { ApiMetrics } from './operations/api-metrics';
import { API_CONFIG, API_KEY_VERIFIER, LOGGER, OBJECT_STORE } from './tokens';
import { TranscodesRepository } from './videos/transcodes.repository';

/** The API's configuration, logger, adapters and metrics, visible to every module (health checks too). */
@Global()
@Module({})
export class ApiCoreModule {
  static forRoot(config: ApiConfig, logger: Logger, verifier: ApiKeyVerifier): DynamicModule {
    const providers = [
      { provide: API_CONFIG, useValue: config },
      { provide: LOGGER, useValue: logger },
      { provide: OBJECT_STORE, useFactory: () => MinioObjectStore.fromConfig(config) },
      {
        provide: TranscodesRepository,
        useFactory: () =>
          TranscodesRepository.connect(config.KUBECONFIG, config.TRANSCODE_NAMESPACE),
      },
      { provide: API_KEY_VERIFIER, useValue: verifier },
      {
        provide: ApiMetrics,
        useFactory: (registry: Registry) => new ApiMetrics(registry),
        inject: [METRICS_REGISTRY],
      },
    ];
    return {
      module: ApiCoreModule,
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
