import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectNotFoundError, type ObjectInfo, type ObjectStore } from '@kubevod/storage';

/**
 * An in-memory ObjectStore for unit tests of playback's services and boot: it counts calls, so
 * a test can prove what reached storage. Tests against real storage use MinIO (*.int-spec.ts).
 */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  readonly calls: string[] = [];

  put(key: string, body: string | Buffer | object): void {
    const buf =
      typeof body === 'string' || Buffer.isBuffer(body)
        ? Buffer.from(body)
        : Buffer.from(JSON.stringify(body));
    this.objects.set(key, buf);
  }

  private get(bucket: string, key: string): Buffer {
    const body = this.objects.get(key);
    if (!body) throw new ObjectNotFoundError(bucket, key);
    return body;
  }

  async ping(): Promise<void> {
    this.calls.push('ping');
  }
  async ensureBucket(): Promise<void> {}
  async putStream(_b: string, key: string, body: Readable): Promise<{ etag: string }> {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    this.put(key, Buffer.concat(chunks));
    return { etag: 'x' };
  }
  async putFile(): Promise<{ etag: string }> {
    throw new Error('not used by playback');
  }
  async putJson(_b: string, key: string, value: unknown): Promise<void> {
    this.put(key, value as object);
  }
  async getStream(
    bucket: string,
    key: string,
    range?: { start: number; end?: number },
  ): Promise<Readable> {
    this.calls.push(`get ${key}${range ? ` ${range.start}-${range.end}` : ''}`);
    const body = this.get(bucket, key);
    return Readable.from([
      range ? body.subarray(range.start, (range.end ?? body.length - 1) + 1) : body,
    ]);
  }
  async getToFile(): Promise<void> {
    throw new Error('not used by playback');
  }
  async getJson<T>(bucket: string, key: string): Promise<T | undefined> {
    this.calls.push(`getJson ${key}`);
    const body = this.objects.get(key);
    return body && (JSON.parse(body.toString()) as T);
  }
  async stat(_b: string, key: string): Promise<ObjectInfo | undefined> {
    this.calls.push(`stat ${key}`);
    const body = this.objects.get(key);
    if (!body) return undefined;
    const etag = createHash('md5').update(body).digest('hex');
    return { size: body.length, etag, lastModified: new Date(0) };
  }
  async listKeys(_b: string, prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix));
  }
  async removePrefix(_b: string, prefix: string): Promise<number> {
    const keys = await this.listKeys(_b, prefix);
    keys.forEach((k) => this.objects.delete(k));
    return keys.length;
  }
  async remove(_b: string, key: string): Promise<void> {
    this.objects.delete(key);
  }
  async presignedGet(bucket: string, key: string, expiry: number): Promise<string> {
    return `http://store.test/${bucket}/${key}?X-Amz-Expires=${expiry}`;
  }
}
