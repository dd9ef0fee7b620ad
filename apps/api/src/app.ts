import fastifyMultipart from '@fastify/multipart';
import { createHttpApp, createLogger } from '@kubevod/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppModule } from './app.module';
import { ApiKeyVerifier } from './auth/api-keys';
import { loadApiKeys } from './auth/api-keys.repository';
import type { ApiConfig } from './config';
import { ApiErrorFilter } from './errors/api-error.filter';
import { ApiMetrics } from './operations/api-metrics';
import { installHttpMetrics } from './operations/http-metrics.hook';
import { setupOpenApi } from './operations/openapi';
import { TusUploadsService } from './uploads/tus-uploads.service';

export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const logger = createLogger('api', config.LOG_LEVEL);
  // Checked before Nest starts: a misconfiguration is an error to report, not a process.exit.
  const verifier = new ApiKeyVerifier(loadApiKeys(config), config.AUTH_REQUIRED);
  const app = await createHttpApp(AppModule.forRoot(config, logger, verifier) as never, {
    logger,
  });
  await app.register(fastifyMultipart as never, {
    // Our UploadGuard enforces MAX_UPLOAD_BYTES exactly; busboy's own limit sits just above it.
    limits: {
      fileSize: config.MAX_UPLOAD_BYTES + 1,
      files: 2,
      fields: 32,
      fieldSize: 64 * 1024,
      parts: 40,
      headerPairs: 64,
    },
  });
  app.useGlobalFilters(new ApiErrorFilter(logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installHttpMetrics(fastify, app.get(ApiMetrics));
  app.get(TusUploadsService).mount(fastify);
  setupOpenApi(app);
  return app;
}
