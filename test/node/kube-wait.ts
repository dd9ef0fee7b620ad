/**
 * Polling helpers of the node-tier suites: wait for a Job to finish, for a condition on pods.
 * On a timeout they throw with what the cluster said last (conditions, pod phases, events), so a
 * failure explains itself.
 */
import * as k8s from '@kubernetes/client-node';

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  describe: () => Promise<string> = async () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await describe()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function jobCondition(job: k8s.V1Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** What a Job's pods and the namespace's events say: for failure messages. */
export async function describeJob(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const job = await batch.readNamespacedJob({ name, namespace }).catch(() => undefined);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
  const events = await core.listNamespacedEvent({ namespace });
  return [
    `job ${name}: ${JSON.stringify(job?.status?.conditions ?? [])}`,
    ...pods.items.map(
      (p) =>
        `pod ${p.metadata?.name} on ${p.spec?.nodeName ?? '-'}: ${p.status?.phase} ` +
        JSON.stringify(p.status?.containerStatuses?.map((s) => s.state) ?? []),
    ),
    ...events.items
      .slice(-15)
      .map((e) => `event ${e.involvedObject.name}: ${e.reason} ${e.message}`),
  ].join('\n');
}

/** Resolves with the Job once Complete; throws (with the pods and events) once Failed or late. */
export async function waitForJobComplete(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<k8s.V1Job> {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  return waitFor(
    `Job ${namespace}/${name} Complete`,
    timeoutMs,
    async () => {
      const job = await batch.readNamespacedJob({ name, namespace });
      if (jobCondition(job, 'Failed')) {
        throw new Error(`Job ${name} failed\n${await describeJob(kc, namespace, name)}`);
      }
      return jobCondition(job, 'Complete') ? job : undefined;
    },
    () => describeJob(kc, namespace, name),
  );
}
