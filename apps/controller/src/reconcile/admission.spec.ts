import { admit, type Candidate } from './admission';

const c = (key: string, priority = 0, created = '2026-01-01T00:00:00Z'): Candidate => ({
  key,
  namespace: key.split('/')[0],
  priority,
  created,
});
const none = { total: 0, byNamespace: new Map<string, number>() };

describe('admit', () => {
  it('admits everything without caps', () => {
    expect(admit([c('a/x'), c('b/y')], none, { total: 0, perNamespace: 0 })).toEqual([
      'a/x',
      'b/y',
    ]);
  });

  it('hands free slots out by priority, then age, then name', () => {
    const waiting = [
      c('a/old', 0, '2026-01-01T00:00:00Z'),
      c('a/new', 0, '2026-01-02T00:00:00Z'),
      c('a/urgent', 50, '2026-01-03T00:00:00Z'),
      c('a/b-same', 0, '2026-01-01T00:00:00Z'),
    ];
    expect(admit(waiting, none, { total: 3, perNamespace: 0 })).toEqual([
      'a/urgent',
      'a/b-same',
      'a/old',
    ]);
    const busy = { total: 2, byNamespace: new Map([['a', 2]]) };
    expect(admit(waiting, busy, { total: 3, perNamespace: 0 })).toEqual(['a/urgent']);
    expect(
      admit(waiting, { total: 3, byNamespace: new Map() }, { total: 3, perNamespace: 0 }),
    ).toEqual([]);
  });

  it('a namespace at its own cap does not hold back other namespaces', () => {
    const running = { total: 1, byNamespace: new Map([['a', 1]]) };
    const waiting = [c('a/hi', 100), c('a/hi2', 90), c('b/lo', -5), c('b/lo2', -6)];
    expect(admit(waiting, running, { total: 3, perNamespace: 1 })).toEqual(['b/lo']);
    expect(admit(waiting, none, { total: 0, perNamespace: 2 })).toEqual([
      'a/hi',
      'a/hi2',
      'b/lo',
      'b/lo2',
    ]);
  });
});
