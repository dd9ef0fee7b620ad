import { nameHolder } from './name-claim';

const tc = (namespace: string, name: string, uid: string, creationTimestamp?: string) => ({
  metadata: { namespace, name, uid, creationTimestamp },
});

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

  it('ranks a Transcode without a creation time last, and knows no holder of an unused name', () => {
    const all = [
      tc('team-b', 'intro', 'a-uid'),
      tc('team-c', 'intro', 'z-uid', '2026-11-22T10:00:00Z'),
    ];
    expect(nameHolder('intro', all)).toEqual({ namespace: 'team-c', uid: 'z-uid' });
    expect(nameHolder('unused', all)).toBeUndefined();
  });
});
