import { TRANSCODE_GROUP } from '@kubevod/contracts';

export const FINALIZER = `${TRANSCODE_GROUP}/cleanup`;
export const TRANSCODE_LABEL = `${TRANSCODE_GROUP}/transcode`;
export const ATTEMPT_LABEL = `${TRANSCODE_GROUP}/attempt`;
export const MANAGED_BY = 'kubevod-controller';
/** Set before the retention delete: the finalizer then keeps the published outputs. */
export const RETAIN_OUTPUTS_ANNOTATION = `${TRANSCODE_GROUP}/retain-outputs`;
/** The phase whose webhook has been delivered (or given up on). */
export const NOTIFIED_ANNOTATION = `${TRANSCODE_GROUP}/notified`;
export const WORKER_CONTAINER = 'worker';

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Problems with user labels that Kubernetes would reject on the Job (checked before creating it). */
export function labelProblems(labels: Record<string, string> | undefined): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const keyOk =
      LABEL_NAME.test(name) &&
      (prefix === undefined || (prefix.length <= 253 && LABEL_PREFIX.test(prefix)));
    if (!keyOk) problems.push(`spec.labels: "${key}" is not a valid label key`);
    else if (value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push(`spec.labels.${key}: "${value}" is not a valid label value`);
    }
    if (key.startsWith('app.kubernetes.io/') || key.startsWith(`${TRANSCODE_GROUP}/`)) {
      problems.push(`spec.labels: "${key}" is reserved`);
    }
  }
  return problems;
}
