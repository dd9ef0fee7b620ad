import 'reflect-metadata';
import { assertNodeVersion, ConfigError, createLogger, loadConfig } from '@kubevod/runtime';
import { createPlaybackApp } from './app';
import { PlaybackConfigSchema } from './config';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = loadConfig(PlaybackConfigSchema);
  const app = await createPlaybackApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  createLogger('playback', config.LOG_LEVEL).info(
    { port: config.PORT, mode: config.PLAYBACK_MODE },
    'playback started listening',
  );
}

main().catch((err: unknown) => {
  const logger = createLogger('playback');
  logger.fatal({ err }, err instanceof ConfigError ? err.message : 'playback failed to start');
  process.exit(1);
});
