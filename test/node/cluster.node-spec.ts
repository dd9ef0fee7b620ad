/**
 * The full node proves itself: a Job running our locally built image (pushed to the local
 * registry, pulled by containerd) completes under a PSS-restricted securityContext and its logs
 * are readable through the API; a Service resolves by DNS (CoreDNS) from a pod.
 */
import * as k8s from '@kubernetes/client-node';
import { freshNamespace } from '../setup/namespace';
import { waitForJobComplete } from './kube-wait';

const JOB_TIMEOUT_MS = 150_000;
const CLUSTER_DOMAIN = 'cluster.local';

jest.setTimeout(240_000);

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run through the jest project "node" (its global setup sets it)`,
    );
  return v;
}
const image = requiredEnv('KUBEVOD_DEBIAN_IMAGE');
const registry = requiredEnv('KUBEVOD_REGISTRY');

/** A Job whose pod passes the "restricted" Pod Security Standard. */
function restrictedJob(name: string, script: string): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'main',
              image,
              // Always: the kubelet asks the registry even if containerd has the image.
              imagePullPolicy: 'Always',
              command: ['/bin/bash', '-c', script],
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

async function onlyPod(namespace: string, job: string): Promise<k8s.V1Pod> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
  expect(pods.items).toHaveLength(1);
  return pods.items[0];
}

async function logLines(namespace: string, pod: k8s.V1Pod): Promise<string[]> {
  const text = await core.readNamespacedPodLog({
    name: pod.metadata!.name!,
    namespace,
    container: 'main',
  });
  return text.trimEnd().split('\n');
}

let ns: Awaited<ReturnType<typeof freshNamespace>>;

beforeAll(async () => {
  ns = await freshNamespace('node-cluster');
  // The apiserver's PodSecurity admission then rejects any pod of this suite that is not "restricted".
  await core.patchNamespace(
    {
      name: ns.name,
      body: {
        metadata: {
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'latest',
          },
        },
      },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
});

afterAll(() => ns?.cleanup());

describe('full node (containerd + kubelet + kube-proxy + CoreDNS + local registry)', () => {
  it('refuses a pod that is not PSS-restricted in the suite namespace (the guard below is real)', async () => {
    const job = restrictedJob('not-restricted', 'true');
    job.spec!.template.spec!.containers[0].securityContext!.capabilities = { drop: [] };
    const err = await core
      .createNamespacedPod({
        namespace: ns.name,
        body: { metadata: { name: 'not-restricted' }, spec: job.spec!.template.spec! },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number; body?: string },
      );
    expect(err?.code).toBe(403);
    const status = JSON.parse(String(err?.body)) as { reason: string; message: string };
    expect(status.reason).toBe('Forbidden');
    expect(status.message).toContain(
      'violates PodSecurity "restricted:latest": unrestricted capabilities',
    );
  });

  it('runs a Job from the local registry to Complete, non-root, read-only, no capabilities; logs readable', async () => {
    const script = [
      'echo "hello from uid $(id -u) gid $(id -g)"',
      'if touch /probe 2>/dev/null; then echo "root filesystem: writable"; else echo "root filesystem: read-only"; fi',
      "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t ' ' '",
    ].join('\n');
    await batch.createNamespacedJob({ namespace: ns.name, body: restrictedJob('hello', script) });

    const job = await waitForJobComplete(kc, ns.name, 'hello', JOB_TIMEOUT_MS);
    expect(job.status?.succeeded).toBe(1);

    const pod = await onlyPod(ns.name, 'hello');
    expect(await logLines(ns.name, pod)).toEqual([
      'hello from uid 10001 gid 10001',
      'root filesystem: read-only',
      'CapEff: 0000000000000000',
      'NoNewPrivs: 1',
      'Seccomp: 2',
    ]);

    // Pulled from the registry: containerd reports the registry's manifest digest as the image ID.
    const regUrl = `http://${registry.replace(/^localhost:/, '127.0.0.1:')}`;
    const [repo, tag] = image.slice(registry.length + 1).split(':');
    const res = await fetch(`${regUrl}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        accept: [
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.oci.image.index.v1+json',
        ].join(', '),
      },
    });
    expect(res.status).toBe(200);
    const digest = res.headers.get('docker-content-digest');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pod.status?.containerStatuses?.[0].imageID).toBe(`${registry}/${repo}@${digest}`);
  });

  it('resolves a Service by DNS from a pod (CoreDNS, FQDN and search path)', async () => {
    const svc = await core.createNamespacedService({
      namespace: ns.name,
      body: {
        metadata: { name: 'echo' },
        spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const serviceIp = svc.spec?.clusterIP;
    expect(serviceIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const apiIp = (await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' }))
      .spec?.clusterIP;

    const names = [`echo.${ns.name}.svc.${CLUSTER_DOMAIN}`, 'echo', 'kubernetes.default'];
    // Prints "NAME => IP" per name (NXDOMAIN when glibc's resolver finds nothing); never fails itself.
    const script = `for n in ${names.join(' ')}; do ip=; read -r ip _ < <(getent hosts "$n"); echo "$n => \${ip:-NXDOMAIN}"; done`;
    await batch.createNamespacedJob({ namespace: ns.name, body: restrictedJob('resolve', script) });

    await waitForJobComplete(kc, ns.name, 'resolve', JOB_TIMEOUT_MS);
    const pod = await onlyPod(ns.name, 'resolve');
    expect(await logLines(ns.name, pod)).toEqual([
      `${names[0]} => ${serviceIp}`,
      `echo => ${serviceIp}`,
      `kubernetes.default => ${apiIp}`,
    ]);
  });
});
