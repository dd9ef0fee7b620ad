import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  TRANSCODE_GROUP,
  TRANSCODE_PLURAL,
  TRANSCODE_VERSION,
  type FieldError,
  type Transcode,
} from '@kubevod/contracts';
import { ApiError } from '../errors/api-error';

/** The Kubernetes API could not be reached or answered with a server error. */
export class KubernetesUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubernetesUnavailableError';
  }
}

/** The name is taken: with an Idempotency-Key this means the request was already served. */
export class TranscodeExistsError extends Error {
  constructor(readonly videoId: string) {
    super(`Transcode ${videoId} already exists`);
    this.name = 'TranscodeExistsError';
  }
}

export interface TranscodePage {
  items: Transcode[];
  continue?: string;
}

interface ApiException {
  code?: number | string;
  body?: unknown;
}

export function kubeConfigFrom(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

/** Transcodes in one namespace, through the apiserver. The only file that talks to Kubernetes. */
export class TranscodesRepository {
  private readonly api: CustomObjectsApi;
  private readonly base: { group: string; version: string; plural: string; namespace: string };

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.base = {
      group: TRANSCODE_GROUP,
      version: TRANSCODE_VERSION,
      plural: TRANSCODE_PLURAL,
      namespace,
    };
  }

  async create(body: Transcode): Promise<Transcode> {
    return (await this.call(() => this.api.createNamespacedCustomObject({ ...this.base, body }), {
      name: body.metadata.name,
    })) as Transcode;
  }

  async get(name: string): Promise<Transcode | undefined> {
    try {
      return (await this.call(() =>
        this.api.getNamespacedCustomObject({ ...this.base, name }),
      )) as Transcode;
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  async list(query: {
    limit: number;
    continue?: string;
    labelSelector?: string;
  }): Promise<TranscodePage> {
    const page = (await this.call(() =>
      this.api.listNamespacedCustomObject({
        ...this.base,
        limit: query.limit,
        _continue: query.continue,
        labelSelector: query.labelSelector,
      }),
    )) as { items: Transcode[]; metadata?: { _continue?: string; continue?: string } };
    const next = page.metadata?.continue ?? page.metadata?._continue;
    return { items: page.items, ...(next ? { continue: next } : {}) };
  }

  /** false when it was already gone */
  async delete(name: string): Promise<boolean> {
    try {
      await this.call(() =>
        this.api.deleteNamespacedCustomObject({
          ...this.base,
          name,
          propagationPolicy: 'Background',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof NotFound) return false;
      throw err;
    }
  }

  /** Merge-patches annotations; `resourceVersion` makes it a compare-and-swap. */
  async annotate(
    name: string,
    annotations: Record<string, string>,
    resourceVersion?: string,
  ): Promise<Transcode | undefined> {
    try {
      return (await this.call(() =>
        this.api.patchNamespacedCustomObject(
          {
            ...this.base,
            name,
            body: { metadata: { annotations, ...(resourceVersion ? { resourceVersion } : {}) } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      )) as Transcode;
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  /** Readiness: the apiserver answers and the Transcode resource is served. */
  async ping(): Promise<void> {
    await this.call(() => this.api.listNamespacedCustomObject({ ...this.base, limit: 1 }));
  }

  private async call<T>(fn: () => Promise<T>, create?: { name?: string }): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toKubeError(err, create);
    }
  }
}

class NotFound extends Error {}

function toKubeError(err: unknown, create?: { name?: string }): Error {
  const e = err as ApiException;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  if (code === undefined) {
    return new KubernetesUnavailableError(err instanceof Error ? err.message : String(err), {
      cause: err,
    });
  }
  const status = parseStatus(e.body);
  if (code === 404 && !create) return new NotFound(status?.message);
  if (code === 409 && create?.name) return new TranscodeExistsError(create.name);
  if (code === 409) {
    return new ApiError(
      409,
      'Conflict',
      `the video changed at the same time; try again (${status?.message ?? 'conflict'})`,
    );
  }
  if (code === 410) {
    return new ApiError(
      410,
      'ContinueTokenExpired',
      'the continue token has expired; list again from the start',
    );
  }
  if (code === 422) {
    const fields: FieldError[] = (status?.details?.causes ?? []).map((c) => ({
      path: (c.field ?? '(root)').replace(/^spec\./, ''),
      message: c.message ?? 'invalid',
    }));
    return new ApiError(
      400,
      'InvalidOptions',
      `the Transcode was rejected: ${status?.message ?? 'invalid'}`,
      fields,
    );
  }
  if (code === 400 && /continue/i.test(status?.message ?? '')) {
    return new ApiError(400, 'InvalidQuery', `invalid continue token: ${status?.message}`);
  }
  // 404 on create means the namespace or the CRD is missing: the cluster is not set up for us.
  return new KubernetesUnavailableError(`apiserver answered ${code}: ${status?.message ?? ''}`, {
    cause: err,
  });
}

function parseStatus(
  body: unknown,
): { message?: string; details?: { causes?: { field?: string; message?: string }[] } } | undefined {
  if (typeof body === 'object' && body !== null) return body as never;
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return { message: body };
  }
}
