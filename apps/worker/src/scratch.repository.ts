import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The pod's scratch space (an emptyDir): the only place the worker writes files. */
export class ScratchRepository {
  /** A fresh, empty working directory (a retried container may find the last one's leftovers). */
  async prepare(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  readText(dir: string, path: string): Promise<string> {
    return readFile(join(dir, path), 'utf8');
  }

  async size(dir: string, path: string): Promise<number> {
    return (await stat(join(dir, path))).size;
  }

  /** sha256 (hex) and size of a file, streamed. */
  async digest(dir: string, path: string): Promise<{ sha256: string; bytes: number }> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(join(dir, path))) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), bytes };
  }
}

export function digestOf(content: string): { sha256: string; bytes: number } {
  const buf = Buffer.from(content, 'utf8');
  return { sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}
