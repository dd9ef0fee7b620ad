import { env } from '@kubevod/runtime';
import { z } from 'zod';

/** Configuration of the controller, read from the environment at start-up. */
export const ControllerConfigSchema = z.object({
  PORT: env.port(8081),
  LOG_LEVEL: env.logLevel(),
});
export type ControllerConfig = z.infer<typeof ControllerConfigSchema>;
