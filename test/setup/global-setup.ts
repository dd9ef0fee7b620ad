/**
 * Jest global setup of the `integration` project: a real kube-apiserver and a real MinIO.
 *
 * Kubernetes:
 *   - KUBECONFIG set and its apiserver answers          -> reused as is.
 *   - KUBECONFIG set to something else that does not answer -> error (we never silently test
 *     against a different cluster than the one you pointed at).
 *   - otherwise `bash test/cluster/cluster.sh up controlplane` (a no-op when it already runs)
 *     and KUBECONFIG = the path `cluster.sh env controlplane` prints.
 * S3:
 *   - S3_ENDPOINT set (with S3_ACCESS_KEY / S3_SECRET_KEY)  -> reused (must answer HTTP).
 *   - otherwise the image kubevod/minio:<pinned> is built if missing (test/cluster/images.sh) and
 *     started through testcontainers with random credentials; S3_* point at it.
 * Everything set on process.env here is inherited by the jest workers.
 * Missing infrastructure throws; nothing is ever skipped.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import {
  CLUSTER_SH,
  DOCKER,
  IMAGES_SH,
  infraState,
  log,
  run,
  runOrThrow,
  withTimeout,
} from './infra';
import globalTeardown from './global-teardown';

const S3_REGION_DEFAULT = 'us-east-1';

async function apiserverAnswers(kubeconfigPath: string): Promise<string | undefined> {
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

async function localKubeconfigPath(): Promise<string> {
  const out = await runOrThrow('cluster.sh env', 'bash', [CLUSTER_SH, 'env', 'controlplane'], {
    quiet: true,
  });
  const m = /^export KUBECONFIG=(.+)$/m.exec(out);
  if (!m) throw new Error(`cluster.sh env controlplane printed no KUBECONFIG line:\n${out}`);
  return m[1].trim();
}

async function ensureKubernetes(): Promise<void> {
  const local = await localKubeconfigPath();
  const given = process.env.KUBECONFIG;
  if (given) {
    const server = await apiserverAnswers(given);
    if (server) {
      log(`reusing KUBECONFIG=${given}: ${server}`);
      return;
    }
    if (given !== local) {
      throw new Error(
        `KUBECONFIG=${given} is set but its apiserver does not answer. Start that cluster, or unset ` +
          `KUBECONFIG to let the tests start the local control plane (bash test/cluster/cluster.sh up controlplane).`,
      );
    }
  }
  const status = await run('bash', [CLUSTER_SH, 'status', 'controlplane'], { quiet: true });
  if (status.code === 0 && fs.existsSync(local)) {
    log(`local control plane already running; KUBECONFIG=${local}`);
  } else {
    log('starting the local control plane: bash test/cluster/cluster.sh up controlplane');
    const t0 = Date.now();
    infraState().startedControlPlane = true;
    await runOrThrow('starting the control plane', 'bash', [CLUSTER_SH, 'up', 'controlplane']);
    log(`control plane up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const server = await apiserverAnswers(local);
  if (!server) throw new Error(`the local control plane does not answer through ${local}`);
  process.env.KUBECONFIG = local;
  log(`KUBECONFIG=${local}: ${server}`);
}

/** Any HTTP answer (an S3 server says 403 to an anonymous GET /) means the endpoint is there. */
async function httpAnswers(url: string): Promise<boolean> {
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

async function ensureS3(): Promise<void> {
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

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  try {
    await ensureKubernetes();
    await ensureS3();
  } catch (err) {
    // jest does not run the global teardown when the setup throws: undo what we started.
    await globalTeardown().catch((e: unknown) => log(`cleanup after failed setup: ${String(e)}`));
    throw err;
  }
  log(`integration infrastructure ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
