import { trimJob, trimMeta } from './cache-trim';

describe('informer cache transforms', () => {
  it('trimMeta drops managedFields and the last-applied copy, keeps the rest', () => {
    const obj = {
      apiVersion: 'media.kubevod.io/v1alpha1',
      kind: 'Transcode',
      metadata: {
        name: 'a',
        namespace: 'n',
        managedFields: [{ manager: 'kubectl' }],
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}',
          'media.kubevod.io/notified': 'Succeeded',
        },
        finalizers: ['media.kubevod.io/cleanup'],
      },
      spec: { source: { bucket: 'b', key: 'k' } },
      status: { phase: 'Running' },
    };
    expect(trimMeta(obj)).toEqual({
      apiVersion: 'media.kubevod.io/v1alpha1',
      kind: 'Transcode',
      metadata: {
        name: 'a',
        namespace: 'n',
        annotations: { 'media.kubevod.io/notified': 'Succeeded' },
        finalizers: ['media.kubevod.io/cleanup'],
      },
      spec: { source: { bucket: 'b', key: 'k' } },
      status: { phase: 'Running' },
    });
  });

  it('trimJob keeps identity, ownership, our labels, suspend and the status only', () => {
    const owner = {
      apiVersion: 'media.kubevod.io/v1alpha1',
      kind: 'Transcode',
      name: 'a',
      uid: 'u1',
      controller: true,
    };
    const status = {
      active: 1,
      ready: 1,
      startTime: '2026-11-22T10:00:00Z',
      conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }],
    };
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'a-0123abcd-0',
        namespace: 'n',
        uid: 'j1',
        resourceVersion: '42',
        generation: 1,
        creationTimestamp: '2026-11-22T09:59:59Z',
        labels: {
          'app.kubernetes.io/managed-by': 'kubevod-controller',
          'app.kubernetes.io/name': 'kubevod-worker',
          'media.kubevod.io/transcode': 'a',
          'media.kubevod.io/attempt': '0',
          team: 'x',
        },
        annotations: { 'batch.kubernetes.io/job-tracking': '' },
        ownerReferences: [owner],
        managedFields: [{ manager: 'kube-controller-manager' }],
        finalizers: [],
      },
      spec: {
        suspend: false,
        backoffLimit: 2,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'j1' } },
        template: { spec: { containers: [{ name: 'worker', env: [{ name: 'X', value: 'y' }] }] } },
      },
      status,
    };
    expect(trimJob(job)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'a-0123abcd-0',
        namespace: 'n',
        uid: 'j1',
        resourceVersion: '42',
        creationTimestamp: '2026-11-22T09:59:59Z',
        labels: {
          'app.kubernetes.io/managed-by': 'kubevod-controller',
          'media.kubevod.io/transcode': 'a',
          'media.kubevod.io/attempt': '0',
        },
        ownerReferences: [owner],
      },
      spec: { suspend: false },
      status,
    });
  });

  it('trimJob of a deleted Job keeps its deletionTimestamp; no spec or status stays absent', () => {
    expect(
      trimJob({
        metadata: { name: 'j', namespace: 'n', deletionTimestamp: '2026-11-22T10:00:00Z' },
      }),
    ).toEqual({
      metadata: {
        name: 'j',
        namespace: 'n',
        deletionTimestamp: '2026-11-22T10:00:00Z',
        labels: {},
      },
    });
  });
});
