import type { V1Job } from '@kubernetes/client-node';
import { isNotFound, type KubeClient, type KubeList } from '@kubevod/kube';
import type { JobWire, PodWire } from '../reconcile/wire';

/** Worker Jobs and their pods on the API server. */
export class JobsRepository {
  constructor(private readonly kube: KubeClient) {}

  static collectionPath(namespace?: string): string {
    return namespace ? `/apis/batch/v1/namespaces/${namespace}/jobs` : '/apis/batch/v1/jobs';
  }

  private path(namespace: string, name: string): string {
    return `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
  }

  create(job: V1Job): Promise<JobWire> {
    return this.kube.request<JobWire>(
      'POST',
      JobsRepository.collectionPath(job.metadata!.namespace!),
      { body: job },
    );
  }

  get(namespace: string, name: string): Promise<JobWire | undefined> {
    return this.kube.find<JobWire>(this.path(namespace, name));
  }

  /** Foreground: the Job stays (with a deletionTimestamp) until its pods are gone. */
  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.kube.request('DELETE', this.path(namespace, name), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async pods(namespace: string, jobName: string): Promise<PodWire[]> {
    const list = await this.kube.get<KubeList<PodWire>>(`/api/v1/namespaces/${namespace}/pods`, {
      labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
    });
    return list.items;
  }
}
