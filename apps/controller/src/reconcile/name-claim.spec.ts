import type { TranscodeStatus } from '@kubevod/contracts';
import { nameHolder } from './name-claim';

const tc = (
  namespace: string,
  name: string,
  uid: string,
  creationTimestamp?: string,
  status?: TranscodeStatus,
) => ({ metadata: { namespace, name, uid, creationTimestamp }, status });

const started: TranscodeStatus = { phase: 'Pending', jobName: 'intro-0a1b2c3d-0' };
const refusedStatus: TranscodeStatus = {
  phase: 'Failed',
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'NameConflict',
      message: 'the video id is taken',
      lastTransitionTime: '2026-11-22T10:00:00Z',
    },
  ],
};

describe('nameHolder', () => {
  it('is the oldest Transcode of that name across namespaces', () => {
    const all = [
      tc('team-b', 'intro', 'uid-b', '2026-11-22T10:00:05Z'),
      tc('team-a', 'intro', 'uid-a', '2026-11-22T10:00:01Z'),
      tc('team-a', 'other', 'uid-o', '2026-11-22T09:00:00Z'),
    ];
    expect(nameHolder('intro', all)).toEqual({ namespace: 'team-a', uid: 'uid-a' });
    expect(nameHolder('other', all)).toEqual({ namespace: 'team-a', uid: 'uid-o' });
  });

  it('breaks a tie on the same second by uid, so every replica agrees', () => {
    const at = '2026-11-22T10:00:00Z';
    expect(
      nameHolder('intro', [tc('team-b', 'intro', 'b-uid', at), tc('team-a', 'intro', 'a-uid', at)]),
    ).toEqual({ namespace: 'team-a', uid: 'a-uid' });
  });

  it('keeps the name with the one that already started work, whatever the order', () => {
    const at = '2026-11-22T10:00:00Z';
    const all = [
      tc('team-a', 'intro', 'a-uid', at),
      tc('team-b', 'intro', 'b-uid', at, started),
      tc('team-c', 'intro', '0-uid', '2026-11-22T09:00:00Z'),
    ];
    expect(nameHolder('intro', all)).toEqual({ namespace: 'team-b', uid: 'b-uid' });
  });

  it('never gives the name to a refused Transcode', () => {
    const all = [
      tc('team-a', 'intro', 'a-uid', '2026-11-22T09:00:00Z', refusedStatus),
      tc('team-b', 'intro', 'b-uid', '2026-11-22T10:00:00Z'),
    ];
    expect(nameHolder('intro', all)).toEqual({ namespace: 'team-b', uid: 'b-uid' });
    expect(nameHolder('intro', [all[0]])).toBeUndefined();
  });

  it('ranks a Transcode without a creation time last, and knows no holder of an unused name', () => {
    const all = [
      tc('team-b', 'intro', 'a-uid'),
      tc('team-c', 'intro', 'z-uid', '2026-11-22T10:00:00Z'),
    ];
    expect(nameHolder('intro', all)).toEqual({ namespace: 'team-c', uid: 'z-uid' });
    expect(nameHolder('unused', all)).toBeUndefined();
  });
});
