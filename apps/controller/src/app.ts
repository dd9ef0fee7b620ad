import { createHttpApp, createLogger } from '@kubevod/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { ControllerConfig } from './config';

export async function createControllerApp(
  config: ControllerConfig,
): Promise<NestFastifyApplication> {
  const logger = createLogger('controller', config.LOG_LEVEL);
  return createHttpApp(AppModule.forRoot(config) as never, { logger });
}
