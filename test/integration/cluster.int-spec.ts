/**
 * Proof that the integration infrastructure (test/setup/global-setup.ts) is real: a live
 * kube-apiserver reached through @kubernetes/client-node, fresh namespaces, and a MinIO that
 * round-trips bytes through the `minio` client.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import * as Minio from 'minio';
import { freshNamespace, TEST_NAMESPACE_LABEL } from '../setup/namespace';

function kube(): k8s.CoreV1Api {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return kc.makeApiClient(k8s.CoreV1Api);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe('local cluster (integration infrastructure)', () => {
  it('exports KUBECONFIG and S3_* to the test workers', () => {
    expect(process.env.KUBECONFIG).toBeTruthy();
    expect(process.env.S3_ENDPOINT).toMatch(/^https?:\/\/[^/]+:\d+$/);
    expect(process.env.S3_ACCESS_KEY).toBeTruthy();
    expect(process.env.S3_SECRET_KEY).toBeTruthy();
    expect(process.env.S3_REGION).toBe('us-east-1');
  });

  it('reaches the apiserver and lists the built-in namespaces', async () => {
    const list = await kube().listNamespace();
    const names = list.items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public']));
  });

  it('creates a fresh, labelled namespace and deletes it again', async () => {
    const core = kube();
    const ns = await freshNamespace('Cluster Proof');
    expect(ns.name).toMatch(/^cluster-proof-[0-9a-f]{8}$/);
    const got = await core.readNamespace({ name: ns.name });
    expect(got.status?.phase).toBe('Active');
    expect(got.metadata?.labels?.[TEST_NAMESPACE_LABEL]).toBe('cluster-proof');

    // a namespaced object lives in it
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'probe' }, data: { hello: 'world' } },
    });
    const cm = await core.readNamespacedConfigMap({ namespace: ns.name, name: 'probe' });
    expect(cm.data).toEqual({ hello: 'world' });

    await ns.cleanup();
    await ns.cleanup(); // idempotent
    // deletion is asynchronous: the namespace is Terminating or already gone
    const after = await core.readNamespace({ name: ns.name }).then(
      (n) => n.status?.phase,
      (err: { code?: number }) => (err.code === 404 ? 'Gone' : Promise.reject(err)),
    );
    expect(['Terminating', 'Gone']).toContain(after);
  });

  it('round-trips an object through MinIO', async () => {
    const url = new URL(process.env.S3_ENDPOINT!);
    const client = new Minio.Client({
      endPoint: url.hostname,
      port: Number(url.port),
      useSSL: url.protocol === 'https:',
      accessKey: process.env.S3_ACCESS_KEY!,
      secretKey: process.env.S3_SECRET_KEY!,
      region: process.env.S3_REGION,
      pathStyle: true,
    });
    const bucket = `kv-proof-${randomBytes(4).toString('hex')}`;
    const key = 'dir/hello.bin';
    const body = randomBytes(256 * 1024 + 17);

    await client.makeBucket(bucket, process.env.S3_REGION);
    try {
      expect(await client.bucketExists(bucket)).toBe(true);
      await client.putObject(bucket, key, body, body.length, { 'Content-Type': 'application/octet-stream' });
      const stat = await client.statObject(bucket, key);
      expect(stat.size).toBe(body.length);
      const back = await readAll(await client.getObject(bucket, key));
      expect(back.length).toBe(body.length);
      expect(back.equals(body)).toBe(true);
      const range = await readAll(await client.getPartialObject(bucket, key, 1000, 24));
      expect(range.equals(body.subarray(1000, 1024))).toBe(true);
    } finally {
      await client.removeObject(bucket, key).catch(() => undefined);
      await client.removeBucket(bucket);
    }
    expect(await client.bucketExists(bucket)).toBe(false);
  });
});
