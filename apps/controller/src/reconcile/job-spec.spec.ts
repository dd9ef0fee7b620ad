import { createHash } from 'node:crypto';
import { TranscodeSpecSchema } from '@kubevod/contracts';
import { buildJob, jobName, type JobTemplate } from './job-spec';

const uid = '7d3c6a8e-1111-4e2b-9c3d-5a6b7c8d9e0f';
const hash = createHash('sha256').update(uid).digest('hex').slice(0, 8);

const template: JobTemplate = {
  image: 'registry.local/kubevod/worker:1.0.0',
  imagePullPolicy: 'IfNotPresent',
  command: [],
  args: ['transcode'],
  resources: {
    requests: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '10Gi' },
    limits: { cpu: '4', memory: '4Gi', 'ephemeral-storage': '20Gi' },
  },
  nodeSelector: { 'kubevod.io/pool': 'high-cpu' },
  tolerations: [
    { key: 'kubevod.io/pool', operator: 'Equal', value: 'high-cpu', effect: 'NoSchedule' },
  ],
  priorityClassName: 'kubevod-batch',
  activeDeadlineSeconds: 3600,
  backoffLimit: 2,
  ttlSecondsAfterFinished: 600,
  scratchDir: '/scratch',
  scratchSizeLimit: '20Gi',
  logLevel: 'info',
  settings: [
    { name: 'MAX_HEIGHT', value: '2160' },
    { name: 'X264_PRESET', value: 'veryfast' },
  ],
  s3: {
    endpoint: 'http://minio.kubevod:9000',
    region: 'us-east-1',
    bucket: 'kubevod',
    secretName: 'kubevod-s3',
    accessKeyKey: 'S3_ACCESS_KEY',
    secretKeyKey: 'S3_SECRET_KEY',
  },
};

const spec = TranscodeSpecSchema.parse({
  source: { bucket: 'uploads', key: 'sources/intro/source' },
  labels: { team: 'media' },
});

describe('buildJob', () => {
  it('builds the exact worker Job for a Transcode', () => {
    expect(buildJob({ name: 'intro', namespace: 'videos', uid, spec }, 1, template)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `intro-${hash}-1`,
        namespace: 'videos',
        labels: {
          team: 'media',
          'app.kubernetes.io/name': 'kubevod-worker',
          'app.kubernetes.io/instance': 'intro',
          'app.kubernetes.io/component': 'worker',
          'app.kubernetes.io/part-of': 'kubevod',
          'app.kubernetes.io/managed-by': 'kubevod-controller',
          'media.kubevod.io/transcode': 'intro',
          'media.kubevod.io/attempt': '1',
        },
        ownerReferences: [
          {
            apiVersion: 'media.kubevod.io/v1alpha1',
            kind: 'Transcode',
            name: 'intro',
            uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        activeDeadlineSeconds: 3600,
        backoffLimit: 2,
        ttlSecondsAfterFinished: 600,
        completions: 1,
        parallelism: 1,
        podFailurePolicy: {
          rules: [
            {
              action: 'FailJob',
              onExitCodes: { containerName: 'worker', operator: 'In', values: [10, 11, 12, 13] },
            },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        template: {
          metadata: {
            labels: expect.objectContaining({
              'media.kubevod.io/transcode': 'intro',
              team: 'media',
            }),
          },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            priorityClassName: 'kubevod-batch',
            nodeSelector: { 'kubevod.io/pool': 'high-cpu' },
            tolerations: [
              {
                key: 'kubevod.io/pool',
                operator: 'Equal',
                value: 'high-cpu',
                effect: 'NoSchedule',
              },
            ],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              runAsGroup: 10001,
              fsGroup: 10001,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '20Gi' } }],
            containers: [
              {
                name: 'worker',
                image: 'registry.local/kubevod/worker:1.0.0',
                imagePullPolicy: 'IfNotPresent',
                args: ['transcode'],
                env: [
                  { name: 'KUBEVOD_VIDEO_ID', value: 'intro' },
                  { name: 'KUBEVOD_SPEC', value: JSON.stringify(spec) },
                  { name: 'KUBEVOD_OUTPUT_BUCKET', value: 'kubevod' },
                  { name: 'KUBEVOD_ATTEMPT', value: '1' },
                  { name: 'KUBEVOD_SCRATCH_DIR', value: '/scratch' },
                  { name: 'TMPDIR', value: '/scratch' },
                  { name: 'LOG_LEVEL', value: 'info' },
                  { name: 'S3_ENDPOINT', value: 'http://minio.kubevod:9000' },
                  { name: 'S3_REGION', value: 'us-east-1' },
                  { name: 'S3_BUCKET', value: 'kubevod' },
                  {
                    name: 'S3_ACCESS_KEY',
                    valueFrom: { secretKeyRef: { name: 'kubevod-s3', key: 'S3_ACCESS_KEY' } },
                  },
                  {
                    name: 'S3_SECRET_KEY',
                    valueFrom: { secretKeyRef: { name: 'kubevod-s3', key: 'S3_SECRET_KEY' } },
                  },
                  { name: 'MAX_HEIGHT', value: '2160' },
                  { name: 'X264_PRESET', value: 'veryfast' },
                ],
                resources: {
                  requests: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '10Gi' },
                  limits: { cpu: '4', memory: '4Gi', 'ephemeral-storage': '20Gi' },
                },
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'FallbackToLogsOnError',
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
              },
            ],
          },
        },
      },
    });
  });

  it('lets spec.placement replace the pool and override single resources', () => {
    const own = TranscodeSpecSchema.parse({
      source: { bucket: 'uploads', key: 'k' },
      placement: {
        nodeSelector: { gpu: 'none' },
        tolerations: [{ key: 'spot', operator: 'Exists' }],
        resources: { requests: { cpu: '500m' }, limits: { memory: 8 } },
      },
    });
    const pod = buildJob({ name: 'x', namespace: 'n', uid, spec: own }, 0, template).spec!.template
      .spec!;
    expect(pod.nodeSelector).toEqual({ gpu: 'none' });
    expect(pod.tolerations).toEqual([{ key: 'spot', operator: 'Exists' }]);
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '2Gi', 'ephemeral-storage': '10Gi' },
      limits: { cpu: '4', memory: '8', 'ephemeral-storage': '20Gi' },
    });
  });

  it('omits optional scheduling fields that are not configured, and keeps our labels over the user', () => {
    const bare: JobTemplate = {
      ...template,
      nodeSelector: {},
      tolerations: [],
      priorityClassName: undefined,
      args: [],
      command: ['node', 'worker.js'],
      affinity: { nodeAffinity: { x: 1 } },
    };
    const sneaky = TranscodeSpecSchema.parse({
      source: { bucket: 'uploads', key: 'k' },
      labels: { 'app.kubernetes.io/managed-by': 'someone-else' },
    });
    const job = buildJob({ name: 'x', namespace: 'n', uid, spec: sneaky }, 0, bare);
    const pod = job.spec!.template.spec!;
    expect(['nodeSelector', 'tolerations', 'priorityClassName'].filter((k) => k in pod)).toEqual(
      [],
    );
    expect(pod.affinity).toEqual({ nodeAffinity: { x: 1 } });
    expect(pod.containers[0].command).toEqual(['node', 'worker.js']);
    expect('args' in pod.containers[0]).toBe(false);
    expect(job.metadata!.labels!['app.kubernetes.io/managed-by']).toBe('kubevod-controller');
    expect('annotations' in job.spec!.template.metadata!).toBe(false);
  });

  it('puts the configured pod annotations on the pod template only', () => {
    const annotated: JobTemplate = { ...template, podAnnotations: { 'example.com/a': '1' } };
    const job = buildJob({ name: 'x', namespace: 'n', uid, spec }, 0, annotated);
    expect(job.spec!.template.metadata!.annotations).toEqual({ 'example.com/a': '1' });
    expect(job.metadata!.annotations).toBeUndefined();
  });

  it('derives the Job name from name, uid and attempt', () => {
    expect(jobName({ name: 'intro', uid }, 0)).toBe(`intro-${hash}-0`);
  });
});
