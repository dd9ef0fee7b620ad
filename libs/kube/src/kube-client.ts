import * as https from 'node:https';
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import { loadKubeConfig, type KubeConnection } from './kube-config';

/** An error answer of the API server, with its HTTP code and Status reason. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string | undefined,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (err: unknown) => err instanceof KubeApiError && err.statusCode === 404;
export const isConflict = (err: unknown) => err instanceof KubeApiError && err.statusCode === 409;
export const isGone = (err: unknown) => err instanceof KubeApiError && err.statusCode === 410;

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** e.g. application/merge-patch+json; JSON by default */
  contentType?: string;
  signal?: AbortSignal;
  /** ms; default 30 s */
  timeoutMs?: number;
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

/** True when a kubeconfig or an in-cluster service account is present. */
export function hasKubeConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KUBECONFIG || env.KUBERNETES_SERVICE_HOST);
}

/**
 * A small JSON client for the API server on node:https with a keep-alive agent.
 *
 * Why not client-node's generated APIs: they turn timestamps into Date objects while watch
 * events carry strings, their patch calls need per-call content-type headers, and loading them
 * costs ~80 MB of RSS. One raw JSON path for lists, watches and writes keeps every object in
 * the same wire shape. Credentials: see kube-config.ts.
 */
export class KubeClient {
  private readonly server: URL;
  private readonly agent: http.Agent;

  private constructor(private readonly conn: KubeConnection) {
    this.server = new URL(conn.server);
    this.agent =
      this.server.protocol === 'https:'
        ? new https.Agent({
            ca: conn.ca,
            cert: conn.cert,
            key: conn.key,
            rejectUnauthorized: !conn.insecureSkipTlsVerify,
            servername: conn.tlsServerName,
            keepAlive: true,
            maxSockets: 32,
          })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  static async create(conn: KubeConnection = loadKubeConfig()): Promise<KubeClient> {
    return new KubeClient(conn);
  }

  private token(): string | undefined {
    // Re-read per request: projected service-account tokens are rotated on disk.
    if (this.conn.tokenFile) return readFileSync(this.conn.tokenFile, 'utf8').trim();
    return this.conn.token;
  }

  get serverUrl(): string {
    return this.server.toString();
  }

  close(): void {
    this.agent.destroy();
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /** GET that answers undefined on 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.open(method, path, options);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    const parsed = text ? safeJson(text) : undefined;
    if (status < 200 || status >= 300) throw apiError(status, method, path, parsed, text);
    return parsed as T;
  }

  /**
   * Opens a streaming GET (a watch) and calls onLine for each line. Resolves when the stream
   * ends; rejects on HTTP or transport errors. Abort through options.signal.
   */
  async stream(path: string, query: Query, onLine: (line: string) => void, signal: AbortSignal) {
    const res = await this.open('GET', path, { query, signal, timeoutMs: 0 });
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const text = await readAll(res);
      throw apiError(status, 'WATCH', path, safeJson(text), text);
    }
    res.setEncoding('utf8');
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) onLine(line);
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('watch aborted')));
      res.on('close', resolve);
    });
  }

  private async open(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<http.IncomingMessage> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json' };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, signal: options.signal });
      const timeoutMs = options.timeoutMs ?? 30_000;
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)),
        );
      }
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiError(
  status: number,
  method: string,
  path: string,
  parsed: unknown,
  text: string,
): KubeApiError {
  const s = parsed as { reason?: string; message?: string } | undefined;
  return new KubeApiError(
    status,
    s?.reason,
    `${method} ${path}: ${status} ${s?.message ?? text.slice(0, 200)}`,
    parsed,
  );
}
