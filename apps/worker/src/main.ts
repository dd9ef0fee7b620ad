import { assertNodeVersion, ConfigError, createLogger, loadConfig } from '@kubevod/runtime';
import { WORKER_EXIT } from '@kubevod/contracts';
import { WorkerConfigSchema } from './config';

/** The worker is a command: it runs one transcode and exits with a code from WORKER_EXIT. */
async function main(): Promise<number> {
  assertNodeVersion();
  const config = loadConfig(WorkerConfigSchema);
  const logger = createLogger('worker', config.LOG_LEVEL);
  logger.info('worker started');
  return WORKER_EXIT.ok;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    createLogger('worker').fatal({ err }, err instanceof ConfigError ? err.message : 'worker failed');
    process.exit(err instanceof ConfigError ? WORKER_EXIT.invalidSpec : WORKER_EXIT.transient);
  },
);
