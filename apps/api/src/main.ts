// First: V8 flags that must be set before the modules load.
import './memory-flags';
import 'reflect-metadata';
import { assertNodeVersion, ConfigError, createLogger, loadConfig } from '@kubevod/runtime';
import { createApiApp } from './app';
import { ApiConfigSchema } from './config';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = loadConfig(ApiConfigSchema);
  const logger = createLogger('api', config.LOG_LEVEL);
  const app = await createApiApp(config);
  // Nest closes fastify on SIGTERM, which waits for in-flight requests (uploads) to finish; this
  // bounds the wait so a stuck client cannot hold the pod past its grace period.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'shutdown started');
      setTimeout(() => {
        logger.warn('shutdown grace ran out; exiting with requests still in flight');
        process.exit(1);
      }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
    });
  }
  await app.listen(config.PORT, '0.0.0.0');
  logger.info({ port: config.PORT, namespace: config.TRANSCODE_NAMESPACE }, 'api listening');
}

main().catch((err: unknown) => {
  const logger = createLogger('api');
  logger.fatal({ err }, err instanceof ConfigError ? err.message : 'api failed to start');
  process.exit(1);
});
