/**
 * Jest global teardown of the `node` project (see node-global-setup.ts). Stops only what the setup
 * started, and nothing when KUBEVOD_KEEP_CLUSTER is set:
 *   - kwok (and its fake nodes) when the setup started it;
 *   - the node part (`cluster.sh down node`) when the setup started it;
 *   - MinIO, and the control plane if the setup started that too: the integration teardown.
 */
import globalTeardown from './global-teardown';
import { CLUSTER_SH, infraState, log, runOrThrow } from './infra';

export default async function nodeGlobalTeardown(): Promise<void> {
  const state = infraState();
  const errors: string[] = [];
  const keep = Boolean(process.env.KUBEVOD_KEEP_CLUSTER);
  // A full `down` (control plane) also stops kwok and the node part: skip the partial downs then.
  const fullDown = state.startedControlPlane && !keep;
  for (const [tier, started] of [
    ['kwok', state.startedKwok],
    ['node', state.startedNode],
  ] as const) {
    if (!started) continue;
    if (keep) {
      log(`KUBEVOD_KEEP_CLUSTER is set: leaving the ${tier} tier running (bash test/cluster/cluster.sh down ${tier})`);
    } else if (!fullDown) {
      try {
        await runOrThrow(`stopping the ${tier} tier`, 'bash', [CLUSTER_SH, 'down', tier]);
      } catch (e) {
        errors.push(String(e));
      }
    }
  }
  state.startedKwok = false;
  state.startedNode = false;
  try {
    await globalTeardown();
  } catch (e) {
    errors.push(String(e));
  }
  if (errors.length) throw new Error(`kubevod node-tier teardown:\n${errors.join('\n')}`);
}
