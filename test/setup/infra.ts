/**
 * Shared helpers of the jest global setups/teardowns (test/setup/global-*.ts for `integration`,
 * test/setup/node-global-*.ts for `node`): running the project's own scripts in test/cluster/,
 * probing the apiserver, MinIO through testcontainers (ensureS3), and the state handed from setup
 * to teardown. Commands are spawned with argument arrays (no shell strings).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLUSTER_SH = path.join(REPO_ROOT, 'test', 'cluster', 'cluster.sh');
export const IMAGES_SH = path.join(REPO_ROOT, 'test', 'cluster', 'images.sh');
/** Debian's docker client (the other client on these machines lacks buildx). */
export const DOCKER = process.env.KUBEVOD_DOCKER ?? '/usr/bin/docker';

/** What global-setup started, for global-teardown (both run in jest's main process). */
export interface InfraState {
  /** true when setup ran `cluster.sh up controlplane` because no control plane was running */
  startedControlPlane: boolean;
  /** node setup: true when it brought the node part up (`cluster.sh up node`) */
  startedNode?: boolean;
  /** node setup: true when it started kwok (`cluster.sh up kwok`) */
  startedKwok?: boolean;
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

/** `cluster.sh env TIER` as a record: KUBECONFIG, KUBEVOD_KUBECTL (+ KUBEVOD_REGISTRY for node). */
export async function clusterEnv(tier: 'controlplane' | 'node' | 'kwok'): Promise<Record<string, string>> {
  const out = await runOrThrow(`cluster.sh env ${tier}`, 'bash', [CLUSTER_SH, 'env', tier], { quiet: true });
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[m[1]] = m[2].trim();
  if (!env.KUBECONFIG) throw new Error(`cluster.sh env ${tier} printed no KUBECONFIG line:\n${out}`);
  return env;
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

const S3_REGION_DEFAULT = 'us-east-1';

/** `server (version)` when the apiserver of KUBECONFIG_PATH answers within 5 s, else undefined. */
export async function apiserverAnswers(kubeconfigPath: string): Promise<string | undefined> {
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const version = await withTimeout(
      kc.makeApiClient(k8s.VersionApi).getCode(),
      5_000,
      `apiserver of ${kubeconfigPath}`,
    );
    return `${kc.getCurrentCluster()?.server} (${version.gitVersion})`;
  } catch {
    return undefined;
  }
}

/** Any HTTP answer (an S3 server says 403 to an anonymous GET /) means the endpoint is there. */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** Removes MinIO containers left by earlier runs whose jest process is gone (Ryuk is off here). */
async function removeStaleContainers(): Promise<void> {
  const ls = await run(
    DOCKER,
    ['ps', '-a', '--filter', 'label=kubevod.test=minio', '--format', '{{.ID}} {{.Label "kubevod.owner-pid"}}'],
    { quiet: true },
  );
  if (ls.code !== 0) return;
  for (const line of ls.stdout.split('\n').filter(Boolean)) {
    const [id, pid] = line.split(' ');
    if (pid && fs.existsSync(`/proc/${pid}`)) continue;
    log(`removing stale MinIO container ${id} (owner pid ${pid || '?'} is gone)`);
    await run(DOCKER, ['rm', '-f', id], { quiet: true });
  }
}

/**
 * S3 for the tests: S3_ENDPOINT (with keys) reused when it answers; otherwise the pinned MinIO
 * image is built if missing and started through testcontainers, and S3_* point at it.
 */
export async function ensureS3(): Promise<void> {
  const endpoint = process.env.S3_ENDPOINT;
  if (endpoint) {
    if (!process.env.S3_ACCESS_KEY || !process.env.S3_SECRET_KEY) {
      throw new Error('S3_ENDPOINT is set but S3_ACCESS_KEY / S3_SECRET_KEY are not');
    }
    if (!(await httpAnswers(endpoint))) {
      throw new Error(`S3_ENDPOINT=${endpoint} does not answer; unset it to let the tests start MinIO`);
    }
    process.env.S3_REGION ??= S3_REGION_DEFAULT;
    log(`reusing S3_ENDPOINT=${endpoint}`);
    return;
  }

  // Build (or find) the image; images.sh starts dockerd when no engine answers.
  const image = (await runOrThrow('building the MinIO image', 'bash', [IMAGES_SH, 'minio']))
    .trim()
    .split('\n')
    .pop();
  if (!image) throw new Error('images.sh minio printed no image name');

  // testcontainers cannot pull Ryuk or alpine here: both off before it is loaded.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  const { GenericContainer, Wait } = await import('testcontainers');
  await removeStaleContainers();

  const accessKey = `kv${randomBytes(9).toString('hex')}`;
  const secretKey = randomBytes(24).toString('base64url');
  const t0 = Date.now();
  const container = await new GenericContainer(image)
    .withEnvironment({ MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey })
    .withExposedPorts(9000)
    .withLabels({ 'kubevod.test': 'minio', 'kubevod.owner-pid': String(process.pid) })
    .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
    .withStartupTimeout(60_000)
    .start();
  infraState().minio = container;
  const url = `http://127.0.0.1:${container.getMappedPort(9000)}`;
  process.env.S3_ENDPOINT = url;
  process.env.S3_ACCESS_KEY = accessKey;
  process.env.S3_SECRET_KEY = secretKey;
  process.env.S3_REGION = S3_REGION_DEFAULT;
  log(`MinIO ${image} at ${url} (container ${container.getId().slice(0, 12)}, ${Date.now() - t0} ms)`);
}
