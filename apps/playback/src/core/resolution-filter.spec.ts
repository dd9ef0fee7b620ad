import { filterKey, parseResolutionFilter } from './resolution-filter';

describe('parseResolutionFilter', () => {
  it.each([
    [{}, undefined],
    [{ max_resolution: '' }, undefined],
    [{ max_resolution: '720' }, { min: undefined, max: 720 }],
    [{ max_resolution: '720p' }, { min: undefined, max: 720 }],
    [
      { min_resolution: '360', max_resolution: '1080p' },
      { min: 360, max: 1080 },
    ],
    [
      { min_resolution: '480', max_resolution: '480' },
      { min: 480, max: 480 },
    ],
  ])('%j -> %j', (q, expected) => expect(parseResolutionFilter(q)).toEqual(expected));

  it.each([
    [{ max_resolution: 'hd' }, /max_resolution must be a height/],
    [{ max_resolution: '0' }, /max_resolution must be a height/],
    [{ min_resolution: '-1' }, /min_resolution must be a height/],
    [{ max_resolution: ['720', '1080'] }, /max_resolution must be a height/],
    [{ min_resolution: '1080', max_resolution: '720' }, /min_resolution \(1080\) is above/],
  ])('%j -> 400 InvalidResolution', (q, message) => {
    expect(() => parseResolutionFilter(q)).toThrow(message);
    expect(() => parseResolutionFilter(q)).toThrow(
      expect.objectContaining({ status: 400, reason: 'InvalidResolution' }),
    );
  });

  it('keys filters for memoisation', () => {
    expect([filterKey(undefined), filterKey({ max: 720 }), filterKey({ min: 1, max: 2 })]).toEqual([
      '',
      '-720',
      '1-2',
    ]);
  });
});
