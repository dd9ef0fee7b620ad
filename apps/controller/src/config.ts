import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { WORKER_SETTINGS } from '@kubevod/contracts';
import { env } from '@kubevod/runtime';
import { StorageConfigSchema } from '@kubevod/storage';
import { z } from 'zod';

/** A JSON value in an environment variable, validated by `schema`. */
const json = <T extends z.ZodType>(schema: T, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const list = () =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

const quantity = (fallback: string) =>
  z
    .string()
    .regex(/^[0-9.]+[a-zA-Z]*$/)
    .default(fallback);
const optional = () =>
  z
    .string()
    .optional()
    .transform((s) => s || undefined);

const TolerationSchema = z.object({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.int().optional(),
});

/** Configuration of the controller, read from the environment at start-up. */
export const ControllerConfigSchema = z
  .object({
    PORT: env.port(8081),
    LOG_LEVEL: env.logLevel(),
    /** false: serve probes and metrics only (e.g. the boot test, or a dry run) */
    CONTROLLER_ENABLED: env.bool(true),
    /** comma-separated namespaces to watch; empty = all namespaces */
    WATCH_NAMESPACES: list(),
    /** this replica's identity in leader election and events */
    POD_NAME: z.string().default(() => `${hostname()}_${randomBytes(4).toString('hex')}`),
    POD_NAMESPACE: z.string().default('default'),

    // The worker Job
    WORKER_IMAGE: z.string().min(1).default('kubevod/worker:dev'),
    WORKER_IMAGE_PULL_POLICY: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    /** JSON array; empty = the image's entrypoint */
    WORKER_COMMAND: json(z.array(z.string()), '[]'),
    WORKER_ARGS: json(z.array(z.string()), '[]'),
    WORKER_CPU_REQUEST: quantity('2'),
    WORKER_CPU_LIMIT: quantity('4'),
    WORKER_MEMORY_REQUEST: quantity('2Gi'),
    WORKER_MEMORY_LIMIT: quantity('4Gi'),
    WORKER_EPHEMERAL_STORAGE_REQUEST: quantity('10Gi'),
    WORKER_EPHEMERAL_STORAGE_LIMIT: quantity('20Gi'),
    WORKER_SCRATCH_DIR: z.string().startsWith('/').default('/scratch'),
    WORKER_SCRATCH_SIZE_LIMIT: quantity('20Gi'),
    /** JSON object: labels of the high-CPU pool, e.g. {"kubevod.io/pool":"transcode"} */
    WORKER_NODE_SELECTOR: json(z.record(z.string(), z.string()), '{}'),
    /** JSON array of tolerations for the pool's taints */
    WORKER_TOLERATIONS: json(z.array(TolerationSchema), '[]'),
    /** JSON core/v1 Affinity (passed through as is) */
    WORKER_AFFINITY: json(z.record(z.string(), z.unknown()).nullable(), 'null').transform(
      (v) => v ?? undefined,
    ),
    WORKER_PRIORITY_CLASS: optional(),
    /** JSON object: extra annotations of the worker pods (e.g. a mesh opt-out; tests: kwok's stage delays) */
    WORKER_POD_ANNOTATIONS: json(z.record(z.string(), z.string()), '{}'),
    /** the worker's limits and encoder settings for every Job (JSON; keys from WORKER_SETTINGS) */
    WORKER_SETTINGS: json(
      z.partialRecord(z.enum(WORKER_SETTINGS), z.union([z.string().min(1), z.number()])),
      '{}',
    ),
    JOB_ACTIVE_DEADLINE_SECONDS: env.int(3600, 1),
    JOB_BACKOFF_LIMIT: env.int(2),
    JOB_TTL_SECONDS_AFTER_FINISHED: env.int(3600),
    /** S3 endpoint as the worker pods reach it; default S3_ENDPOINT */
    WORKER_S3_ENDPOINT: optional(),
    /** Secret holding the S3 credentials the worker gets (secretKeyRef) */
    WORKER_S3_SECRET: z.string().min(1).default('kubevod-s3'),
    WORKER_S3_SECRET_ACCESS_KEY_KEY: z.string().default('S3_ACCESS_KEY'),
    WORKER_S3_SECRET_SECRET_KEY_KEY: z.string().default('S3_SECRET_KEY'),

    // Scheduling of work
    /** 0 = no cap */
    MAX_CONCURRENT_TRANSCODES: env.int(0),
    MAX_CONCURRENT_PER_NAMESPACE: env.int(0),
    /** finished Transcodes are deleted this long after completion (outputs kept); 0 = kept */
    RETENTION_SECONDS: env.int(7 * 24 * 3600),
    /** reconciles in flight; each waits on a few API round trips, so throughput ~ workers / latency */
    RECONCILE_WORKERS: env.int(32, 1),
    RESYNC_SECONDS: env.int(300),
    PROGRESS_POLL_SECONDS: env.int(5, 1),
    WATCH_TIMEOUT_SECONDS: env.int(300, 1),

    // Webhooks ("notify playback")
    WEBHOOK_URLS: list().pipe(z.array(z.url())),
    WEBHOOK_SECRET: z.string().default(''),
    WEBHOOK_MAX_ATTEMPTS: env.int(6, 1),

    // Leader election
    LEASE_NAME: z.string().default('kubevod-controller'),
    /** default POD_NAMESPACE */
    LEASE_NAMESPACE: optional(),
    LEASE_DURATION_SECONDS: env.int(15, 1),
    LEASE_RENEW_DEADLINE_SECONDS: env.int(10, 1),
    LEASE_RETRY_PERIOD_SECONDS: z.coerce.number().positive().default(2),

    ...StorageConfigSchema.shape,
  })
  .refine((c) => c.LEASE_RENEW_DEADLINE_SECONDS < c.LEASE_DURATION_SECONDS, {
    path: ['LEASE_RENEW_DEADLINE_SECONDS'],
    message: 'must be shorter than LEASE_DURATION_SECONDS',
  })
  .refine((c) => c.WEBHOOK_URLS.length === 0 || c.WEBHOOK_SECRET.length >= 16, {
    path: ['WEBHOOK_SECRET'],
    message: 'at least 16 characters when WEBHOOK_URLS is set',
  });
export type ControllerConfig = z.infer<typeof ControllerConfigSchema>;
