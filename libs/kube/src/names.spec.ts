import { createHash } from 'node:crypto';
import { childName } from './names';
import { setCondition, type StatusCondition } from './conditions';
import { microTime } from './leader-election';
import { objectKey, splitKey } from './objects';

describe('childName', () => {
  const uid = '0f5c2f1e-3a0b-4c55-9d2a-6b1c0e7d8f90';
  const hash = createHash('sha256').update(uid).digest('hex').slice(0, 8);

  it('is <name>-<8 hex of sha256(uid)>-<attempt>, the same every time', () => {
    expect(childName('intro', uid, 0)).toBe(`intro-${hash}-0`);
    expect(childName('intro', uid, 0)).toBe(childName('intro', uid, 0));
    expect(childName('intro', uid, 3)).toBe(`intro-${hash}-3`);
    expect(childName('intro', 'another-uid', 0)).not.toBe(`intro-${hash}-0`);
  });

  it('stays a DNS label for the longest Transcode name (48) and beyond', () => {
    const n48 = 'a'.repeat(48);
    expect(childName(n48, uid, 12)).toBe(`${n48}-${hash}-12`);
    expect(childName(n48, uid, 12).length).toBe(60);
    const long = childName(`${'b'.repeat(60)}-x`, uid, 123);
    expect(long.length).toBe(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('setCondition', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');
  it('adds, keeps lastTransitionTime while the status holds, moves it on a change', () => {
    const a = setCondition<StatusCondition>(
      [],
      { type: 'Ready', status: 'False', reason: 'Queued', message: 'q' },
      t0,
    );
    expect(a).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Queued',
        message: 'q',
        lastTransitionTime: t0.toISOString(),
      },
    ]);
    const b = setCondition<StatusCondition>(
      a,
      { type: 'Ready', status: 'False', reason: 'Encoding', message: 'e' },
      t1,
    );
    expect(b[0]).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Encoding',
      message: 'e',
      lastTransitionTime: t0.toISOString(),
    });
    const c = setCondition<StatusCondition>(
      b,
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 's' },
      t1,
    );
    expect(c[0].lastTransitionTime).toBe(t1.toISOString());
    expect(a[0].reason).toBe('Queued'); // inputs are not mutated
  });
});

describe('small helpers', () => {
  it('formats MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2026-11-22T04:34:27.123Z'))).toBe('2026-11-22T04:34:27.123000Z');
  });
  it('keys objects as namespace/name and splits them back', () => {
    expect(objectKey({ metadata: { namespace: 'ns', name: 'a' } })).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('node-1')).toEqual({ namespace: '', name: 'node-1' });
  });
});
