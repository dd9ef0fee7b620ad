import { env } from '@kubevod/runtime';
import { z } from 'zod';

/** Configuration of the worker, read from the environment of its Job's pod. */
export const WorkerConfigSchema = z.object({
  LOG_LEVEL: env.logLevel(),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
