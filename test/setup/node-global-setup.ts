/**
 * Jest global setup of the `node` project: a real single-node cluster (containerd, kubelet,
 * kube-proxy, CoreDNS, a local registry), kwok's fake nodes beside it, and MinIO.
 *
 * Kubernetes:
 *   - KUBECONFIG set to another cluster than the local one -> reused as is, if it answers and
 *     KUBEVOD_REGISTRY names a registry its nodes pull from (the image is pushed there with
 *     docker); kwok's fake nodes must exist there too or the kwok suite fails naming them.
 *   - otherwise `cluster.sh up node` and `cluster.sh up kwok` (each a ~2 s no-op when already up);
 *     teardown stops only what this setup started.
 * Exported to the workers: KUBECONFIG, KUBEVOD_KUBECTL, KUBEVOD_REGISTRY, KUBEVOD_DEBIAN_IMAGE
 * (kubevod/debian:bookworm pushed to the registry), S3_* (see infra.ts ensureS3; the endpoint is
 * on the host's loopback: reachable from the tests, not from pods).
 * Missing infrastructure throws; nothing is ever skipped.
 */
import {
  apiserverAnswers,
  CLUSTER_SH,
  clusterEnv,
  ensureS3,
  IMAGES_SH,
  infraState,
  log,
  run,
  runOrThrow,
} from './infra';
import nodeGlobalTeardown from './node-global-teardown';

async function tierUp(tier: 'controlplane' | 'node' | 'kwok'): Promise<boolean> {
  return (await run('bash', [CLUSTER_SH, 'status', tier], { quiet: true })).code === 0;
}

async function bringUp(tier: 'node' | 'kwok'): Promise<void> {
  log(`starting: bash test/cluster/cluster.sh up ${tier}`);
  const t0 = Date.now();
  await runOrThrow(`starting the ${tier} tier`, 'bash', [CLUSTER_SH, 'up', tier]);
  log(`${tier} tier up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The local cluster: node tier + kwok, started when not running. */
async function ensureLocalCluster(): Promise<void> {
  const state = infraState();
  if (!(await tierUp('node'))) {
    state.startedControlPlane = !(await tierUp('controlplane'));
    state.startedNode = true;
    await bringUp('node');
  } else {
    log('local node tier already running');
  }
  if (!(await tierUp('kwok'))) {
    state.startedKwok = true;
    await bringUp('kwok');
  } else {
    log('kwok already running');
  }
  const env = await clusterEnv('node');
  Object.assign(process.env, env);
  if (!env.KUBEVOD_REGISTRY) throw new Error('cluster.sh env node printed no KUBEVOD_REGISTRY');
}

async function ensureKubernetes(): Promise<void> {
  const local = (await clusterEnv('node')).KUBECONFIG;
  const given = process.env.KUBECONFIG;
  if (given && given !== local) {
    const server = await apiserverAnswers(given);
    if (!server) throw new Error(`KUBECONFIG=${given} is set but its apiserver does not answer`);
    if (!process.env.KUBEVOD_REGISTRY) {
      throw new Error(
        `KUBECONFIG=${given} is not the local cluster: set KUBEVOD_REGISTRY to a registry its nodes ` +
          `pull from, or unset KUBECONFIG to use the local node tier (bash test/cluster/cluster.sh up node).`,
      );
    }
    log(`reusing KUBECONFIG=${given}: ${server}; registry ${process.env.KUBEVOD_REGISTRY}`);
  } else {
    await ensureLocalCluster();
  }
  const server = await apiserverAnswers(process.env.KUBECONFIG!);
  if (!server) throw new Error(`the cluster does not answer through ${process.env.KUBECONFIG}`);
  log(`KUBECONFIG=${process.env.KUBECONFIG}: ${server}`);
}

/** kubevod/debian:bookworm (built when missing) pushed to the registry the nodes pull from. */
async function pushDebianImage(): Promise<void> {
  const registry = process.env.KUBEVOD_REGISTRY!;
  const t0 = Date.now();
  const out = await runOrThrow('pushing kubevod/debian:bookworm to the local registry', 'bash', [
    IMAGES_SH,
    'push',
    'debian',
  ]);
  const image = out.trim().split('\n').pop() ?? '';
  if (!image.startsWith(`${registry}/`)) {
    throw new Error(`images.sh push debian gave ${image}, not an image in ${registry}`);
  }
  process.env.KUBEVOD_DEBIAN_IMAGE = image;
  log(`${image} pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export default async function nodeGlobalSetup(): Promise<void> {
  const t0 = Date.now();
  try {
    await ensureKubernetes();
    await pushDebianImage();
    await ensureS3();
  } catch (err) {
    // jest does not run the global teardown when the setup throws: undo what we started.
    await nodeGlobalTeardown().catch((e: unknown) => log(`cleanup after failed setup: ${String(e)}`));
    throw err;
  }
  log(`node-tier infrastructure ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
