import { env } from '@kubevod/runtime';
import { z } from 'zod';

/** Configuration of the playback, read from the environment at start-up. */
export const PlaybackConfigSchema = z.object({
  PORT: env.port(8082),
  LOG_LEVEL: env.logLevel(),
});
export type PlaybackConfig = z.infer<typeof PlaybackConfigSchema>;
