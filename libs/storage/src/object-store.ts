import type { Readable } from 'node:stream';

export interface ObjectInfo {
  size: number;
  etag: string;
  contentType?: string;
  lastModified: Date;
}

export interface PutStreamOptions {
  /** known size; without it the upload goes in 16 MiB parts, one buffered at a time */
  size?: number;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** The storage port: what kubevod needs of an S3-compatible store. */
export interface ObjectStore {
  ping(bucket: string): Promise<void>;
  ensureBucket(bucket: string): Promise<void>;
  putStream(
    bucket: string,
    key: string,
    body: Readable,
    options?: PutStreamOptions,
  ): Promise<{ etag: string }>;
  putFile(
    bucket: string,
    key: string,
    path: string,
    contentType?: string,
  ): Promise<{ etag: string }>;
  putJson(bucket: string, key: string, value: unknown): Promise<void>;
  getStream(
    bucket: string,
    key: string,
    range?: { start: number; end?: number },
  ): Promise<Readable>;
  getToFile(bucket: string, key: string, path: string): Promise<void>;
  /** undefined when the object does not exist */
  getJson<T = unknown>(bucket: string, key: string): Promise<T | undefined>;
  stat(bucket: string, key: string): Promise<ObjectInfo | undefined>;
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  /** removes every object under the prefix; returns how many */
  removePrefix(bucket: string, prefix: string): Promise<number>;
  remove(bucket: string, key: string): Promise<void>;
  presignedGet(bucket: string, key: string, expirySeconds: number): Promise<string>;
}

/** The store could not be reached or answered with a server error: worth a retry. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** The object does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object ${bucket}/${key} not found`);
    this.name = 'ObjectNotFoundError';
  }
}
