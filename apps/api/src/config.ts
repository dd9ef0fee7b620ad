import { env } from '@kubevod/runtime';
import { StorageConfigSchema } from '@kubevod/storage';
import { z } from 'zod';

const GiB = 1024 ** 3;

/** Configuration of the api, read from the environment at start-up. */
export const ApiConfigSchema = z.object({
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  ...StorageConfigSchema.shape,
  /** a kubeconfig file; without it the in-cluster config (or ~/.kube/config) is used */
  KUBECONFIG: z.string().min(1).optional(),
  /** where Transcodes are created and listed */
  TRANSCODE_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(63)
    .default('default'),
  AUTH_REQUIRED: env.bool(true),
  /** API keys, comma-separated (from a Secret through the environment) */
  API_KEYS: z.string().optional(),
  /** or a file holding them, comma- or newline-separated (a mounted Secret); both may be set */
  API_KEYS_FILE: z.string().min(1).optional(),
  /** the largest upload accepted, in bytes (413 beyond it) */
  MAX_UPLOAD_BYTES: env.int(10 * GiB, 1),
  /** base URL of the playback service, for the playback URLs of ready videos */
  PLAYBACK_URL: z.url().optional(),
  /** how long a shutdown waits for in-flight uploads before the process exits anyway */
  SHUTDOWN_GRACE_SECONDS: env.int(60, 0),
  /** unfinished tus uploads older than this are removed from storage */
  TUS_EXPIRY_HOURS: env.int(24, 1),
  /** part size of multipart uploads into storage, in MiB: two parts are held in memory per upload */
  UPLOAD_PART_SIZE_MIB: env.int(8, 5),
  /** part size of tus uploads into storage, in MiB (parts are staged in the temp dir) */
  TUS_PART_SIZE_MIB: env.int(16, 5),
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;
