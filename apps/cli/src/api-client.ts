/** A small typed client of the kubevod API over fetch. */

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  reason: string;
  message: string;
  fields?: { path: string; message: string }[];
}

export interface VideoView {
  id: string;
  origin: 'transcode' | 'published';
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  reason?: string;
  message?: string;
  progress?: { percent: number; speed?: number };
  attempt?: number;
  deleting?: boolean;
  formats: string[];
  labels: Record<string, string>;
  filename?: string;
  createdAt?: string;
  publishedAt?: string;
  renditions?: { name: string; width?: number; height?: number; bitrateKbps: number }[];
  statusUrl: string;
  playback?: { url: string; watchUrl: string };
}

export interface CreatedVideo {
  id: string;
  name: string;
  namespace: string;
  statusUrl: string;
  phase: 'Pending';
  bytes: number;
  container: string;
}

/** An error answer of the API (or no answer at all: statusCode 0). */
export class ApiRequestError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(formatApiError(body));
    this.name = 'ApiRequestError';
  }
}

export function formatApiError(body: ApiErrorBody): string {
  const status = body.statusCode ? `${body.statusCode} ` : '';
  // With field errors the message only repeats them: list the fields instead.
  if (body.fields?.length) {
    return `${status}${body.reason}:${body.fields.map((f) => `\n  ${f.path}: ${f.message}`).join('')}`;
  }
  return `${status}${body.reason}: ${body.message}`;
}

export interface ClientOptions {
  apiUrl: string;
  apiKey?: string;
}

export class ApiClient {
  readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = options.apiUrl.replace(/\/+$/, '');
  }

  authHeaders(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  get(id: string): Promise<VideoView> {
    return this.json('GET', `/v1/videos/${encodeURIComponent(id)}`);
  }

  list(query: {
    limit?: number;
    continue?: string;
    labels?: string[];
  }): Promise<{ items: VideoView[]; continue?: string }> {
    const params = new URLSearchParams();
    if (query.limit) params.set('limit', String(query.limit));
    if (query.continue) params.set('continue', query.continue);
    for (const l of query.labels ?? []) params.append('label', l);
    const qs = params.toString();
    return this.json('GET', `/v1/videos${qs ? `?${qs}` : ''}`);
  }

  remove(id: string): Promise<{ id: string; status: string }> {
    return this.json('DELETE', `/v1/videos/${encodeURIComponent(id)}`);
  }

  retry(id: string): Promise<{ id: string; status: string; retry: string }> {
    return this.json('POST', `/v1/videos/${encodeURIComponent(id)}/retry`);
  }

  /** POSTs a prepared body (e.g. a streamed multipart form). */
  async send<T>(
    method: string,
    path: string,
    init: RequestInit,
  ): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        ...init,
        method,
        headers: { ...this.authHeaders(), ...(init.headers as Record<string, string>) },
      });
    } catch (err) {
      throw new ApiRequestError({
        statusCode: 0,
        error: 'Unreachable',
        reason: 'ApiUnreachable',
        message: `could not reach ${this.base}: ${(err as Error).cause ?? (err as Error).message}`,
      });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = body as Partial<ApiErrorBody> | undefined;
      throw new ApiRequestError({
        statusCode: res.status,
        error: e?.error ?? res.statusText,
        reason: e?.reason ?? 'UnexpectedResponse',
        message: e?.message ?? (text.slice(0, 200) || res.statusText),
        fields: e?.fields,
      });
    }
    return { status: res.status, body: body as T };
  }

  private async json<T>(method: string, path: string): Promise<T> {
    return (await this.send<T>(method, path, {})).body;
  }
}
