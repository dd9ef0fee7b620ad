import 'reflect-metadata';
import { assertNodeVersion, ConfigError, createLogger, loadConfig } from '@kubevod/runtime';
import { createApiApp } from './app';
import { ApiConfigSchema } from './config';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = loadConfig(ApiConfigSchema);
  const app = await createApiApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  createLogger('api', config.LOG_LEVEL).info({ port: config.PORT }, 'api listening');
}

main().catch((err: unknown) => {
  const logger = createLogger('api');
  logger.fatal({ err }, err instanceof ConfigError ? err.message : 'api failed to start');
  process.exit(1);
});
