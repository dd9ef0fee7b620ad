import { TRANSCODE_GROUP, TRANSCODE_PLURAL, TRANSCODE_VERSION } from '@kubevod/contracts';
import { JSON_PATCH, MERGE_PATCH, type KubeClient } from '@kubevod/kube';
import type { TranscodeWire } from '../reconcile/wire';

const BASE = `/apis/${TRANSCODE_GROUP}/${TRANSCODE_VERSION}`;

/** Transcodes on the API server. Writes carry resourceVersion where a lost update would hurt. */
export class TranscodesRepository {
  constructor(private readonly kube: KubeClient) {}

  /** The collection path for an informer: one namespace, or all of them. */
  static collectionPath(namespace?: string): string {
    return namespace
      ? `${BASE}/namespaces/${namespace}/${TRANSCODE_PLURAL}`
      : `${BASE}/${TRANSCODE_PLURAL}`;
  }

  private path(namespace: string, name: string): string {
    return `${BASE}/namespaces/${namespace}/${TRANSCODE_PLURAL}/${name}`;
  }

  /** Merge-patches the status subresource (a custom resource takes no strategic merge patch). */
  patchStatus(namespace: string, name: string, status: Record<string, unknown>) {
    return this.kube.request<TranscodeWire>('PATCH', `${this.path(namespace, name)}/status`, {
      body: { status },
      contentType: MERGE_PATCH,
    });
  }

  /**
   * Replaces the finalizer list with a JSON patch that first TESTS the list it was computed
   * from: a concurrent change to the finalizers fails (422) instead of being overwritten, and
   * unrelated changes (status, labels) do not get in the way as a resourceVersion would.
   */
  setFinalizers(tc: TranscodeWire, finalizers: string[]) {
    const current = tc.metadata.finalizers;
    const ops = current
      ? [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'replace', path: '/metadata/finalizers', value: finalizers },
        ]
      : [{ op: 'add', path: '/metadata/finalizers', value: finalizers }];
    return this.kube.request<TranscodeWire>(
      'PATCH',
      this.path(tc.metadata.namespace!, tc.metadata.name!),
      {
        body: ops,
        contentType: JSON_PATCH,
      },
    );
  }

  /** Sets (or, with null, removes) annotations; merge patch works key by key. */
  setAnnotations(tc: TranscodeWire, annotations: Record<string, string | null>) {
    return this.kube.request<TranscodeWire>(
      'PATCH',
      this.path(tc.metadata.namespace!, tc.metadata.name!),
      {
        body: { metadata: { annotations } },
        contentType: MERGE_PATCH,
      },
    );
  }

  async delete(namespace: string, name: string, uid: string): Promise<void> {
    await this.kube.request('DELETE', this.path(namespace, name), {
      // never delete a newer Transcode that reuses the name
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } },
    });
  }
}
