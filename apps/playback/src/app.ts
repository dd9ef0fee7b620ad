import { createHttpApp, createLogger } from '@kubevod/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { PlaybackConfig } from './config';

export async function createPlaybackApp(config: PlaybackConfig): Promise<NestFastifyApplication> {
  const logger = createLogger('playback', config.LOG_LEVEL);
  return createHttpApp(AppModule.forRoot(config) as never, { logger });
}
