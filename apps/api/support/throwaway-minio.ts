import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port';

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

export interface ThrowawayMinio {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** stops the server (SIGKILL: like a crash) and keeps its data dir until `cleanup` */
  kill(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A MinIO of our own on a free loopback port, for tests that stop storage: the shared MinIO of
 * the integration setup is never stopped.
 */
export async function startThrowawayMinio(): Promise<ThrowawayMinio> {
  const dir = mkdtempSync(join(tmpdir(), 'kubevod-minio-'));
  const port = await freePort();
  const accessKey = `tk${randomBytes(6).toString('hex')}`;
  const secretKey = randomBytes(18).toString('base64url');
  const child: ChildProcess = spawn(
    minioBinary(),
    [
      'server',
      join(dir, 'data'),
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${await freePort()}`,
      '--quiet',
    ],
    {
      env: {
        ...process.env,
        MINIO_ROOT_USER: accessKey,
        MINIO_ROOT_PASSWORD: secretKey,
        MINIO_BROWSER: 'off',
      },
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(
    `MinIO at ${endpoint}`,
    async () => (await fetch(`${endpoint}/minio/health/live`)).ok,
    60_000,
  );
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    endpoint,
    accessKey,
    secretKey,
    kill,
    async cleanup() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
