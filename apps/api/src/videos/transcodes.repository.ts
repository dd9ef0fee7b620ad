import {
  KubeApiError,
  KubeClient,
  loadKubeConfig,
  MERGE_PATCH,
  type KubeConnection,
  type KubeList,
} from '@kubevod/kube';
import {
  TRANSCODE_GROUP,
  TRANSCODE_PLURAL,
  TRANSCODE_VERSION,
  type Transcode,
} from '@kubevod/contracts';
import { toTranscodeError, TranscodeNotFoundError } from './transcode-errors';

export interface TranscodePage {
  items: Transcode[];
  continue?: string;
}

/** Readiness must answer quickly; requests keep the client's default (30 s). */
const PING_TIMEOUT_MS = 5_000;

/**
 * The connection to the apiserver: the given kubeconfig file, else $KUBECONFIG, the in-cluster
 * service account, or ~/.kube/config (client certificates and tokens; no exec plugins).
 */
export function kubeConnectionFrom(path: string | undefined): KubeConnection {
  return loadKubeConfig(path ? { ...process.env, KUBECONFIG: path } : process.env);
}

/**
 * Transcodes in one namespace, through the apiserver. The only file that talks to Kubernetes.
 * Uses libs/kube's thin JSON client: @kubernetes/client-node costs ~40 MiB of resident memory
 * just to load (apps/api/bench/README.md), a quarter of the API's budget.
 */
export class TranscodesRepository {
  private readonly path: string;

  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
  ) {
    this.path = `/apis/${TRANSCODE_GROUP}/${TRANSCODE_VERSION}/namespaces/${namespace}/${TRANSCODE_PLURAL}`;
  }

  static async connect(kubeconfig: string | undefined, namespace: string) {
    return new TranscodesRepository(
      await KubeClient.create(kubeConnectionFrom(kubeconfig)),
      namespace,
    );
  }

  async create(body: Transcode): Promise<Transcode> {
    return this.call(() => this.client.request<Transcode>('POST', this.path, { body }), {
      name: body.metadata.name,
    });
  }

  async get(name: string): Promise<Transcode | undefined> {
    return this.orUndefined(() => this.client.get<Transcode>(this.item(name)));
  }

  async list(query: {
    limit: number;
    continue?: string;
    labelSelector?: string;
  }): Promise<TranscodePage> {
    const page = await this.call(() =>
      this.client.get<KubeList<Transcode>>(this.path, {
        limit: query.limit,
        continue: query.continue,
        labelSelector: query.labelSelector,
      }),
    );
    const next = page.metadata?.continue;
    return { items: page.items, ...(next ? { continue: next } : {}) };
  }

  /** false when it was already gone */
  async delete(name: string): Promise<boolean> {
    try {
      await this.call(() =>
        this.client.request('DELETE', this.item(name), {
          body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TranscodeNotFoundError) return false;
      throw err;
    }
  }

  /** Merge-patches annotations; `resourceVersion` makes it a compare-and-swap. */
  async annotate(
    name: string,
    annotations: Record<string, string>,
    resourceVersion?: string,
  ): Promise<Transcode | undefined> {
    return this.orUndefined(() =>
      this.client.request<Transcode>('PATCH', this.item(name), {
        body: { metadata: { annotations, ...(resourceVersion ? { resourceVersion } : {}) } },
        contentType: MERGE_PATCH,
      }),
    );
  }

  /** Readiness: the apiserver answers and the Transcode resource is served. */
  async ping(): Promise<void> {
    await this.call(() =>
      this.client.request('GET', this.path, { query: { limit: 1 }, timeoutMs: PING_TIMEOUT_MS }),
    );
  }

  close(): void {
    this.client.close();
  }

  /** Nest calls this on shutdown: idle keep-alive sockets to the apiserver are closed. */
  onModuleDestroy(): void {
    this.close();
  }

  private item(name: string): string {
    return `${this.path}/${encodeURIComponent(name)}`;
  }

  private async orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(fn);
    } catch (err) {
      if (err instanceof TranscodeNotFoundError) return undefined;
      throw err;
    }
  }

  private async call<T>(fn: () => Promise<T>, create?: { name?: string }): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toTranscodeError(
        err instanceof KubeApiError
          ? { statusCode: err.statusCode, body: err.body, message: err.message, cause: err }
          : { message: err instanceof Error ? err.message : String(err), cause: err },
        create,
      );
    }
  }
}
