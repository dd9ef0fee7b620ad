import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import * as tus from 'tus-js-client';
import {
  ApiRequestError,
  type ApiClient,
  type ApiErrorBody,
  type CreatedVideo,
} from './api-client';
import { multipartFrame } from './multipart-body';

export interface UploadRequest {
  file: string;
  /** option fields, as the API takes them (profile, renditions, formats, labels, label, priority) */
  fields: [string, string][];
  protocol: 'tus' | 'multipart';
  idempotencyKey?: string;
  onProgress: (sent: number, total: number) => void;
}

const MiB = 1024 * 1024;
/** Above this size `auto` picks tus: a broken connection then costs one chunk, not the whole file. */
export const TUS_THRESHOLD = 64 * MiB;

export const chooseProtocol = (size: number, wanted: 'auto' | 'tus' | 'multipart') =>
  wanted === 'auto' ? (size > TUS_THRESHOLD ? 'tus' : 'multipart') : wanted;

export async function upload(client: ApiClient, req: UploadRequest): Promise<CreatedVideo> {
  return req.protocol === 'tus' ? uploadTus(client, req) : uploadMultipart(client, req);
}

/** One POST whose body streams from the file; progress counts the bytes handed to fetch. */
async function uploadMultipart(client: ApiClient, req: UploadRequest): Promise<CreatedVideo> {
  const size = statSync(req.file).size;
  const frame = multipartFrame(req.fields, { filename: basename(req.file) });
  let sent = 0;
  const file = createReadStream(req.file, { highWaterMark: MiB });
  async function* body() {
    yield frame.head;
    for await (const chunk of file) {
      sent += (chunk as Buffer).length;
      req.onProgress(sent, size);
      yield chunk as Buffer;
    }
    yield frame.tail;
  }
  const { body: created } = await client.send<CreatedVideo>('POST', '/v1/videos', {
    body: Readable.toWeb(Readable.from(body())) as ReadableStream,
    duplex: 'half',
    headers: {
      'content-type': frame.contentType,
      'content-length': String(frame.head.length + size + frame.tail.length),
      ...(req.idempotencyKey ? { 'idempotency-key': req.idempotencyKey } : {}),
    },
  } as RequestInit);
  return created;
}

/**
 * tus: resumable. The upload URL is remembered in ~/.config/kubevod so running the same command
 * again after a crash or Ctrl-C resumes where the server left off.
 */
async function uploadTus(client: ApiClient, req: UploadRequest): Promise<CreatedVideo> {
  const storagePath = join(
    process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'),
    'kubevod',
    'tus-uploads.json',
  );
  mkdirSync(dirname(storagePath), { recursive: true });
  const FileUrlStorage = (
    tus as unknown as { FileUrlStorage: new (path: string) => tus.UrlStorage }
  ).FileUrlStorage;
  const metadata: Record<string, string> = { filename: basename(req.file) };
  const labels: string[] = [];
  for (const [k, v] of req.fields) {
    if (k === 'label') labels.push(v);
    else metadata[k] = v;
  }
  if (labels.length) {
    metadata.labels = JSON.stringify(
      Object.fromEntries(
        labels.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      ),
    );
  }
  return new Promise<CreatedVideo>((resolve, reject) => {
    const up = new tus.Upload(createReadStream(req.file) as never, {
      endpoint: `${client.base}/v1/uploads`,
      headers: client.authHeaders(),
      metadata,
      chunkSize: 32 * MiB,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      urlStorage: new FileUrlStorage(storagePath),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onShouldRetry: (err) => {
        const status = err.originalResponse?.getStatus() ?? 0;
        return status === 0 || status >= 500 || status === 409 || status === 423;
      },
      onProgress: (sent, total) => req.onProgress(sent, total),
      onError: (err) => reject(tusError(err)),
      onSuccess: ({ lastResponse }) => {
        try {
          resolve(JSON.parse(lastResponse.getBody()) as CreatedVideo);
        } catch {
          reject(
            new Error(
              `the API answered the last chunk without the video: ${lastResponse.getBody()}`,
            ),
          );
        }
      },
    });
    up.findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) up.resumeFromPreviousUpload(previous[0]);
        up.start();
      })
      .catch(reject);
  });
}

function tusError(err: Error | tus.DetailedError): Error {
  const res = (err as tus.DetailedError).originalResponse;
  if (!res) return err;
  let body: Partial<ApiErrorBody> = {};
  try {
    body = JSON.parse(res.getBody());
  } catch {
    body = { message: res.getBody() };
  }
  return new ApiRequestError({
    statusCode: res.getStatus(),
    error: body.error ?? 'Error',
    reason: body.reason ?? 'UploadFailed',
    message: body.message ?? err.message,
    fields: body.fields,
  });
}
