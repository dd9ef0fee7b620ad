import 'reflect-metadata';
import { assertNodeVersion, ConfigError, createLogger, loadConfig } from '@kubevod/runtime';
import { createControllerApp } from './app';
import { ControllerConfigSchema } from './config';

async function main(): Promise<void> {
  assertNodeVersion();
  const config = loadConfig(ControllerConfigSchema);
  const app = await createControllerApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  createLogger('controller', config.LOG_LEVEL).info({ port: config.PORT }, 'controller listening');
}

main().catch((err: unknown) => {
  const logger = createLogger('controller');
  logger.fatal({ err }, err instanceof ConfigError ? err.message : 'controller failed to start');
  process.exit(1);
});
