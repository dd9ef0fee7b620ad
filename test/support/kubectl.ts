import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The pinned kubectl the cluster scripts build (or KUBECTL). */
export function kubectlPath(): string {
  const given = process.env.KUBECTL ?? process.env.KUBEVOD_KUBECTL;
  if (given) return given;
  const cache = process.env.KUBEVOD_CACHE ?? join(homedir(), '.cache', 'kubevod');
  return join(cache, 'k8s-v1.34.4', 'bin', 'kubectl');
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against $KUBECONFIG; never throws, so tests can assert on rejections. */
export function kubectl(args: string[], input?: string): KubectlResult {
  try {
    const stdout = execFileSync(kubectlPath(), args, {
      input,
      encoding: 'utf8',
      stdio: 'pipe',
      env: process.env,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Installs the generated CRD the way users do (client-node would drop its CEL rules) and waits for it. */
export function installCrd(root: string): void {
  const file = join(root, 'crds', 'transcodes.media.kubevod.io.yaml');
  const applied = kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  if (applied.code !== 0) throw new Error(`kubectl apply of the CRD failed: ${applied.stderr}`);
  const waited = kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/transcodes.media.kubevod.io',
  ]);
  if (waited.code !== 0) throw new Error(`CRD not established: ${waited.stderr}`);
}
