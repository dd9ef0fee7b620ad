import 'reflect-metadata';
import cluster from 'node:cluster';
import { assertNodeVersion, ConfigError, createLogger, loadConfig } from '@kubevod/runtime';
import { createPlaybackApp } from './app';
import { runPrimary } from './cluster/primary';
import { PlaybackConfigSchema } from './config';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = loadConfig(PlaybackConfigSchema);
  const logger = createLogger('playback', config.LOG_LEVEL);
  if (config.PLAYBACK_WORKERS > 1 && cluster.isPrimary) {
    runPrimary(config.PLAYBACK_WORKERS, logger);
    return;
  }
  const app = await createPlaybackApp(config, { clusterWorker: cluster.isWorker });
  await app.listen(config.PORT, '0.0.0.0');
  logger.info(
    {
      port: config.PORT,
      mode: config.PLAYBACK_MODE,
      ...(cluster.isWorker ? { worker: cluster.worker?.id } : {}),
    },
    'playback started listening',
  );
}

main().catch((err: unknown) => {
  const logger = createLogger('playback');
  logger.fatal({ err }, err instanceof ConfigError ? err.message : 'playback failed to start');
  process.exit(1);
});
