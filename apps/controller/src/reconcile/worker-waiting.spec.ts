import type { PodWire } from './wire';
import { waitingRecheckMs, workerWaiting } from './worker-waiting';

const SCHEDULER_SAYS =
  "0/4 nodes are available: 2 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";

const pending = (status: PodWire['status'], deleting = false): PodWire => ({
  metadata: { name: 'intro-abcd1234-0-x7k2p', ...(deleting ? { deletionTimestamp: 'now' } : {}) },
  status: { phase: 'Pending', ...status },
});
const unschedulable = pending({
  conditions: [
    { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: SCHEDULER_SAYS },
  ],
});
const pullBackOff = pending({
  conditions: [{ type: 'PodScheduled', status: 'True' }],
  containerStatuses: [
    {
      name: 'worker',
      state: {
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "localhost:5000/kubevod/worker:nope"',
        },
      },
    },
  ],
});

describe('workerWaiting', () => {
  it('tells the scheduler verdict of an unplaceable pod', () => {
    expect(workerWaiting([unschedulable])).toEqual({
      reason: 'Unschedulable',
      message: `the worker pod cannot be scheduled: ${SCHEDULER_SAYS}`,
    });
  });

  it('tells an image that cannot be pulled, with the kubelet message', () => {
    expect(workerWaiting([pullBackOff])).toEqual({
      reason: 'ImagePullBackOff',
      message:
        'the worker image cannot be pulled (ImagePullBackOff): Back-off pulling image "localhost:5000/kubevod/worker:nope"',
    });
  });

  it('says nothing of pods that are merely starting, running, finished or being deleted', () => {
    const creating = pending({
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'worker', state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    const running: PodWire = { metadata: { name: 'r' }, status: { phase: 'Running' } };
    const failed: PodWire = { metadata: { name: 'f' }, status: { phase: 'Failed' } };
    expect(workerWaiting([])).toBeUndefined();
    expect(workerWaiting([creating, running, failed])).toBeUndefined();
    expect(workerWaiting([pending(unschedulable.status, true)])).toBeUndefined();
  });
});

describe('waitingRecheckMs', () => {
  it('looks first when the Job is 10 s old, then every half-age between 15 s and 5 min', () => {
    expect([0, 4_000, 10_000, 20_000, 60_000, 400_000, 900_000].map(waitingRecheckMs)).toEqual([
      10_000, 6_000, 15_000, 15_000, 30_000, 200_000, 300_000,
    ]);
  });
});
