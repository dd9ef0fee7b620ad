import { z } from 'zod';
import {
  TRANSCODE_CATEGORIES,
  TRANSCODE_CRD_NAME,
  TRANSCODE_GROUP,
  TRANSCODE_KIND,
  TRANSCODE_PLURAL,
  TRANSCODE_SHORT_NAMES,
  TRANSCODE_SINGULAR,
  TRANSCODE_VERSION,
} from './api-group';
import {
  TRANSCODE_ROOT_RULES,
  TranscodeSpecSchema,
  TranscodeStatusSchema,
} from './transcode.schema';

/** An OpenAPI v3 schema node as Kubernetes stores it. */
export type JsonSchema = { [key: string]: unknown };

const SAFE_INT = Number.MAX_SAFE_INTEGER;
const DROPPED_KEYS = new Set(['$schema', 'propertyNames', 'id', '$id']);

/**
 * Turns zod's JSON Schema into a Kubernetes structural schema: no `additionalProperties: false`,
 * no JSON-Schema-only keywords, int-or-string spelled the Kubernetes way, RE2-safe patterns.
 * Throws on constructs a structural schema cannot hold, so the generator never emits a CRD the
 * API server would reject.
 */
export function toStructural(node: JsonSchema, path = '$'): JsonSchema {
  if (node['x-kubernetes-int-or-string'] === true) {
    const branches = (node.anyOf as JsonSchema[] | undefined) ?? [];
    const pattern = branches.find((b) => b.type === 'string')?.pattern;
    return clean({
      description: node.description,
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern,
    });
  }
  if (node.anyOf || node.oneOf || node.allOf) {
    throw new Error(
      `${path}: unions are not structural; use x-kubernetes-int-or-string or split the field`,
    );
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'pattern' && node.format) continue; // zod's date-time regex uses lookarounds (not RE2)
    if ((key === 'maximum' && value === SAFE_INT) || (key === 'minimum' && value === -SAFE_INT))
      continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [
          name,
          toStructural(child, `${path}.${name}`),
        ]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toStructural(value as JsonSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  if (out.type === undefined) throw new Error(`${path}: every node needs a type`);
  return out;
}

function clean(node: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined));
}

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }) as JsonSchema;
}

/** Paths (like `$.spec.source.bucket`) of every property that lacks a description. */
export function undocumentedFields(node: JsonSchema, path = '$'): string[] {
  const missing: string[] = [];
  const props = (node.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(props)) {
    if (path === '$' && name === 'metadata') continue; // standard metadata: documented by Kubernetes
    if (!child.description) missing.push(`${path}.${name}`);
    missing.push(...undocumentedFields(child, `${path}.${name}`));
  }
  if (node.items) missing.push(...undocumentedFields(node.items as JsonSchema, `${path}[]`));
  return missing;
}

export function transcodeOpenApiSchema(): JsonSchema {
  return {
    type: 'object',
    description:
      'A Transcode turns one source video in S3-compatible storage into an adaptive-bitrate ' +
      'ladder of CMAF segments with HLS and DASH manifests, encoded by a Kubernetes Job.',
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion of this object: media.kubevod.io/v1alpha1.',
      },
      kind: { type: 'string', description: 'Kind of this object: Transcode.' },
      // the API server allows nothing but `type` here (metadata is implicit)
      metadata: { type: 'object' },
      spec: toStructural(jsonSchemaOf(TranscodeSpecSchema), '$.spec'),
      status: toStructural(jsonSchemaOf(TranscodeStatusSchema), '$.status'),
    },
    'x-kubernetes-validations': TRANSCODE_ROOT_RULES,
  };
}

/** The Transcode CustomResourceDefinition, generated from the zod schemas. */
export function transcodeCrd(): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: TRANSCODE_CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'kubevod', 'app.kubernetes.io/part-of': 'kubevod' },
    },
    spec: {
      group: TRANSCODE_GROUP,
      scope: 'Namespaced',
      names: {
        kind: TRANSCODE_KIND,
        listKind: `${TRANSCODE_KIND}List`,
        plural: TRANSCODE_PLURAL,
        singular: TRANSCODE_SINGULAR,
        shortNames: [...TRANSCODE_SHORT_NAMES],
        categories: [...TRANSCODE_CATEGORIES],
      },
      versions: [
        {
          name: TRANSCODE_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            {
              name: 'Phase',
              type: 'string',
              jsonPath: '.status.phase',
              description: 'Lifecycle phase.',
            },
            {
              name: 'Progress',
              type: 'integer',
              jsonPath: '.status.progress.percent',
              description: 'Percent done.',
            },
            {
              name: 'Renditions',
              type: 'integer',
              jsonPath: '.status.renditionCount',
              description: 'Published renditions.',
            },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            {
              name: 'Reason',
              type: 'string',
              priority: 1,
              jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
              description: 'Reason of the Ready condition.',
            },
            {
              name: 'Job',
              type: 'string',
              priority: 1,
              jsonPath: '.status.jobName',
              description: 'Current worker Job.',
            },
          ],
          schema: { openAPIV3Schema: transcodeOpenApiSchema() },
        },
      ],
    },
  };
}
