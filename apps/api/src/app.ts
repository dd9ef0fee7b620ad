import { createHttpApp, createLogger } from '@kubevod/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { ApiConfig } from './config';

export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const logger = createLogger('api', config.LOG_LEVEL);
  return createHttpApp(AppModule.forRoot(config) as never, { logger });
}
