/**
 * `skaffold dev` as our users iterate with it, on the local stack's cluster: a second release in
 * its own namespace (beside the stack's), built from a copy of the working tree (the test edits
 * source; the repo itself is never touched). It deploys; an edit to one app rebuilds and redeploys
 * that app only; stopping skaffold removes the release.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { kubectl } from '../support/kubectl';
import { helmPath } from '../stack/helm';
import { viaIngress } from './support/stack';
import { describeE2e } from './support/tier';

const ROOT = join(__dirname, '..', '..');
const ns = `kubevod-dev-${randomBytes(3).toString('hex')}`; // contains the chart's name: objects are <ns>-<app>
const hosts = { api: `api.${ns}.localhost`, playback: `play.${ns}.localhost` };
const APPS = ['api', 'controller', 'playback'] as const;

let work = '';
let skaffold: ChildProcess | undefined;
let log = '';

function tool(args: string[]): string {
  return execFileSync('bash', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

/** The working tree as git sees it (tracked + untracked, not ignored) plus the staged image inputs. */
function copyWorkingTree(dest: string): void {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(dest, f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // deleted, not yet staged
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'));
  // the staged production node_modules and binaries (e2e setup's image build made them), hard
  // linked: each build re-stages only when its inputs differ
  const staged = join(ROOT, 'dist', 'image');
  if (existsSync(staged)) {
    mkdirSync(join(dest, 'dist'));
    execFileSync('cp', ['-al', staged, join(dest, 'dist', 'image')]);
  }
}

async function until<T>(
  what: string,
  ms: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}\n--- skaffold ---\n${log.slice(-4000)}`,
      );
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function images(): Record<string, string> {
  const r = kubectl(['get', 'deploy', '-n', ns, '-o', 'json']);
  if (r.code !== 0) return {};
  const list = JSON.parse(r.stdout) as {
    items: {
      metadata: { name: string };
      spec: { template: { spec: { containers: { image: string }[] } } };
    }[];
  };
  return Object.fromEntries(
    list.items.map((d) => [
      d.metadata.name.replace(`${ns}-`, ''),
      d.spec.template.spec.containers[0].image,
    ]),
  );
}

const rolledOut = (app: string) =>
  kubectl(['rollout', 'status', `deploy/${ns}-${app}`, '-n', ns, '--timeout=5s']).code === 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kubevod-skaffold-'));
  copyWorkingTree(work);
  expect(
    kubectl(['create', 'namespace', ns]).code +
      kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']).code,
  ).toBe(0);
});

afterAll(async () => {
  if (skaffold && skaffold.exitCode === null) {
    process.kill(-skaffold.pid!, 'SIGINT');
    await new Promise((r) => skaffold!.once('exit', r));
  }
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  if (work) rmSync(work, { recursive: true, force: true });
});

describeE2e('skaffold dev on the local stack', () => {
  const builds = () => [...log.matchAll(/^Building \[kubevod\/(\w+)\]\.\.\./gm)].map((m) => m[1]);

  it('deploys the chart with freshly built images, reachable through the ingress', async () => {
    const bin = tool([join(ROOT, 'test/stack/build-tools.sh'), 'path', 'skaffold']);
    const helmDir = dirname(helmPath());
    skaffold = spawn(
      bin,
      [
        'dev',
        '-p',
        'local-stack',
        '--default-repo=localhost:5000',
        '--port-forward=off',
        '--interactive=false',
      ],
      {
        cwd: work,
        detached: true, // its own process group: SIGINT reaches skaffold, not jest
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          // Debian's docker client (BuildKit), the pinned helm, Node 24 from node_modules
          PATH: `/usr/bin:${helmDir}:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
          KUBEVOD_RELEASE: ns,
          KUBEVOD_NAMESPACE: ns,
          KUBEVOD_API_HOST: hosts.api,
          KUBEVOD_PLAYBACK_HOST: hosts.playback,
          SKAFFOLD_UPDATE_CHECK: 'false',
        },
      },
    );
    skaffold.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    skaffold.stderr!.on('data', (c: Buffer) => (log += c.toString()));

    await until('skaffold to deploy and watch', 1_200_000, () => {
      if (skaffold!.exitCode !== null)
        throw new Error(`skaffold exited ${skaffold!.exitCode}\n${log.slice(-4000)}`);
      return /Watching for changes/.test(log) ? true : undefined;
    });
    // every image built, or found in the registry under the same input digest (an earlier run)
    const checked = [...log.matchAll(/^ - kubevod\/(\w+): (Not found\. Building|Found \w+)/gm)];
    expect(checked.map((m) => m[1]).sort()).toEqual([
      'api',
      'controller',
      'minio',
      'playback',
      'worker',
    ]);
    expect(builds().sort()).toEqual(
      checked
        .filter((m) => m[2].startsWith('Not found'))
        .map((m) => m[1])
        .sort(),
    );
    for (const app of APPS) {
      expect(images()[app]).toMatch(
        new RegExp(`^localhost:5000/kubevod_${app}:[0-9a-f]{64}@sha256:`),
      );
      expect(rolledOut(app)).toBe(true);
    }
    const health = await viaIngress(hosts.playback, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const unauth = await viaIngress(hosts.api, 'GET', '/v1/videos');
    expect(unauth.status).toBe(401);
  }, 1_500_000);

  it('rebuilds and redeploys only the app whose source was edited', async () => {
    const before = images();
    const mark = log.length;
    appendFileSync(
      join(work, 'apps/playback/src/core/playback-error.ts'),
      // a nonce: the registry keeps images by input digest across runs, so the same edit twice
      // would be found there instead of rebuilt
      `\n// edited by the skaffold dev test ${randomBytes(8).toString('hex')}\n`,
    );

    await until('the playback redeploy', 900_000, () => {
      if (skaffold!.exitCode !== null) throw new Error(`skaffold exited ${skaffold!.exitCode}`);
      const now = images();
      return now.playback !== before.playback && rolledOut('playback') ? now : undefined;
    });
    const after = images();
    expect(after.api).toBe(before.api);
    expect(after.controller).toBe(before.controller);
    expect(after.playback).not.toBe(before.playback);
    const rebuilt = [...log.slice(mark).matchAll(/^Building \[kubevod\/(\w+)\]\.\.\./gm)].map(
      (m) => m[1],
    );
    expect(rebuilt).toEqual(['playback']);
    expect((await viaIngress(hosts.playback, 'GET', '/healthz')).status).toBe(200);
  }, 1_000_000);

  it('removes the release when stopped', async () => {
    expect(skaffold?.exitCode).toBeNull();
    process.kill(-skaffold!.pid!, 'SIGINT');
    const code = await new Promise<number | null>((r) => skaffold!.once('exit', (c) => r(c)));
    expect(log).toMatch(/Cleaning up/);
    expect(code).toBe(0);
    const left = kubectl(['get', 'deploy,statefulset,svc,ingress,secret', '-n', ns, '-o', 'name']);
    expect(left.code).toBe(0);
    expect(left.stdout.trim()).toBe('');
  }, 300_000);
});
