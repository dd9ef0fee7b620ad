import {
  toStructural,
  transcodeCrd,
  transcodeOpenApiSchema,
  undocumentedFields,
  type JsonSchema,
} from './crd';

describe('toStructural', () => {
  it('drops JSON-Schema-only keywords and additionalProperties:false', () => {
    expect(
      toStructural({
        $schema: 'x',
        type: 'object',
        additionalProperties: false,
        properties: {
          m: {
            type: 'object',
            propertyNames: { type: 'string' },
            additionalProperties: { type: 'string' },
          },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: { m: { type: 'object', additionalProperties: { type: 'string' } } },
    });
  });

  it('spells int-or-string the Kubernetes way', () => {
    expect(
      toStructural({
        description: 'q',
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
      }),
    ).toEqual({
      description: 'q',
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: '^[0-9]+$',
    });
  });

  it('refuses unions and untyped nodes, naming the path', () => {
    expect(() =>
      toStructural({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }] } } }),
    ).toThrow('$.a: unions');
    expect(() => toStructural({ type: 'object', properties: { b: {} } })).toThrow(
      '$.b: every node needs a type',
    );
  });

  it('drops the lookaround regex zod attaches to date-time fields', () => {
    expect(toStructural({ type: 'string', format: 'date-time', pattern: '^(?=x)' })).toEqual({
      type: 'string',
      format: 'date-time',
    });
  });
});

describe('Transcode CRD', () => {
  const crd = transcodeCrd() as {
    metadata: JsonSchema;
    spec: Record<string, unknown> & { versions: JsonSchema[] };
  };

  it('has the names of the product card', () => {
    expect(crd.metadata.name).toBe('transcodes.media.kubevod.io');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toEqual({
      kind: 'Transcode',
      listKind: 'TranscodeList',
      plural: 'transcodes',
      singular: 'transcode',
      shortNames: ['tc'],
      categories: ['kubevod'],
    });
  });

  it('shows Phase, Progress, Renditions and Age, and Reason and Job with -o wide', () => {
    const columns = crd.spec.versions[0].additionalPrinterColumns as {
      name: string;
      priority?: number;
    }[];
    expect(columns.filter((c) => !c.priority).map((c) => c.name)).toEqual([
      'Phase',
      'Progress',
      'Renditions',
      'Age',
    ]);
    expect(columns.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['Reason', 'Job']);
    expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
  });

  it('documents every field', () => {
    expect(undocumentedFields(transcodeOpenApiSchema())).toEqual([]);
  });

  it('carries the cross-field CEL rules', () => {
    const json = JSON.stringify(transcodeOpenApiSchema());
    expect(json).toContain('spec.source is immutable');
    expect(json).toContain('set exactly one of ladder.profile or ladder.renditions');
    expect(json).toContain('metadata.name must be at most 48 characters');
  });

  it('enumerates the closed list of condition reasons', () => {
    const status = (transcodeOpenApiSchema().properties as Record<string, JsonSchema>).status;
    const condition = (
      (status.properties as Record<string, JsonSchema>).conditions.items as JsonSchema
    ).properties as Record<string, JsonSchema>;
    expect(condition.reason.enum).toContain('InvalidInput');
    expect(condition.reason.enum).toContain('BackoffLimitExceeded');
  });
});
