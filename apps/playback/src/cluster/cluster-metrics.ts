import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * /metrics across worker processes: a worker asks the primary, which gathers every worker's
 * registry (prom-client's AggregatorRegistry: counters and histograms summed) and answers with
 * the text. Messages are plain IPC between the cluster's processes.
 */
const REQUEST = 'kubevod:playback-metrics-request';
const ANSWER = 'kubevod:playback-metrics-answer';

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsAnswer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

const isRequest = (m: unknown): m is MetricsRequest =>
  typeof m === 'object' && m !== null && (m as MetricsRequest).type === REQUEST;
const isAnswer = (m: unknown): m is MetricsAnswer =>
  typeof m === 'object' && m !== null && (m as MetricsAnswer).type === ANSWER;

/** In the primary: answers the workers' requests with the metrics of all of them. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text } satisfies MetricsAnswer),
      (err: unknown) =>
        worker.send({ type: ANSWER, id: message.id, error: String(err) } satisfies MetricsAnswer),
    );
  });
}

/**
 * In a worker: offers this registry to the primary's aggregation and returns the function that
 * reads the whole cluster's metrics.
 */
export function clusterMetricsReader(registry: Registry, timeoutMs = 5000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // its constructor installs the worker's answering listener
  const pending = new Map<number, (answer: MetricsAnswer) => void>();
  let next = 0;
  process.on('message', (message: unknown) => {
    if (isAnswer(message)) pending.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not answer for metrics within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        pending.delete(id);
        if (answer.text !== undefined) resolve(answer.text);
        else reject(new Error(answer.error ?? 'no metrics'));
      });
      process.send!({ type: REQUEST, id } satisfies MetricsRequest);
    });
}
