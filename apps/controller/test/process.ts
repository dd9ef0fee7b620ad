/** A controller in its own process (ts-node, transpile only), to kill it like a crashed pod. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ControllerProcess {
  identity: string;
  url: string;
  child: ChildProcess;
  output(): string;
  ready(): Promise<boolean>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnController(
  identity: string,
  env: Record<string, string>,
): Promise<ControllerProcess> {
  const port = await freePort();
  // esbuild-based loaders (tsx) drop decorator metadata, which Nest's injection needs.
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register',
      '-r',
      'tsconfig-paths/register',
      join('apps', 'controller', 'src', 'main.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TS_NODE_TRANSPILE_ONLY: 'true',
        TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'),
        ...env,
        POD_NAME: identity,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  return {
    identity,
    url,
    child,
    output: () => out,
    async ready() {
      try {
        return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200;
      } catch {
        return false;
      }
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
