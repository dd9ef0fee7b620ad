import { labelProblems } from './labels';

describe('labelProblems', () => {
  it('accepts valid labels and names each bad or reserved one', () => {
    expect(labelProblems({ team: 'media', 'example.com/tier': 'gold', empty: '' })).toEqual([]);
    expect(labelProblems(undefined)).toEqual([]);
    expect(
      labelProblems({
        'bad key!': 'x',
        ok: 'not valid value',
        long: 'x'.repeat(64),
        'app.kubernetes.io/name': 'mine',
      }),
    ).toEqual([
      'spec.labels: "bad key!" is not a valid label key',
      'spec.labels.ok: "not valid value" is not a valid label value',
      `spec.labels.long: "${'x'.repeat(64)}" is not a valid label value`,
      'spec.labels: "app.kubernetes.io/name" is reserved',
    ]);
  });
});
