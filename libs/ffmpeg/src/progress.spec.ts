import { encodePercent, ProgressParser } from './progress';

describe('ProgressParser', () => {
  it('emits one report per block, across chunk boundaries', () => {
    const parser = new ProgressParser();
    expect(parser.push('frame=10\nfps=0.00\nout_time_us=1500000\nspe')).toEqual([]);
    expect(
      parser.push('ed=2.5x\nprogress=continue\nframe=20\nout_time_us=N/A\nspeed=N/A\n'),
    ).toEqual([{ outTimeSeconds: 1.5, speed: 2.5, frame: 10, end: false }]);
    expect(parser.push('progress=end\n')).toEqual([{ outTimeSeconds: 0, frame: 20, end: true }]);
  });
});

describe('encodePercent', () => {
  it.each([
    [0, 10, 0],
    [2.5, 10, 25],
    [11, 10, 100],
    [1, 0, 0],
  ])('%d s of %d s is %d %%', (t, d, p) => expect(encodePercent(t, d)).toBe(p));
});
