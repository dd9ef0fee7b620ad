import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** Where and how to reach the API server. */
export interface KubeConnection {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** a static token, or a file re-read on use (bound service-account tokens rotate) */
  token?: string;
  tokenFile?: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads the connection from $KUBECONFIG (first file), ~/.kube/config, or the in-cluster
 * service account. Supports what a controller and its tests use: client certificates, bearer
 * tokens and token files. Exec and auth-provider plugins are rejected with a clear error.
 *
 * Why not client-node's KubeConfig: importing @kubernetes/client-node loads its whole generated
 * API (about 80 MB of RSS measured here), against a controller budget of 200 MB.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const path = env.KUBECONFIG?.split(':').find(Boolean);
  if (path) return fromKubeconfigFile(path);
  if (env.KUBERNETES_SERVICE_HOST) return inCluster(env);
  return fromKubeconfigFile(join(homedir(), '.kube', 'config'));
}

function inCluster(env: NodeJS.ProcessEnv): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(SA_DIR, 'ca.crt')),
    tokenFile: join(SA_DIR, 'token'),
  };
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export function fromKubeconfigFile(path: string): KubeConnection {
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${path}: ${(err as Error).message}`);
  }
  const base = dirname(resolve(path));
  const pick = <T>(list: unknown, name: string | undefined, what: string): T => {
    const found = (list as Named<T>[] | undefined)?.find((x) => x.name === name);
    if (!found) throw new Error(`kubeconfig ${path}: ${what} "${name}" not found`);
    return (found.cluster ?? found.user ?? found.context ?? {}) as T;
  };
  const ctx = pick<{ cluster?: string; user?: string }>(
    doc.contexts,
    doc['current-context'] as string | undefined,
    'context',
  );
  const cluster = pick<Record<string, string | boolean | undefined>>(
    doc.clusters,
    ctx.cluster,
    'cluster',
  );
  const user = ctx.user
    ? pick<Record<string, unknown>>(doc.users, ctx.user, 'user')
    : ({} as Record<string, unknown>);
  if (user.exec || user['auth-provider']) {
    throw new Error(
      `kubeconfig ${path}: user "${ctx.user}" uses an exec/auth-provider plugin; use a token or client certificate`,
    );
  }
  const file = (p: unknown) =>
    readFileSync(isAbsolute(String(p)) ? String(p) : join(base, String(p)));
  const data = (inline: unknown, ref: unknown) =>
    inline ? Buffer.from(String(inline), 'base64') : ref ? file(ref) : undefined;
  const tokenFile = user.tokenFile ?? user['token-file'];
  return {
    server: String(cluster.server),
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'] as string | undefined,
    token: user.token as string | undefined,
    tokenFile: tokenFile
      ? isAbsolute(String(tokenFile))
        ? String(tokenFile)
        : join(base, String(tokenFile))
      : undefined,
  };
}

/** A minimal kubeconfig for a token user (tests and tools). */
export function kubeconfigYaml(conn: KubeConnection, token: string): string {
  const cluster: Record<string, unknown> = { server: conn.server };
  if (conn.ca) cluster['certificate-authority-data'] = conn.ca.toString('base64');
  if (conn.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user: { token } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}
