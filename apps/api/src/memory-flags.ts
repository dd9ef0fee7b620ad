import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before the modules load. `--optimize-for-size` is not allowed in
 * NODE_OPTIONS; set this early it takes effect (with NODE_OPTIONS=--jitless it gives what
 * `node --lite-mode` does: ~20 MiB less resident memory, apps/api/bench/README.md). The API
 * streams bytes through native code; it gives up little speed for it.
 */
if (process.env.API_OPTIMIZE_FOR_SIZE !== 'false') setFlagsFromString('--optimize-for-size');
