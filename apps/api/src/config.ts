import { env } from '@kubevod/runtime';
import { z } from 'zod';

/** Configuration of the api, read from the environment at start-up. */
export const ApiConfigSchema = z.object({
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;
