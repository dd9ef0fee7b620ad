/**
 * Jest global teardown of the `integration` project (see global-setup.ts).
 *   - stops (and removes) the MinIO container the setup started;
 *   - stops the local control plane only if the setup started it and KUBEVOD_KEEP_CLUSTER is
 *     not set. A control plane that was already running (a developer's, or the one CI brought
 *     up before jest) is left alone. Developers: export KUBEVOD_KEEP_CLUSTER=1 to keep the one
 *     the tests started (the next run then starts in ~1 s instead of ~10-25 s).
 */
import { CLUSTER_SH, infraState, log, runOrThrow } from './infra';

export default async function globalTeardown(): Promise<void> {
  const state = infraState();
  const errors: string[] = [];
  if (state.minio) {
    const id = state.minio.getId().slice(0, 12);
    try {
      await state.minio.stop(); // testcontainers removes the container (and anonymous volumes) on stop
      log(`MinIO container ${id} stopped and removed`);
    } catch (e) {
      errors.push(`stopping MinIO container ${id}: ${String(e)}`);
    }
    state.minio = undefined;
  }
  if (state.startedControlPlane) {
    if (process.env.KUBEVOD_KEEP_CLUSTER) {
      log('KUBEVOD_KEEP_CLUSTER is set: leaving the control plane running (bash test/cluster/cluster.sh down)');
    } else {
      try {
        await runOrThrow('stopping the control plane', 'bash', [CLUSTER_SH, 'down', 'controlplane']);
      } catch (e) {
        errors.push(String(e));
      }
    }
    state.startedControlPlane = false;
  }
  if (errors.length) throw new Error(`kubevod test teardown:\n${errors.join('\n')}`);
}
