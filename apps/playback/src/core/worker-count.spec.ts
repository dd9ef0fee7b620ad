import { workerCount } from './worker-count';

describe('workerCount', () => {
  it('is one process per available core for auto', () => {
    expect(workerCount('auto', 2)).toBe(2);
    expect(workerCount('auto', 16)).toBe(16);
    expect(workerCount('auto', 0)).toBe(1);
  });

  it('takes a number as is', () => {
    expect(workerCount('1', 8)).toBe(1);
    expect(workerCount('4', 2)).toBe(4);
    expect(workerCount('256', 2)).toBe(256);
  });

  it('refuses anything else', () => {
    for (const bad of ['0', '-1', '1.5', '', 'two', 'AUTO', ' 2', '257', '01']) {
      expect(workerCount(bad, 2)).toBeUndefined();
    }
  });
});
