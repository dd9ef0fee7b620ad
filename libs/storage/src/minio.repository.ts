import { Client } from 'minio';
import type { Readable } from 'node:stream';
import {
  ObjectNotFoundError,
  StorageUnavailableError,
  type ObjectInfo,
  type ObjectStore,
  type PutStreamOptions,
} from './object-store';
import type { StorageConfig } from './storage.config';

const PART_SIZE = 16 * 1024 * 1024;
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);

export function minioClientFrom(
  config: Pick<StorageConfig, 'S3_ENDPOINT' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_REGION'>,
): Client {
  const url = new URL(config.S3_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    pathStyle: true,
    // Fixed part size: without it an upload of unknown size buffers ~528 MiB parts in memory.
    partSize: PART_SIZE,
  });
}

/** The ObjectStore on the `minio` client: works with MinIO and any S3-compatible store. */
export class MinioObjectStore implements ObjectStore {
  constructor(readonly client: Client) {}

  static fromConfig(config: StorageConfig): MinioObjectStore {
    return new MinioObjectStore(minioClientFrom(config));
  }

  async ping(bucket: string): Promise<void> {
    const exists = await this.call(() => this.client.bucketExists(bucket));
    if (!exists) throw new StorageUnavailableError(`bucket ${bucket} does not exist`);
  }

  async ensureBucket(bucket: string): Promise<void> {
    if (await this.call(() => this.client.bucketExists(bucket))) return;
    await this.call(() => this.client.makeBucket(bucket)).catch((err: { code?: string }) => {
      if (err.code !== 'BucketAlreadyOwnedByYou') throw err;
    });
  }

  /**
   * Streams into a multipart upload. The minio client never settles when the source stream
   * errors, so the source's error is raced against the upload, and the incomplete upload is
   * aborted: a failed or aborted upload leaves nothing behind.
   */
  async putStream(
    bucket: string,
    key: string,
    body: Readable,
    options: PutStreamOptions = {},
  ): Promise<{ etag: string }> {
    let onError!: (err: Error) => void;
    const sourceFailed = new Promise<never>((_, reject) => {
      onError = (err) => reject(err);
      body.once('error', onError);
    });
    const meta: Record<string, string> = { ...(options.metadata ?? {}) };
    if (options.contentType) meta['Content-Type'] = options.contentType;
    const upload = this.client
      .putObject(bucket, key, body, options.size, { ...meta })
      .catch((err: unknown) => {
        throw toStorageError(err);
      });
    try {
      const result = await Promise.race([upload, sourceFailed]);
      return { etag: result.etag };
    } catch (err) {
      upload.catch(() => undefined);
      await this.client.removeIncompleteUpload(bucket, key).catch(() => undefined);
      throw err;
    } finally {
      body.off('error', onError);
    }
  }

  /**
   * Streams into a multipart upload with bounded memory: at most two parts in memory (one being
   * read, one being sent). The client's own unknown-size path reads up to 16 parts ahead of a slow
   * store and resumes any incomplete upload of the same key; this one always starts its own
   * upload and aborts exactly that upload (by id) when the source or the store fails.
   * A body shorter than one part goes in a single PUT.
   */
  async putStreamBounded(
    bucket: string,
    key: string,
    body: Readable,
    options: Omit<PutStreamOptions, 'size'> & { partSize?: number } = {},
  ): Promise<{ etag: string; size: number }> {
    const partSize = options.partSize ?? PART_SIZE;
    const headers: Record<string, string> = {};
    if (options.contentType) headers['Content-Type'] = options.contentType;
    for (const [k, v] of Object.entries(options.metadata ?? {})) headers[`X-Amz-Meta-${k}`] = v;
    const etags: { part: number; etag: string }[] = [];
    let uploadId: string | undefined;
    let inFlight: Promise<void> = Promise.resolve();
    let parts = 0;
    let size = 0;
    const send = async (payload: Buffer) => {
      await inFlight;
      uploadId ??= await this.client.initiateNewMultipartUpload(bucket, key, headers);
      const part = ++parts;
      const id = uploadId;
      inFlight = this.client
        .uploadPart(
          {
            bucketName: bucket,
            objectName: key,
            uploadID: id,
            partNumber: part,
            headers: { 'Content-Length': payload.length },
          },
          payload,
        )
        .then((r) => void etags.push({ part, etag: r.etag }));
      inFlight.catch(() => undefined); // observed by the next send or the final await
    };
    // Two part buffers used in turn: a buffer is refilled only after its upload finished (send
    // awaits the previous part), and reusing them keeps memory flat instead of leaving 16 MiB
    // buffers for the garbage collector.
    const buffers = [Buffer.allocUnsafe(partSize), Buffer.allocUnsafe(partSize)];
    let buffer = buffers[0];
    let filled = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const n = chunk.copy(buffer, filled, offset);
          filled += n;
          offset += n;
          size += n;
          if (filled === partSize) {
            await send(buffer);
            buffer = buffer === buffers[0] ? buffers[1] : buffers[0];
            filled = 0;
          }
        }
      }
      if (uploadId === undefined && parts === 0) {
        const result = await this.client.putObject(
          bucket,
          key,
          buffer.subarray(0, filled),
          filled,
          headers,
        );
        return { etag: result.etag, size };
      }
      if (filled > 0) await send(buffer.subarray(0, filled));
      await inFlight;
      etags.sort((a, b) => a.part - b.part);
      const done = await this.client.completeMultipartUpload(bucket, key, uploadId!, etags);
      return { etag: done.etag, size };
    } catch (err) {
      await inFlight.catch(() => undefined);
      if (uploadId)
        await this.client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
      throw toStorageError(err);
    }
  }

  async putFile(
    bucket: string,
    key: string,
    path: string,
    contentType?: string,
  ): Promise<{ etag: string }> {
    const result = await this.call(() =>
      this.client.fPutObject(bucket, key, path, contentType ? { 'Content-Type': contentType } : {}),
    );
    return { etag: result.etag };
  }

  async putJson(bucket: string, key: string, value: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify(value));
    await this.call(() =>
      this.client.putObject(bucket, key, body, body.length, { 'Content-Type': 'application/json' }),
    );
  }

  async getStream(
    bucket: string,
    key: string,
    range?: { start: number; end?: number },
  ): Promise<Readable> {
    return this.call(
      () =>
        range
          ? this.client.getPartialObject(
              bucket,
              key,
              range.start,
              range.end === undefined ? undefined : range.end - range.start + 1,
            )
          : this.client.getObject(bucket, key),
      { bucket, key },
    );
  }

  async getToFile(bucket: string, key: string, path: string): Promise<void> {
    await this.call(() => this.client.fGetObject(bucket, key, path), { bucket, key });
  }

  async getJson<T = unknown>(bucket: string, key: string): Promise<T | undefined> {
    try {
      const stream = await this.getStream(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await this.call(() => this.client.statObject(bucket, key), { bucket, key });
      return {
        size: s.size,
        etag: s.etag,
        lastModified: s.lastModified,
        contentType: s.metaData?.['content-type'],
      };
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }

  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    return this.call(async () => {
      const keys: string[] = [];
      for await (const item of this.client.listObjectsV2(bucket, prefix, true)) {
        if (item.name) keys.push(item.name);
      }
      return keys;
    });
  }

  async removePrefix(bucket: string, prefix: string): Promise<number> {
    if (!prefix) throw new Error('refusing to remove an empty prefix');
    const keys = await this.listKeys(bucket, prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      await this.call(() => this.client.removeObjects(bucket, keys.slice(i, i + 1000)));
    }
    return keys.length;
  }

  async remove(bucket: string, key: string): Promise<void> {
    await this.call(() => this.client.removeObject(bucket, key));
  }

  presignedGet(bucket: string, key: string, expirySeconds: number): Promise<string> {
    return this.call(() => this.client.presignedGetObject(bucket, key, expirySeconds));
  }

  private async call<T>(
    fn: () => Promise<T>,
    object?: { bucket: string; key: string },
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toStorageError(err, object);
    }
  }
}

function toStorageError(err: unknown, object?: { bucket: string; key: string }): Error {
  const e = err as { code?: string; message?: string };
  if (object && e.code && NOT_FOUND.has(e.code))
    return new ObjectNotFoundError(object.bucket, object.key);
  if (
    e.code &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|UND_ERR_\w+)$/.test(e.code)
  ) {
    return new StorageUnavailableError(`storage unavailable: ${e.code}`, { cause: err });
  }
  if (
    e.code === 'InternalError' ||
    e.code === 'ServiceUnavailable' ||
    e.code === 'SlowDown' ||
    e.code === 'XMinioServerNotInitialized'
  ) {
    return new StorageUnavailableError(`storage unavailable: ${e.code}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
