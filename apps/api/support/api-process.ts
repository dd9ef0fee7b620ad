import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from './free-port';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface ApiProcess {
  url: string;
  pid: number;
  /** what the process printed (JSON log lines) */
  output(): string;
  /** SIGTERM, then waits for the exit; returns the exit code */
  stop(): Promise<number | null>;
}

/**
 * Runs the API as its own process (as in production): from the sources through ts-node's
 * transpiler (which, unlike esbuild, emits the decorator metadata Nest needs), or from the
 * `nest build api` output with `built: true`. Resolves once /healthz answers.
 */
export async function startApiProcess(
  env: Record<string, string>,
  options: { built?: boolean; timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const args = [...(options.nodeArgs ?? [])];
  args.push(
    ...(options.built
      ? [join(REPO_ROOT, 'dist/apps/api/apps/api/src/main.js')]
      : [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          'tsconfig-paths/register',
          'apps/api/src/main.ts',
        ]),
  );
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: 'true',
      TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'),
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `the api on ${url}`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`the api exited with ${child.exitCode}:\n${output}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      options.timeoutMs ?? 90_000,
      250,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output.slice(-3000)}`);
  }
  return {
    url,
    pid: child.pid ?? -1,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
