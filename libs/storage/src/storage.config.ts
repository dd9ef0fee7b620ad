import { z } from 'zod';

/** S3 settings every component reads from its environment (the chart fills them from a Secret). */
export const StorageConfigSchema = z.object({
  S3_ENDPOINT: z.url().describe('e.g. http://minio:9000'),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().min(3).default('kubevod'),
});
export type StorageConfig = z.infer<typeof StorageConfigSchema>;
