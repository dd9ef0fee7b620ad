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
import * as fs from 'node:fs';
import { apiserverAnswers, CLUSTER_SH, ensureS3, infraState, log, run, runOrThrow } from './infra';
import globalTeardown from './global-teardown';

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
