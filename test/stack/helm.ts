import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HELM_VERSION = 'v4.3.1';
export const CHART_DIR = join(__dirname, '..', '..', 'charts', 'kubevod');

/**
 * The pinned helm the cluster scripts build (`cluster.sh build node`), or KUBEVOD_HELM. Throws
 * when there is none: a chart test without helm must fail, never pass by skipping.
 */
export function helmPath(): string {
  const cache = process.env.KUBEVOD_CACHE ?? join(homedir(), '.cache', 'kubevod');
  const candidates = [
    process.env.KUBEVOD_HELM,
    join(cache, 'tools', `helm-${HELM_VERSION}`, 'helm'),
    join(cache, 'tools', 'bin', 'helm'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `helm ${HELM_VERSION} not found (looked at ${candidates.join(', ')}): ` +
        `build it with 'bash test/cluster/cluster.sh build node' or set KUBEVOD_HELM`,
    );
  }
  return found;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm against $KUBECONFIG; never throws, so tests can assert on failures. */
export function helm(args: string[]): HelmResult {
  try {
    const stdout = execFileSync(helmPath(), args, {
      encoding: 'utf8',
      stdio: 'pipe',
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string; message: string };
    if (e.status === undefined) throw err; // helm did not run at all
    return { code: e.status, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `helm template` of the chart with `--set`-style values and optional values files; throws on failure. */
export function renderChart(
  opts: { release?: string; namespace?: string; set?: string[]; values?: string[] } = {},
): string {
  const args = [
    'template',
    opts.release ?? 'kv',
    CHART_DIR,
    '--namespace',
    opts.namespace ?? 'kubevod',
  ];
  for (const s of opts.set ?? []) args.push('--set', s);
  for (const f of opts.values ?? []) args.push('--values', f);
  const r = helm(args);
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
