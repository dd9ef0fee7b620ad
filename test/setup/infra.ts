/**
 * Shared helpers of the jest global setup/teardown (test/setup/global-*.ts): running the
 * project's own scripts in test/cluster/ and the state handed from setup to teardown.
 * Commands are spawned with argument arrays (no shell strings).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLUSTER_SH = path.join(REPO_ROOT, 'test', 'cluster', 'cluster.sh');
export const IMAGES_SH = path.join(REPO_ROOT, 'test', 'cluster', 'images.sh');
/** Debian's docker client (the other client on these machines lacks buildx). */
export const DOCKER = process.env.KUBEVOD_DOCKER ?? '/usr/bin/docker';

/** What global-setup started, for global-teardown (both run in jest's main process). */
export interface InfraState {
  /** true when setup ran `cluster.sh up controlplane` because no control plane was running */
  startedControlPlane: boolean;
  /** the MinIO container started by setup, if any */
  minio?: { stop(): Promise<unknown>; getId(): string };
}

const STATE_KEY = Symbol.for('kubevod.test.infra');
type WithState = typeof globalThis & { [STATE_KEY]?: InfraState };

export function infraState(): InfraState {
  const g = globalThis as WithState;
  g[STATE_KEY] ??= { startedControlPlane: false };
  return g[STATE_KEY];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs CMD with ARGS. stderr is passed through (prefixed) so the step timings of the scripts
 * show up in the jest output, and kept for error messages. Never rejects: callers check `code`.
 */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { quiet?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        stderr += `\n[kubevod] ${cmd} ${args.join(' ')}: timed out after ${opts.timeoutMs} ms, SIGTERM\n`;
        child.kill('SIGTERM');
      }, opts.timeoutMs);
    }
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!opts.quiet) process.stderr.write(d);
    });
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}\n${cmd}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Runs and throws a clear error (command, exit code, the last lines of its stderr) on failure. */
export async function runOrThrow(
  what: string,
  cmd: string,
  args: readonly string[],
  opts: { quiet?: boolean; timeoutMs?: number } = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `kubevod test infrastructure: ${what} failed (exit ${r.code}): ${cmd} ${args.join(' ')}\n${tail}`,
    );
  }
  return r.stdout;
}

export function log(msg: string): void {
  process.stderr.write(`[kubevod:test-setup] ${msg}\n`);
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
