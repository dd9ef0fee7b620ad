import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { serveClusterMetrics } from './cluster-metrics';

/**
 * The primary of PLAYBACK_WORKERS > 1: forks the workers (each a full playback on the shared
 * port), replaces one that dies, answers their metrics requests, and on SIGTERM/SIGINT stops
 * them and exits when they are gone. It serves no HTTP itself.
 */
export function runPrimary(workers: number, logger: Logger): void {
  serveClusterMetrics();
  let stopping = false;
  const fork = (): Worker => cluster.fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('stopped every worker');
        process.exit(0);
      }
      return;
    }
    logger.error(
      { workerPid: worker.process.pid, code, signal },
      'lost a worker, starting another',
    );
    // a second's pause keeps a crash loop visible and cheap
    setTimeout(fork, 1000);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === workers) logger.info({ workers }, 'every worker is listening');
  });
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers }, 'started the workers');
}
