/**
 * Jest global teardown of the `e2e` project: `stack.sh down` when test/e2e/setup.ts started the
 * stack (it then also stops the local cluster if `stack up` started that). A stack that was
 * already up, or KUBEVOD_KEEP_CLUSTER=1, is left running.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function globalTeardown(): void {
  if (process.env.KUBEVOD_E2E_STARTED_STACK !== '1') return;
  if (process.env.KUBEVOD_KEEP_CLUSTER) {
    process.stderr.write('[kubevod:e2e-teardown] KUBEVOD_KEEP_CLUSTER: the stack is left up\n');
    return;
  }
  const r = spawnSync('bash', [path.join(__dirname, '..', 'stack', 'stack.sh'), 'down'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`bash test/stack/stack.sh down exited ${r.status}`);
}
