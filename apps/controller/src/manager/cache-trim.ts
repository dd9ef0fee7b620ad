import type { KubeObject } from '@kubevod/kube';
import { ATTEMPT_LABEL, TRANSCODE_LABEL } from '../reconcile/labels';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * Informer transforms (client-go's SetTransform): the caches hold every object, so what they
 * keep is most of the controller's memory.
 */

/** managedFields are server-side apply bookkeeping and last-applied a copy of the spec: never read. */
export function trimMeta<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata as (Record<string, unknown> & KubeObject['metadata']) | undefined;
  if (!meta) return obj;
  delete meta.managedFields;
  if (meta.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
    meta.annotations = rest;
  }
  return obj;
}

/**
 * Of our Jobs the controller reads identity, ownership, our labels, `spec.suspend` and the
 * status: the rest (the pod template above all) is ours and known.
 */
export function trimJob<T extends KubeObject>(obj: T): T {
  const m = obj.metadata ?? {};
  const labels: Record<string, string> = {};
  for (const k of [MANAGED_BY_LABEL, TRANSCODE_LABEL, ATTEMPT_LABEL]) {
    const v = m.labels?.[k];
    if (v !== undefined) labels[k] = v;
  }
  const spec = (obj as { spec?: { suspend?: boolean } }).spec;
  const status = (obj as { status?: unknown }).status;
  const keep = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
    labels,
    ownerReferences: m.ownerReferences,
  };
  const metadata = Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined));
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata,
    ...(spec?.suspend !== undefined ? { spec: { suspend: spec.suspend } } : {}),
    ...(status !== undefined ? { status } : {}),
  } as unknown as T;
}
