/**
 * A fresh namespace per integration suite:
 *
 *   let ns: Awaited<ReturnType<typeof freshNamespace>>;
 *   beforeAll(async () => { ns = await freshNamespace('jobs'); });
 *   afterAll(() => ns.cleanup());
 *
 * Uses KubeConfig.loadFromDefault(), i.e. the KUBECONFIG the global setup exported.
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';

export const TEST_NAMESPACE_LABEL = 'kubevod.io/test-suite';

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters), also a valid label value. */
function cleanPrefix(prefix: string): string {
  return (
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .slice(0, 48)
      .replace(/^-+|-+$/g, '') || 'test'
  );
}

export async function freshNamespace(
  prefix: string,
): Promise<{ name: string; cleanup(): Promise<void> }> {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const suite = cleanPrefix(prefix);
  const name = `${suite}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({
    body: { metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: suite } } },
  });
  let cleaned = false;
  return {
    name,
    async cleanup(): Promise<void> {
      if (cleaned) return;
      cleaned = true;
      try {
        // Background deletion: the namespace controller removes the contents; no need to wait.
        await core.deleteNamespace({ name, propagationPolicy: 'Background' });
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    },
  };
}
