import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('answers until the entry expires, then forgets it', () => {
    const cache = new TtlCache<string, number>(10, clock);
    cache.set('a', 1, 5_000);
    now += 4_999;
    expect(cache.get('a')).toBe(1);
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps entries with their own TTL', () => {
    const cache = new TtlCache<string, string>(10, clock);
    cache.set('found', 'x', 5_000);
    cache.set('missing', 'y', 1_000);
    now += 1_000;
    expect([cache.get('found'), cache.get('missing')]).toEqual(['x', undefined]);
  });

  it('evicts the least recently used entry beyond the bound', () => {
    const cache = new TtlCache<string, number>(2, clock);
    cache.set('a', 1, 10_000);
    cache.set('b', 2, 10_000);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3, 10_000);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([
      1,
      undefined,
      3,
      2,
    ]);
  });

  it('stores nothing with a TTL of 0', () => {
    const cache = new TtlCache<string, number>(2, clock);
    cache.set('a', 1, 0);
    expect(cache.get('a')).toBeUndefined();
  });
});
