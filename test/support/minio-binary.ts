import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The pinned MinIO that `test/cluster/cluster.sh build controlplane` installs (or KUBEVOD_MINIO_BIN). */
export function minioBinary(): string {
  if (process.env.KUBEVOD_MINIO_BIN) return process.env.KUBEVOD_MINIO_BIN;
  const tools = join(process.env.KUBEVOD_CACHE ?? join(homedir(), '.cache', 'kubevod'), 'tools');
  const candidates = [
    ...(existsSync(tools) ? readdirSync(tools) : [])
      .filter((d) => d.startsWith('minio-'))
      .map((d) => join(tools, d, 'minio')),
    join(tools, 'bin', 'minio'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      `no MinIO binary in ${tools}: run bash test/cluster/cluster.sh build controlplane (or set KUBEVOD_MINIO_BIN)`,
    );
  }
  return found;
}
