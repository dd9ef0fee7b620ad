import type { V1Job, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';
import {
  PERMANENT_EXIT_CODES,
  TRANSCODE_API_VERSION,
  TRANSCODE_KIND,
  WORKER_ENV,
  type TranscodeSpec,
} from '@kubevod/contracts';
import { childName } from '@kubevod/kube';
import { ATTEMPT_LABEL, MANAGED_BY, TRANSCODE_LABEL, WORKER_CONTAINER } from './labels';

/** What the controller's configuration says about every worker Job. */
export interface JobTemplate {
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  command: string[];
  args: string[];
  resources: {
    requests: Record<'cpu' | 'memory' | 'ephemeral-storage', string>;
    limits: Record<'cpu' | 'memory' | 'ephemeral-storage', string>;
  };
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  affinity?: Record<string, unknown>;
  priorityClassName?: string;
  /** extra annotations of the pod template (none: the key is left out) */
  podAnnotations?: Record<string, string>;
  /** the worker's settings (WORKER_SETTINGS names), as env of the worker container, sorted */
  settings?: { name: string; value: string }[];
  activeDeadlineSeconds: number;
  backoffLimit: number;
  ttlSecondsAfterFinished: number;
  scratchDir: string;
  scratchSizeLimit: string;
  logLevel: string;
  s3: {
    endpoint: string;
    region: string;
    bucket: string;
    secretName: string;
    accessKeyKey: string;
    secretKeyKey: string;
  };
}

/** The parts of a Transcode the Job is built from (its spec already validated and defaulted). */
export interface JobOwner {
  name: string;
  namespace: string;
  uid: string;
  spec: TranscodeSpec;
}

export const WORKER_UID = 10001;

export function jobName(owner: Pick<JobOwner, 'name' | 'uid'>, attempt: number): string {
  return childName(owner.name, owner.uid, attempt);
}

/** Labels of the worker Job and its pods: the recommended set, ours, then the user's. */
export function jobLabels(owner: JobOwner, attempt: number): Record<string, string> {
  return {
    ...(owner.spec.labels ?? {}),
    'app.kubernetes.io/name': 'kubevod-worker',
    'app.kubernetes.io/instance': owner.name,
    'app.kubernetes.io/component': 'worker',
    'app.kubernetes.io/part-of': 'kubevod',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [TRANSCODE_LABEL]: owner.name,
    [ATTEMPT_LABEL]: String(attempt),
  };
}

function resources(template: JobTemplate, spec: TranscodeSpec): V1ResourceRequirements {
  const own = spec.placement?.resources;
  const str = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
  const pick = (
    base: Record<string, string>,
    over: Record<string, string | number | undefined> | undefined,
  ) => {
    const out: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(over ?? {})) {
      const s = str(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  };
  return {
    requests: pick(template.resources.requests, own?.requests),
    limits: pick(template.resources.limits, own?.limits),
  };
}

/**
 * The desired worker Job for one attempt of a Transcode. Pure: the same inputs give the same
 * Job, so the name is stable across controller restarts and a retry never duplicates it.
 */
export function buildJob(owner: JobOwner, attempt: number, template: JobTemplate): V1Job {
  const labels = jobLabels(owner, attempt);
  const placement = owner.spec.placement;
  const nodeSelector = placement?.nodeSelector ?? template.nodeSelector;
  const tolerations =
    (placement?.tolerations as V1Toleration[] | undefined) ?? template.tolerations;
  const secret = (key: string) => ({
    valueFrom: { secretKeyRef: { name: template.s3.secretName, key } },
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(owner, attempt),
      namespace: owner.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: TRANSCODE_API_VERSION,
          kind: TRANSCODE_KIND,
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      activeDeadlineSeconds: template.activeDeadlineSeconds,
      backoffLimit: template.backoffLimit,
      ttlSecondsAfterFinished: template.ttlSecondsAfterFinished,
      completions: 1,
      parallelism: 1,
      podFailurePolicy: {
        rules: [
          // Bad input stays bad: the worker's permanent exit codes fail the Job at once.
          {
            action: 'FailJob',
            onExitCodes: {
              containerName: WORKER_CONTAINER,
              operator: 'In',
              values: [...PERMANENT_EXIT_CODES].sort((a, b) => a - b),
            },
          },
          // A node drain or preemption is not the worker's fault: it does not use up a retry.
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: {
          labels,
          ...(Object.keys(template.podAnnotations ?? {}).length
            ? { annotations: { ...template.podAnnotations } }
            : {}),
        },
        spec: {
          restartPolicy: 'Never',
          // The worker handles untrusted media and needs no Kubernetes access at all.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(template.priorityClassName ? { priorityClassName: template.priorityClassName } : {}),
          ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
          ...(tolerations.length ? { tolerations } : {}),
          ...(template.affinity ? { affinity: template.affinity } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: WORKER_UID,
            runAsGroup: WORKER_UID,
            fsGroup: WORKER_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumes: [{ name: 'scratch', emptyDir: { sizeLimit: template.scratchSizeLimit } }],
          containers: [
            {
              name: WORKER_CONTAINER,
              image: template.image,
              imagePullPolicy: template.imagePullPolicy,
              ...(template.command.length ? { command: template.command } : {}),
              ...(template.args.length ? { args: template.args } : {}),
              env: [
                { name: WORKER_ENV.videoId, value: owner.name },
                { name: WORKER_ENV.spec, value: JSON.stringify(owner.spec) },
                { name: WORKER_ENV.outputBucket, value: template.s3.bucket },
                { name: WORKER_ENV.attempt, value: String(attempt) },
                { name: WORKER_ENV.scratchDir, value: template.scratchDir },
                { name: 'TMPDIR', value: template.scratchDir },
                { name: 'LOG_LEVEL', value: template.logLevel },
                { name: 'S3_ENDPOINT', value: template.s3.endpoint },
                { name: 'S3_REGION', value: template.s3.region },
                { name: 'S3_BUCKET', value: template.s3.bucket },
                { name: 'S3_ACCESS_KEY', ...secret(template.s3.accessKeyKey) },
                { name: 'S3_SECRET_KEY', ...secret(template.s3.secretKeyKey) },
                ...(template.settings ?? []),
              ],
              resources: resources(template, owner.spec),
              // The worker writes {reason,message} JSON here on failure; logs if it could not.
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'FallbackToLogsOnError',
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'scratch', mountPath: template.scratchDir }],
            },
          ],
        },
      },
    },
  };
}
