/**
 * The apiserver dies (kill -9) and comes back: the controller's informers see their watches fail,
 * relist and resume, and the status converges with no duplicate Job.
 *
 * The shared apiserver must stay up, so this suite runs its OWN kube-apiserver: the same binary,
 * PKI and etcd as test/cluster/up.sh, but its own port and `--etcd-prefix`, so everything it
 * stores is isolated from the shared cluster (and removed from etcd afterwards). Nothing else runs
 * against it (no controller-manager: no Job controller, no garbage collector), so the test writes
 * Job status through the Job's /status subresource itself.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectKeys } from '@kubevod/contracts';
import { KubeClient, loadKubeConfig, MERGE_PATCH } from '@kubevod/kube';
import { jobName } from '../../apps/controller/src/reconcile/job-spec';
import {
  readyRecord,
  REPO_ROOT,
  storeFromEnv,
  TestCluster,
  uniqueBucket,
  waitFor,
} from '../../apps/controller/test/fixtures';
import {
  freePort,
  spawnController,
  type ControllerProcess,
} from '../../apps/controller/test/process';
import { kubectlPath } from '../support/kubectl';

jest.setTimeout(300_000);

const STATE = process.env.KUBEVOD_STATE ?? join(homedir(), '.local', 'state', 'kubevod');
const PKI = join(STATE, 'pki');
const CACHE = process.env.KUBEVOD_CACHE ?? join(homedir(), '.cache', 'kubevod');
const APISERVER = join(CACHE, 'k8s-v1.34.4', 'bin', 'kube-apiserver');
const ETCD = 'http://127.0.0.1:2379';

/** One private kube-apiserver process on the shared etcd, under its own key prefix. */
class PrivateApiserver {
  private child?: ChildProcess;
  readonly prefix = `/kubevod-restart-${randomBytes(4).toString('hex')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'kv-apiserver-'));
  readonly kubeconfig = join(this.dir, 'kubeconfig');
  readonly log = join(this.dir, 'kube-apiserver.log');

  constructor(readonly port: number) {
    // the shared admin identity (client cert of system:masters), pointed at our port
    const admin = readFileSync(join(STATE, 'kubeconfig'), 'utf8');
    writeFileSync(
      this.kubeconfig,
      admin.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`),
    );
    if (!readFileSync(this.kubeconfig, 'utf8').includes(`:${port}`)) {
      throw new Error(`could not point ${join(STATE, 'kubeconfig')} at port ${port}`);
    }
  }

  async start(): Promise<void> {
    const gates = readFileSync(join(STATE, 'pids', 'kube-apiserver.pid'), 'utf8').trim();
    // the shared apiserver's feature gates (WatchList=false with Debian's etcd 3.4)
    const shared = readFileSync(`/proc/${gates}/cmdline`, 'utf8').split('\0');
    const featureGates = shared.filter((a) => a.startsWith('--feature-gates='));
    const out = createWriteStream(this.log, { flags: 'a' });
    this.child = spawn(
      APISERVER,
      [
        ...featureGates,
        `--etcd-prefix=${this.prefix}`,
        `--etcd-servers=${ETCD}`,
        '--storage-backend=etcd3',
        '--advertise-address=127.0.0.1',
        '--bind-address=127.0.0.1',
        `--secure-port=${this.port}`,
        '--service-cluster-ip-range=10.97.0.0/16',
        '--authorization-mode=RBAC',
        `--client-ca-file=${PKI}/ca.crt`,
        `--tls-cert-file=${PKI}/apiserver.crt`,
        `--tls-private-key-file=${PKI}/apiserver.key`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${PKI}/sa.pub`,
        `--service-account-signing-key-file=${PKI}/sa.key`,
        '--profiling=false',
        '--v=1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.pipe(out);
    this.child.stderr!.pipe(out);
    const child = this.child;
    await waitFor(
      `our kube-apiserver on :${this.port} to be ready`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`kube-apiserver exited ${child.exitCode}: see ${this.log}`);
        }
        const kube = await KubeClient.create(loadKubeConfig({ KUBECONFIG: this.kubeconfig }));
        try {
          await kube.request('GET', '/readyz'); // throws unless 2xx
          return true;
        } finally {
          kube.close();
        }
      },
      120_000,
      500,
    );
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops it and removes everything it stored (only keys under its own prefix). */
  async destroy(): Promise<void> {
    await this.kill();
    execFileSync('etcdctl', ['--endpoints', ETCD, 'del', '--prefix', `${this.prefix}/`], {
      env: { ...process.env, ETCDCTL_API: '3' },
      stdio: 'ignore',
    });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('controller: the apiserver is killed and restarted', () => {
  let api: PrivateApiserver;
  let cluster: TestCluster;
  let controller: ControllerProcess | undefined;
  const ns = `restart-${randomBytes(3).toString('hex')}`;
  const store = storeFromEnv();
  const bucket = uniqueBucket('kv-restart');
  const source = { bucket: 'kv-sources', key: 'sources/in/source' };

  const status = async (name: string) => (await cluster.getTranscode(ns, name))?.status;
  const waitReason = (name: string, phase: string, reason: string, timeoutMs = 120_000) =>
    waitFor(
      `${name} to be ${phase}/${reason}`,
      async () => {
        const s = await status(name);
        const r = s?.conditions?.find((c) => c.type === 'Ready')?.reason;
        return s?.phase === phase && r === reason ? s : undefined;
      },
      timeoutMs,
      250,
    );
  const jobsOf = async (name: string) =>
    (await cluster.jobs(ns))
      .filter((j) => j.metadata?.labels?.['media.kubevod.io/transcode'] === name)
      .map((j) => j.metadata!.name!)
      .sort();

  beforeAll(async () => {
    api = new PrivateApiserver(await freePort());
    await api.start();
    const crd = join(REPO_ROOT, 'crds', 'transcodes.media.kubevod.io.yaml');
    const kubectl = (...args: string[]) =>
      execFileSync(kubectlPath(), ['--kubeconfig', api.kubeconfig, ...args], { stdio: 'pipe' });
    kubectl('apply', '--server-side', '-f', crd);
    kubectl(
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/transcodes.media.kubevod.io',
    );
    cluster = await TestCluster.connectTo(api.kubeconfig);
    await cluster.kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await store.ensureBucket(bucket);
    controller = await spawnController('restart-ctl', {
      KUBECONFIG: api.kubeconfig,
      LOG_LEVEL: 'info',
      WATCH_NAMESPACES: ns,
      POD_NAMESPACE: ns,
      S3_BUCKET: bucket,
      LEASE_DURATION_SECONDS: '4',
      LEASE_RENEW_DEADLINE_SECONDS: '3',
      LEASE_RETRY_PERIOD_SECONDS: '0.5',
      RETENTION_SECONDS: '0',
      RESYNC_SECONDS: '600',
    });
    await waitFor('the controller to lead', () => controller!.ready(), 120_000, 250);
  });

  afterAll(async () => {
    await controller?.kill('SIGKILL');
    cluster?.close();
    await api?.destroy();
  });

  it('resumes its watches: a Job status update, a new Transcode and deletes after the restart all converge, no duplicate Job', async () => {
    const a = await cluster.createTranscode(ns, 'a', { source });
    const c = await cluster.createTranscode(ns, 'c', { source });
    const jobA = jobName({ name: 'a', uid: a.metadata.uid! }, 0);
    const jobC = jobName({ name: 'c', uid: c.metadata.uid! }, 0);
    await waitReason('a', 'Pending', 'JobCreated');
    await waitReason('c', 'Pending', 'JobCreated');

    await api.kill();
    // the controller notices: its watches and lease renewals fail
    await waitFor(
      'the controller to lose readiness',
      async () => !(await controller!.ready()),
      30_000,
      250,
    );
    await api.start();

    // 1. a Job status update: a's worker finished (its ready record first, as the worker does)
    await store.putJson(bucket, objectKeys.ready('a'), readyRecord('a', bucket));
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await cluster.kube.request('PATCH', `/apis/batch/v1/namespaces/${ns}/jobs/${jobA}/status`, {
      contentType: MERGE_PATCH,
      body: {
        status: {
          startTime: now,
          completionTime: now,
          succeeded: 1,
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now },
            { type: 'Complete', status: 'True', lastTransitionTime: now },
          ],
        },
      },
    });
    // 2. a new Transcode
    const b = await cluster.createTranscode(ns, 'b', { source });
    // 3. a delete: c's Job disappears (Background: removed at once; the garbage collector, absent here, would only remove its pods)
    await cluster.kube.request('DELETE', `/apis/batch/v1/namespaces/${ns}/jobs/${jobC}`, {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    });

    await waitReason('a', 'Succeeded', 'Succeeded');
    const sb = await waitReason('b', 'Pending', 'JobCreated');
    expect(sb.jobName).toBe(jobName({ name: 'b', uid: b.metadata.uid! }, 0));
    const jobC1 = jobName({ name: 'c', uid: c.metadata.uid! }, 1);
    const sc = await waitFor('c to start attempt 1', async () => {
      const s = await status('c');
      return s?.jobName === jobC1 ? s : undefined;
    });
    expect(sc.attempt).toBe(1);

    // 4. and a Transcode deleted: the finalizer runs (its Job is finished), the object goes
    await cluster.deleteTranscode(ns, 'a');
    await waitFor('a to be gone', async () =>
      (await cluster.getTranscode(ns, 'a')) ? undefined : true,
    );

    // no duplicates: one Job per attempt, exactly the deterministic names
    expect(await jobsOf('a')).toEqual([jobA]);
    expect(await jobsOf('b')).toEqual([sb.jobName]);
    expect(await jobsOf('c')).toEqual([jobC1]);

    const metrics = await (await fetch(`${controller!.url}/metrics`)).text();
    const restarts = (informer: string) =>
      [...metrics.matchAll(/^kubevod_controller_informer_restarts_total\{([^}]*)\} (\d+)/gm)]
        .filter((m) => m[1].includes(`informer="${informer}"`))
        .reduce((sum, m) => sum + Number(m[2]), 0);
    expect(restarts('transcodes')).toBeGreaterThan(0);
    expect(restarts('jobs')).toBeGreaterThan(0);
    expect(controller!.output()).toMatch(/list-watch failed, restarting/);
  });
});
