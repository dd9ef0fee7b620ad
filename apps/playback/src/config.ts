import { env } from '@kubevod/runtime';
import { StorageConfigSchema } from '@kubevod/storage';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { workerCount } from './core/worker-count';

/** Configuration of the playback, read from the environment at start-up. */
export const PlaybackConfigSchema = StorageConfigSchema.extend({
  PORT: env.port(8082),
  LOG_LEVEL: env.logLevel(),
  /**
   * redirect: GET /v1/play/:id answers 302 to the manifest in storage (PUBLIC_BASE_URL, else a
   * presigned URL). origin: playback serves manifests and segments itself under /v1/videos/:id/.
   */
  PLAYBACK_MODE: z.enum(['redirect', 'origin']).default('origin'),
  /** where the bucket's objects are public, e.g. https://cdn.example.com/kubevod; key appended */
  PUBLIC_BASE_URL: z
    .url()
    .optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  PRESIGN_EXPIRY_SECONDS: env.int(3600, 60),
  CORS_ALLOW_ORIGIN: z.string().min(1).default('*'),
  /** how long a looked-up video (published record, manifests) is kept in memory */
  CACHE_TTL_MS: env.int(5000),
  /** not-found answers are kept shorter so a freshly published video appears quickly */
  CACHE_NEGATIVE_TTL_MS: env.int(1000),
  CACHE_MAX_ENTRIES: env.int(10_000, 1),
  /**
   * processes serving requests (node:cluster): 1 in Kubernetes, where replicas and the HPA
   * scale; `auto` = one per available core, for a single machine
   */
  PLAYBACK_WORKERS: z
    .string()
    .default('1')
    .transform((value, ctx) => {
      const n = workerCount(value, availableParallelism());
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be auto or a whole number from 1 to 256' });
        return z.NEVER;
      }
      return n;
    }),
});
export type PlaybackConfig = z.infer<typeof PlaybackConfigSchema>;
