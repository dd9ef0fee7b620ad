import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minioBinary } from '../../../test/support/minio-binary';
import { freePort, waitFor } from './free-port';

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
