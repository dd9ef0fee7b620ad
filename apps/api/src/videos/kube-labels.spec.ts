import { ApiError } from '../errors/api-error';
import { labelKeyProblem, labelSelectorFrom, labelValueProblem } from './kube-labels';

describe('Kubernetes label rules', () => {
  it.each(['team', 'example.com/team', 'a', 'A.b_c-d', 'x'.repeat(63)])(
    'accepts the key %s',
    (key) => {
      expect(labelKeyProblem(key)).toBeUndefined();
    },
  );

  it.each([
    ['', 'name'],
    ['-team', 'name'],
    ['x'.repeat(64), 'name'],
    ['Example.com/team', 'prefix'],
    ['example.com/', 'name'],
    ['media.kubevod.io/retry', 'reserved'],
    ['node.kubernetes.io/x', 'reserved'],
  ])('refuses the key %j (%s)', (key, what) => {
    expect(labelKeyProblem(key)).toContain(what === 'reserved' ? 'reserved' : what);
  });

  it('accepts empty and short values, refuses long or odd ones', () => {
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('v1.2_3-x')).toBeUndefined();
    expect(labelValueProblem('x'.repeat(64))).toMatch(/at most 63/);
    expect(labelValueProblem('with space')).toMatch(/at most 63/);
  });
});

describe('labelSelectorFrom', () => {
  it('joins key=value filters, allowing reserved keys to be filtered on', () => {
    expect(labelSelectorFrom([])).toBeUndefined();
    expect(labelSelectorFrom(['team=blue', 'app.kubernetes.io/managed-by=kubevod-api'])).toBe(
      'team=blue,app.kubernetes.io/managed-by=kubevod-api',
    );
  });

  it('says 400 InvalidLabelSelector with the position of each bad filter', () => {
    try {
      labelSelectorFrom(['team', 'ok=1', 'x=a,b']);
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).reason).toBe('InvalidLabelSelector');
      expect((err as ApiError).fields).toEqual([
        { path: 'label.0', message: 'expected key=value, got "team"' },
        {
          path: 'label.2',
          message:
            'the value must be at most 63 characters: letters, digits, "-", "_", "." and start and end with a letter or digit',
        },
      ]);
      return;
    }
    throw new Error('expected an error');
  });
});
