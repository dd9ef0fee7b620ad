/**
 * Helpers of the end-to-end tests: the stack that test/e2e/setup.ts brought up (or reused), reached
 * the way users reach it — through Traefik by host name — plus kubectl and MinIO for checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import * as http from 'node:http';
import { basename } from 'node:path';
import { MinioObjectStore } from '@kubevod/storage';
import { multipartFrame } from '../../../apps/cli/src/multipart-body';
import { kubectl } from '../../support/kubectl';

export function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set: the e2e global setup (test/e2e/setup.ts) did not run`);
  return v;
}

export const stack = {
  get namespace() {
    return need('KUBEVOD_NAMESPACE');
  },
  get release() {
    return need('KUBEVOD_RELEASE');
  },
  get apiKey() {
    return need('KUBEVOD_API_KEY');
  },
  /** http://127.0.0.1:<port>: Traefik's entry point on this machine */
  get ingress() {
    return new URL(need('KUBEVOD_INGRESS'));
  },
  get apiHost() {
    return need('KUBEVOD_API_HOST');
  },
  get playbackHost() {
    return need('KUBEVOD_PLAYBACK_HOST');
  },
  /** what browsers open: http://play.kubevod.localhost:<port> (*.localhost is loopback to them) */
  get playbackUrl() {
    return need('KUBEVOD_PLAYBACK_URL');
  },
};

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request to HOST through the ingress: the connection goes to Traefik on loopback, the Host
 * header names the virtual host (Node's resolver does not map *.localhost to loopback).
 */
export function viaIngress(
  host: string,
  method: string,
  path: string,
  options: {
    headers?: Record<string, string | number>;
    body?: Buffer | NodeJS.ReadableStream;
  } = {},
): Promise<HttpAnswer> {
  const target = stack.ingress;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { host, ...options.headers },
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${host}${path}: timed out`)));
    req.on('error', reject);
    const body = options.body;
    if (!body) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (e) => req.destroy(e as Error));
      body.on('end', () => req.end());
      body.pipe(req, { end: false });
    }
  });
}

export const api = (
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
) =>
  viaIngress(stack.apiHost, method, path, {
    headers: { authorization: `Bearer ${stack.apiKey}`, ...headers },
    body,
  });

export interface Created {
  id: string;
  phase: string;
}

/** Uploads FILE through the ingress as multipart/form-data (what the CLI does for small files). */
export async function upload(file: string, fields: [string, string][] = []): Promise<HttpAnswer> {
  const frame = multipartFrame(fields, { filename: basename(file) });
  const size = frame.head.length + statSync(file).size + frame.tail.length;
  const { PassThrough } = await import('node:stream');
  const body = new PassThrough();
  body.write(frame.head);
  const src = createReadStream(file);
  src.on('end', () => body.end(frame.tail));
  src.pipe(body, { end: false });
  return viaIngress(stack.apiHost, 'POST', '/v1/videos', {
    headers: {
      authorization: `Bearer ${stack.apiKey}`,
      'content-type': frame.contentType,
      'content-length': size,
    },
    body,
  });
}

export interface TranscodeWire {
  metadata: { name: string; uid: string };
  status?: {
    phase?: string;
    progress?: { percent?: number };
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    outputs?: Record<string, unknown>;
  };
}

export function getTranscode(id: string): TranscodeWire | undefined {
  const r = kubectl(['get', 'tc', id, '-n', stack.namespace, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get tc ${id}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as TranscodeWire;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the Transcode until its phase is one of PHASES (or it times out, naming the last state). */
export async function waitForPhase(
  id: string,
  phases: string[],
  timeoutMs = 600_000,
  onPoll?: (tc: TranscodeWire | undefined) => void,
): Promise<TranscodeWire> {
  const deadline = Date.now() + timeoutMs;
  let last: TranscodeWire | undefined;
  while (Date.now() < deadline) {
    last = getTranscode(id);
    onPoll?.(last);
    if (last?.status?.phase && phases.includes(last.status.phase)) return last;
    await sleep(2_000);
  }
  throw new Error(
    `Transcode ${id} not in ${phases.join('|')} after ${timeoutMs} ms: ${JSON.stringify(last?.status)}`,
  );
}

export async function waitForGone(id: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!getTranscode(id)) return;
    await sleep(2_000);
  }
  throw new Error(`Transcode ${id} still exists after ${timeoutMs} ms`);
}

/** A port-forward to a Service of the release; resolves with the local port. */
export async function portForward(
  service: string,
  port: number,
): Promise<{ port: number; stop(): void }> {
  const child: ChildProcess = spawn(
    process.env.KUBEVOD_KUBECTL ?? 'kubectl',
    ['-n', stack.namespace, 'port-forward', `svc/${service}`, `0:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
  );
  const local = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`port-forward to ${service}: no port in 15 s: ${out}`)),
      15_000,
    );
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`port-forward to ${service} exited ${code}: ${out}`)),
    );
  });
  return { port: local, stop: () => child.kill('SIGTERM') };
}

function secretValue(name: string, key: string): string {
  const r = kubectl([
    'get',
    'secret',
    name,
    '-n',
    stack.namespace,
    '-o',
    `jsonpath={.data.${key}}`,
  ]);
  if (r.code !== 0) throw new Error(`secret ${name}: ${r.stderr}`);
  return Buffer.from(r.stdout, 'base64').toString();
}

/** The release's MinIO through a port-forward, with the credentials from its Secret. */
export async function openStorage(): Promise<{
  store: MinioObjectStore;
  bucket: string;
  close(): void;
}> {
  const pf = await portForward(`${stack.release}-minio`, 9000);
  const store = MinioObjectStore.fromConfig({
    S3_ENDPOINT: `http://127.0.0.1:${pf.port}`,
    S3_ACCESS_KEY: secretValue(`${stack.release}-s3`, 'S3_ACCESS_KEY'),
    S3_SECRET_KEY: secretValue(`${stack.release}-s3`, 'S3_SECRET_KEY'),
    S3_REGION: 'us-east-1',
    S3_BUCKET: 'kubevod',
  });
  return { store, bucket: 'kubevod', close: pf.stop };
}

/** Generates a test medium with the host's ffmpeg (argv without -y and the output). */
export function ffmpeg(args: string[], out: string): string {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out], {
    stdio: 'pipe',
  });
  return out;
}
