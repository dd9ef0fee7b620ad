/**
 * Helpers for the controller's integration tests and benchmark: a controller app in-process
 * against the real apiserver and MinIO that the jest global setup provides, plus the
 * "envtest" moves a cluster without a kubelet needs (we play the kubelet's part by writing
 * pod status; the real Job controller in kube-controller-manager does the rest).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { objectKeys, type ReadyRecord } from '@kubevod/contracts';
import { KubeClient, loadKubeConfig, MERGE_PATCH, type KubeList } from '@kubevod/kube';
import { loadConfig } from '@kubevod/runtime';
import { MinioObjectStore, StorageConfigSchema } from '@kubevod/storage';
import { createControllerApp, managerOf } from '../src/app';
import { ControllerConfigSchema, type ControllerConfig } from '../src/config';
import type { ControllerManager } from '../src/manager/controller-manager';
import type { JobWire, PodWire, TranscodeWire } from '../src/reconcile/wire';
import { installCrd } from '../../../test/support/kubectl';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export function ensureCrd(): void {
  installCrd(REPO_ROOT);
}

export function storeFromEnv(): MinioObjectStore {
  return MinioObjectStore.fromConfig(loadConfig(StorageConfigSchema, process.env));
}

export function uniqueBucket(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Settings that make a test controller quick: short lease, fast progress polling. */
export function testConfig(namespace: string, bucket: string, extra: Record<string, string> = {}) {
  return loadConfig(ControllerConfigSchema, {
    ...process.env,
    LOG_LEVEL: process.env.KUBEVOD_TEST_LOG_LEVEL ?? 'silent',
    WATCH_NAMESPACES: namespace,
    POD_NAMESPACE: namespace,
    POD_NAME: `controller-${randomBytes(3).toString('hex')}`,
    S3_BUCKET: bucket,
    LEASE_DURATION_SECONDS: '4',
    LEASE_RENEW_DEADLINE_SECONDS: '3',
    LEASE_RETRY_PERIOD_SECONDS: '0.5',
    PROGRESS_POLL_SECONDS: '1',
    RESYNC_SECONDS: '30',
    RETENTION_SECONDS: '0',
    WORKER_IMAGE: 'localhost:5000/kubevod/worker:test',
    ...extra,
  });
}

export interface RunningController {
  app: NestFastifyApplication;
  manager: ControllerManager;
  url: string;
  config: ControllerConfig;
  close(): Promise<void>;
}

export async function startController(config: ControllerConfig): Promise<RunningController> {
  const app = await createControllerApp(config);
  await app.listen(0, '127.0.0.1');
  const manager = managerOf(app)!;
  return { app, manager, url: await app.getUrl(), config, close: () => app.close() };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The worker container's identity in the pod statuses the tests report. */
const WORKER_CONTAINER = { name: 'worker', image: 'worker', imageID: '', restartCount: 0 };

/** Direct API access for the test's own reads and writes. */
export class TestCluster {
  private constructor(readonly kube: KubeClient) {}

  static async connect(): Promise<TestCluster> {
    return new TestCluster(await KubeClient.create(loadKubeConfig()));
  }

  /** Another apiserver than $KUBECONFIG's (e.g. a test's private one). */
  static async connectTo(kubeconfig: string): Promise<TestCluster> {
    return new TestCluster(await KubeClient.create(loadKubeConfig({ KUBECONFIG: kubeconfig })));
  }

  close(): void {
    this.kube.close();
  }

  /**
   * For afterAll once the controller is stopped: lets go of the Transcodes it left with our
   * finalizer, or the namespace would hang in Terminating for ever.
   */
  async releaseTranscodes(ns: string): Promise<void> {
    const list = await this.kube.get<KubeList<TranscodeWire>>(this.tcPath(ns));
    for (const t of list.items) {
      await this.kube
        .request('PATCH', this.tcPath(ns, t.metadata.name), {
          contentType: MERGE_PATCH,
          body: { metadata: { finalizers: null } },
        })
        .catch(() => undefined);
    }
  }

  tcPath(ns: string, name = ''): string {
    return `/apis/media.kubevod.io/v1alpha1/namespaces/${ns}/transcodes${name ? `/${name}` : ''}`;
  }

  createTranscode(ns: string, name: string, spec: Record<string, unknown>) {
    return this.kube.request<TranscodeWire>('POST', this.tcPath(ns), {
      body: {
        apiVersion: 'media.kubevod.io/v1alpha1',
        kind: 'Transcode',
        metadata: { name, namespace: ns },
        spec,
      },
    });
  }

  getTranscode(ns: string, name: string) {
    return this.kube.find<TranscodeWire>(this.tcPath(ns, name));
  }

  async deleteTranscode(ns: string, name: string) {
    await this.kube.request('DELETE', this.tcPath(ns, name));
  }

  async jobs(ns: string): Promise<JobWire[]> {
    return (await this.kube.get<KubeList<JobWire>>(`/apis/batch/v1/namespaces/${ns}/jobs`)).items;
  }

  async events(ns: string, name: string) {
    const list = await this.kube.get<
      KubeList<{ reason: string; note: string; type: string; regarding: { name: string } }>
    >(`/apis/events.k8s.io/v1/namespaces/${ns}/events`);
    return list.items.filter((e) => e.regarding?.name === name);
  }

  /** Plays the kubelet: the worker pod of the Job is running and ready. */
  async startPod(ns: string, jobName: string): Promise<void> {
    await this.reportPod(ns, jobName, (now) => ({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: [
        { ...WORKER_CONTAINER, ready: true, started: true, state: { running: { startedAt: now } } },
      ],
    }));
  }

  private podOf(ns: string, jobName: string): Promise<PodWire> {
    return waitFor(`a pod of Job ${jobName}`, async () => {
      const pods = await this.kube.get<KubeList<PodWire>>(`/api/v1/namespaces/${ns}/pods`, {
        labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
      });
      return pods.items[0];
    });
  }

  /**
   * Plays the kubelet: the real Job controller created the worker pod (Pending: no nodes);
   * we report its container as terminated with `exitCode`, and the Job controller applies
   * the Job's podFailurePolicy / completion rules to it as it would on a real node.
   */
  async finishPod(ns: string, jobName: string, exitCode: number, message = ''): Promise<void> {
    await this.reportPod(ns, jobName, (now) => ({
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [
        {
          ...WORKER_CONTAINER,
          ready: false,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              message,
              startedAt: now,
              finishedAt: now,
            },
          },
        },
      ],
    }));
  }

  /** Writes the status of the Job's worker pod, as its kubelet would (`now`: RFC 3339, seconds). */
  private async reportPod(
    ns: string,
    jobName: string,
    status: (now: string) => Record<string, unknown>,
  ): Promise<void> {
    const pod = await this.podOf(ns, jobName);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await this.kube.request('PATCH', `/api/v1/namespaces/${ns}/pods/${pod.metadata!.name}/status`, {
      contentType: MERGE_PATCH,
      body: { status: status(now) },
    });
  }
}

/** A ready record as the worker writes it last. */
export function readyRecord(videoId: string, bucket: string): ReadyRecord {
  const prefix = objectKeys.outputPrefix(videoId);
  return {
    videoId,
    publishedAt: new Date().toISOString(),
    durationSeconds: 12.5,
    formats: ['hls', 'dash'],
    bucket,
    prefix,
    manifests: { hls: `${prefix}master.m3u8`, dash: `${prefix}manifest.mpd` },
    renditions: [
      { name: '360p', width: 640, height: 360, bitrateKbps: 800, codecs: 'avc1.64001e,mp4a.40.2' },
      {
        name: '720p',
        width: 1280,
        height: 720,
        bitrateKbps: 2800,
        codecs: 'avc1.64001f,mp4a.40.2',
      },
    ],
    source: { durationSeconds: 12.5, width: 1280, height: 720, videoCodec: 'h264' },
    files: [{ key: `${prefix}master.m3u8`, bytes: 100, sha256: 'ab'.repeat(32) }],
  };
}
