import type { Transcode } from '@kubevod/contracts';
import type { KubeObject } from '@kubevod/kube';

/** A batch/v1 Job as it comes over the wire (timestamps are strings), the fields we read. */
export interface JobWire extends KubeObject {
  spec?: { suspend?: boolean };
  status?: {
    active?: number;
    ready?: number;
    succeeded?: number;
    failed?: number;
    terminating?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** A core/v1 Pod, the fields we read: why the worker waits, its exit code and termination message. */
export interface PodWire extends KubeObject {
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: {
      name: string;
      state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode: number; reason?: string; message?: string; finishedAt?: string };
      };
      lastState?: {
        terminated?: { exitCode: number; reason?: string; message?: string; finishedAt?: string };
      };
    }[];
  };
}

export type TranscodeWire = Transcode & KubeObject;

export type JobOutcome = 'running' | 'succeeded' | 'failed';

export function jobOutcome(job: JobWire): JobOutcome {
  const done = (type: string) =>
    job.status?.conditions?.some((c) => c.type === type && c.status === 'True');
  if (done('Complete')) return 'succeeded';
  if (done('Failed')) return 'failed';
  return 'running';
}
