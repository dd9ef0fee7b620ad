/**
 * Jest global setup of the `e2e` project: the whole stack on the local node (or the cluster of
 * KUBECONFIG), brought up by the project's own script, `bash test/stack/stack.sh up` — idempotent,
 * about a minute when it already runs, 30+ minutes on a cold machine (it builds Kubernetes, Traefik
 * and the images). The sample upload of `npm run stack` is skipped: the tests upload their own.
 * The stack's settings (`stack.sh env`) are copied into process.env for the test workers.
 * Failures throw; nothing is skipped unless test/run-all.sh said so (KUBEVOD_E2E_SKIP: the tests
 * are then reported as skipped). A stack this setup started is removed by test/e2e/teardown.ts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const STACK_SH = path.join(__dirname, '..', 'stack', 'stack.sh');
const BUILD_TOOLS_SH = path.join(__dirname, '..', 'stack', 'build-tools.sh');

function run(args: string[], env: NodeJS.ProcessEnv, script = STACK_SH): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `bash ${path.relative(process.cwd(), script)} ${args.join(' ')} exited ${code}`,
            ),
          ),
    );
  });
}

export default async function globalSetup(): Promise<void> {
  if (process.env.KUBEVOD_E2E_SKIP) {
    process.stderr.write(`[kubevod:e2e-setup] NOT RUN: ${process.env.KUBEVOD_E2E_SKIP}\n`);
    return;
  }
  const t0 = Date.now();
  // skaffold for skaffold-dev.e2e-spec.ts (cached by version; test/run-all.sh builds it early)
  await run(['skaffold'], process.env, BUILD_TOOLS_SH);
  const wasUp = spawnSync('bash', [STACK_SH, 'env'], { stdio: 'ignore' }).status === 0;
  await run(['up'], { ...process.env, STACK_SAMPLE: '0' });
  if (!wasUp) process.env.KUBEVOD_E2E_STARTED_STACK = '1';
  const env = execFileSync('bash', [STACK_SH, 'env'], { encoding: 'utf8' });
  for (const line of env.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) process.env[m[1]] = m[2];
  }
  process.stderr.write(
    `[kubevod:e2e-setup] stack ready in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
  );
}
