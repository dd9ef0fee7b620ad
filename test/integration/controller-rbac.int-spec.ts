/**
 * The controller with NOTHING but apps/controller/rbac.yaml: a ServiceAccount bound to exactly
 * those rules drives a Transcode from creation to deletion (least privilege is also enough).
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectKeys } from '@kubevod/contracts';
import { KubeClient, kubeconfigYaml, loadKubeConfig } from '@kubevod/kube';
import { parseAllDocuments } from 'yaml';
import { jobName } from '../../apps/controller/src/reconcile/job-spec';
import {
  ensureCrd,
  readyRecord,
  REPO_ROOT,
  startController,
  storeFromEnv,
  testConfig,
  TestCluster,
  uniqueBucket,
  waitFor,
  type RunningController,
} from '../../apps/controller/test/fixtures';
import { freshNamespace } from '../setup/namespace';

jest.setTimeout(120_000);

interface RbacDoc {
  kind: string;
  metadata: { name: string };
  rules: unknown[];
}

describe('controller RBAC (apps/controller/rbac.yaml)', () => {
  let ns: Awaited<ReturnType<typeof freshNamespace>>;
  let cluster: TestCluster;
  let controller: RunningController | undefined;
  const store = storeFromEnv();
  const bucket = uniqueBucket('kv-rbac');
  let clusterRoleName = '';
  let saKubeconfig = '';

  beforeAll(async () => {
    ensureCrd();
    ns = await freshNamespace('controller-rbac');
    cluster = await TestCluster.connect();
    await store.ensureBucket(bucket);
    const docs = parseAllDocuments(
      readFileSync(join(REPO_ROOT, 'apps/controller/rbac.yaml'), 'utf8'),
    ).map((d) => d.toJSON() as RbacDoc);
    const clusterRole = docs.find((d) => d.kind === 'ClusterRole')!;
    const role = docs.find((d) => d.kind === 'Role')!;
    clusterRoleName = `${clusterRole.metadata.name}-${ns.name}`;
    const k = cluster.kube;
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await k.request('POST', `/api/v1/namespaces/${ns.name}/serviceaccounts`, {
      body: { metadata: { name: 'controller' } },
    });
    const subject = [{ kind: 'ServiceAccount', name: 'controller', namespace: ns.name }];
    await k.request('POST', `${rbac}/clusterroles`, {
      body: { ...clusterRole, metadata: { name: clusterRoleName } },
    });
    await k.request('POST', `${rbac}/clusterrolebindings`, {
      body: {
        metadata: { name: clusterRoleName },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: clusterRoleName,
        },
        subjects: subject,
      },
    });
    await k.request('POST', `${rbac}/namespaces/${ns.name}/roles`, { body: role });
    await k.request('POST', `${rbac}/namespaces/${ns.name}/rolebindings`, {
      body: {
        metadata: { name: role.metadata.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
        subjects: subject,
      },
    });
    const token = await k.request<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${ns.name}/serviceaccounts/controller/token`,
      { body: { spec: { expirationSeconds: 3600 } } },
    );
    // A kubeconfig with the admin's server and CA, but the ServiceAccount's token.
    const yamlText = kubeconfigYaml(loadKubeConfig(), token.status.token);
    const file = join(mkdtempSync(join(tmpdir(), 'kubevod-rbac-')), 'kubeconfig');
    writeFileSync(file, yamlText, { mode: 0o600 });
    saKubeconfig = file;
    const adminKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      controller = await startController(testConfig(ns.name, bucket));
    } finally {
      process.env.KUBECONFIG = adminKubeconfig;
    }
    await waitFor(
      'the controller to lead and sync',
      async () => (await fetch(`${controller!.url}/readyz`)).ok,
    );
  });

  afterAll(async () => {
    await controller?.close();
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await cluster?.kube
      .request('DELETE', `${rbac}/clusterrolebindings/${clusterRoleName}`)
      .catch(() => undefined);
    await cluster?.kube
      .request('DELETE', `${rbac}/clusterroles/${clusterRoleName}`)
      .catch(() => undefined);
    if (ns) await cluster?.releaseTranscodes(ns.name);
    cluster?.close();
    await ns?.cleanup();
  });

  it('is enforced: the ServiceAccount may not read Secrets or create pods', async () => {
    const sa = await KubeClient.create(loadKubeConfig({ KUBECONFIG: saKubeconfig }));
    try {
      await expect(sa.get(`/api/v1/namespaces/${ns.name}/secrets`)).rejects.toMatchObject({
        statusCode: 403,
      });
      await expect(
        sa.request('POST', `/api/v1/namespaces/${ns.name}/pods`, {
          body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } },
        }),
      ).rejects.toMatchObject({ statusCode: 403 });
      await expect(sa.get(`/api/v1/namespaces/${ns.name}/pods`)).resolves.toBeDefined();
    } finally {
      sa.close();
    }
  });

  it('creates the Job, reports the result, records events and cleans up on delete', async () => {
    const tc = await cluster.createTranscode(ns.name, 'rbac', {
      source: { bucket, key: 'sources/r/source' },
    });
    const job = jobName({ name: 'rbac', uid: tc.metadata.uid! }, 0);
    await waitFor('the Job', async () =>
      (await cluster.jobs(ns.name)).some((j) => j.metadata?.name === job) ? true : undefined,
    );
    await cluster.finishPod(ns.name, job, 12, '{"reason":"SourceNotFound","message":"gone"}');
    const failed = await waitFor('Failed/SourceNotFound', async () => {
      const s = (await cluster.getTranscode(ns.name, 'rbac'))?.status;
      return s?.phase === 'Failed' ? s : undefined;
    });
    expect(failed.conditions?.find((c) => c.type === 'Failed')?.message).toBe(
      'gone (exit code 12)',
    );
    await waitFor(
      'events recorded by the ServiceAccount',
      async () =>
        (await cluster.events(ns.name, 'rbac')).some((e) => e.reason === 'SourceNotFound') ||
        undefined,
    );
    await store.putJson(bucket, objectKeys.ready('rbac'), readyRecord('rbac', bucket));
    await cluster.deleteTranscode(ns.name, 'rbac');
    await waitFor('the finalizer to let go', async () =>
      (await cluster.getTranscode(ns.name, 'rbac')) ? undefined : true,
    );
    expect(await store.listKeys(bucket, objectKeys.outputPrefix('rbac'))).toEqual([]);
    const metrics = await (await fetch(`${controller!.url}/metrics`)).text();
    expect(metrics).toMatch(/kubevod_controller_reconcile_errors_total\{app="controller"\} 0/);
  });
});
