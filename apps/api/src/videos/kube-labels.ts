import type { FieldError } from '@kubevod/contracts';
import { ApiError } from '../errors/api-error';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Prefixes kubevod and Kubernetes keep for themselves: user labels may not set them. */
const RESERVED_PREFIXES = ['kubernetes.io', 'k8s.io', 'media.kubevod.io', 'kubevod.io'];

/** Why a label key is invalid, or undefined when it is a valid Kubernetes label key. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return 'the key prefix must be a DNS subdomain (lower case, dots, at most 253 characters)';
    }
    if (RESERVED_PREFIXES.some((r) => prefix === r || prefix.endsWith(`.${r}`))) {
      return `the key prefix ${prefix} is reserved`;
    }
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return 'the key name must be 1-63 characters: letters, digits, "-", "_", "." and start and end with a letter or digit';
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return 'the value must be at most 63 characters: letters, digits, "-", "_", "." and start and end with a letter or digit';
  }
  return undefined;
}

/** Field errors for user labels (they become Kubernetes labels on the Transcode), under `path`. */
export function labelErrors(labels: Record<string, string>, path = 'labels'): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) errors.push({ path: `${path}.${key}`, message: keyProblem });
    else {
      const valueProblem = labelValueProblem(value);
      if (valueProblem) errors.push({ path: `${path}.${key}`, message: valueProblem });
    }
  }
  return errors;
}

/** `?label=k=v&label=k2=v2` -> the Kubernetes label selector `k=v,k2=v2` (equality only). */
export function labelSelectorFrom(filters: string[]): string | undefined {
  const parts: string[] = [];
  const errors: FieldError[] = [];
  filters.forEach((filter, i) => {
    const eq = filter.indexOf('=');
    if (eq <= 0) {
      errors.push({
        path: `label.${i}`,
        message: `expected key=value, got ${JSON.stringify(filter)}`,
      });
      return;
    }
    const key = filter.slice(0, eq);
    const value = filter.slice(eq + 1);
    // Reserved prefixes may be filtered on (e.g. app.kubernetes.io/managed-by), just not set.
    const problem =
      (labelKeyProblem(key)?.includes('reserved') ? undefined : labelKeyProblem(key)) ??
      labelValueProblem(value);
    if (problem) errors.push({ path: `label.${i}`, message: problem });
    else parts.push(`${key}=${value}`);
  });
  if (errors.length > 0) {
    throw new ApiError(400, 'InvalidLabelSelector', 'invalid label filter', errors);
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}
