import { createHttpApp, createLogger } from '@kubevod/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { ControllerConfig } from './config';
import { ControllerService } from './manager/controller.service';

export async function createControllerApp(
  config: ControllerConfig,
): Promise<NestFastifyApplication> {
  const logger = createLogger('controller', config.LOG_LEVEL);
  return createHttpApp(AppModule.forRoot(config, logger) as never, { logger });
}

/** The running manager of an app (tests and benchmarks look inside). */
export function managerOf(app: NestFastifyApplication) {
  return app.get(ControllerService).manager;
}
