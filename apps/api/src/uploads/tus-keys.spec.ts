import { tusIdFor, tusIdFromUrlSegment, tusSidecarKeys, videoIdOfTusId } from './tus-keys';

describe('tus ids', () => {
  it('are the source keys of their videos, both ways', () => {
    expect(tusIdFor('vabc')).toBe('sources/vabc/source');
    expect(videoIdOfTusId('sources/vabc/source')).toBe('vabc');
    expect(tusIdFromUrlSegment('vabc')).toBe('sources/vabc/source');
  });

  it('refuse anything that is not a video id', () => {
    for (const bad of ['', '..', 'a/b', 'UPPER', '-x', 'x'.repeat(64), undefined]) {
      expect(tusIdFromUrlSegment(bad)).toBeUndefined();
    }
    expect(videoIdOfTusId('sources/vabc/source.info')).toBeUndefined();
    expect(videoIdOfTusId('videos/vabc/source')).toBeUndefined();
  });

  it('name the bookkeeping objects next to the source', () => {
    expect(tusSidecarKeys('sources/vabc/source')).toEqual([
      'sources/vabc/source.info',
      'sources/vabc/source.part',
    ]);
  });
});
