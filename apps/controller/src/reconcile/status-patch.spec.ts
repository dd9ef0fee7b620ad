import { deepEqual, mergePatchFor } from './status-patch';

describe('mergePatchFor', () => {
  it('sets changed keys, nulls removed ones, and is undefined when equal', () => {
    const from = { phase: 'Running', progress: { percent: 10 }, jobName: 'j', attempt: 0 };
    expect(mergePatchFor(from, { ...from })).toBeUndefined();
    expect(mergePatchFor(from, { phase: 'Failed', jobName: 'j', attempt: 0 })).toEqual({
      phase: 'Failed',
      progress: null,
    });
    expect(mergePatchFor(undefined, { phase: 'Pending' })).toEqual({ phase: 'Pending' });
  });
  it('compares deeply, ignoring undefined members', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });
});
