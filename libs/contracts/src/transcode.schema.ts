import { z } from 'zod';
import { TRANSCODE_NAME_MAX } from './api-group';
import { CONDITION_REASONS, CONDITION_TYPES, PHASES } from './reasons';

/**
 * The Transcode contract: the ONE source of truth. The CRD (crds/transcodes.media.kubevod.io.yaml)
 * is generated from these schemas, and the API and the controller validate with them at run time.
 *
 * Why zod v4: one definition gives TypeScript types, run-time parsing with field-level error
 * paths (the API's 400s), and native JSON Schema output (`z.toJSONSchema`) with metadata passed
 * through, which is all the CRD generator needs. `.meta({...})` carries Kubernetes extensions
 * (CEL rules, list types, int-or-string) straight into the generated schema.
 */

const cel = (...rules: { rule: string; message: string }[]) => ({
  'x-kubernetes-validations': rules,
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** A Kubernetes resource quantity ("2", "500m", "4Gi" or a bare integer). */
const quantity = z.union([z.int().min(0).max(1_000_000), z.string().regex(QUANTITY).max(32)]).meta({
  'x-kubernetes-int-or-string': true,
  description: 'A Kubernetes quantity, e.g. 2, 500m or 4Gi.',
});

const stringMap = (what: string) =>
  z
    .record(z.string().max(253), z.string().max(1024))
    .meta({ description: what, maxProperties: 64 });

export const SourceSchema = z
  .object({
    bucket: z
      .string()
      .min(3)
      .max(63)
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
      .describe('Bucket of the source object in the S3-compatible store.'),
    key: z.string().min(1).max(1024).describe('Key of the source object in the bucket.'),
  })
  .meta({
    description: 'The source video: an object in S3-compatible storage. Immutable after creation.',
    ...cel({ rule: 'self == oldSelf', message: 'spec.source is immutable' }),
  });

export const OUTPUT_FORMATS = ['hls', 'dash'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const LADDER_PROFILES = ['default', 'mobile', 'audio'] as const;
export type LadderProfile = (typeof LADDER_PROFILES)[number];

export const RenditionSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(32)
      .regex(DNS_LABEL)
      .describe('Name of the rendition, unique in the ladder (e.g. 720p); used in object keys.'),
    height: z
      .int()
      .min(64)
      .max(4320)
      .optional()
      .describe(
        'Rung size in pixels along the short side (the height of a landscape video, the width of a portrait one); the other side follows the source aspect ratio. Omit for audio only.',
      ),
    videoBitrateKbps: z
      .int()
      .min(50)
      .max(100_000)
      .optional()
      .describe('Video bitrate cap (maxrate) in kbit/s. Required with height.'),
    videoCodec: z.enum(['h264']).default('h264').describe('Video codec. Only h264 today.'),
    audioBitrateKbps: z
      .int()
      .min(16)
      .max(512)
      .default(128)
      .describe('AAC audio bitrate in kbit/s.'),
  })
  .meta({
    description:
      'One rung of the ladder: a video rendition (height + bitrate) or audio only (neither).',
    ...cel({
      rule: 'has(self.height) == has(self.videoBitrateKbps)',
      message: 'height and videoBitrateKbps go together; omit both for an audio-only rendition',
    }),
  });
export type Rendition = z.infer<typeof RenditionSchema>;

export const LadderSchema = z
  .object({
    profile: z
      .enum(LADDER_PROFILES)
      .optional()
      .describe('A named ladder profile: default (1080p..360p), mobile (720p..240p) or audio.'),
    renditions: z
      .array(RenditionSchema)
      .min(1)
      .max(8)
      .optional()
      .describe('An explicit ladder; renditions above the source resolution are dropped.'),
  })
  .meta({
    description: 'The ABR ladder: a named profile or explicit renditions (exactly one).',
    ...cel(
      {
        rule: 'has(self.profile) != has(self.renditions)',
        message: 'set exactly one of ladder.profile or ladder.renditions',
      },
      {
        rule: '!has(self.renditions) || self.renditions.all(r, self.renditions.exists_one(o, o.name == r.name))',
        message: 'rendition names must be unique',
      },
    ),
  });

export const TolerationSchema = z
  .object({
    key: z.string().max(253).optional().describe('Taint key the toleration applies to.'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (default Equal).'),
    value: z.string().max(63).optional().describe('Taint value the toleration matches.'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .optional()
      .describe('Taint effect to match; empty matches all.'),
    tolerationSeconds: z
      .int()
      .min(0)
      .optional()
      .describe('How long a NoExecute taint is tolerated.'),
  })
  .describe('A pod toleration, as in core/v1.');

export const ResourcesSchema = z
  .object({
    requests: z
      .object({
        cpu: quantity.optional().describe('CPU request.'),
        memory: quantity.optional().describe('Memory request.'),
        'ephemeral-storage': quantity.optional().describe('Scratch space request.'),
      })
      .optional()
      .describe('Resource requests of the worker container.'),
    limits: z
      .object({
        cpu: quantity.optional().describe('CPU limit.'),
        memory: quantity.optional().describe('Memory limit.'),
        'ephemeral-storage': quantity.optional().describe('Scratch space limit.'),
      })
      .optional()
      .describe('Resource limits of the worker container.'),
  })
  .describe('Resources of the worker container, overriding the configured defaults.');

export const PlacementSchema = z
  .object({
    nodeSelector: stringMap(
      'Node labels the worker pod must match (replaces the configured selector).',
    ).optional(),
    tolerations: z
      .array(TolerationSchema)
      .max(16)
      .optional()
      .describe('Tolerations of the worker pod (replace the configured ones).'),
    resources: ResourcesSchema.optional(),
  })
  .describe(
    'Overrides for where and how big the worker Job runs; defaults come from the controller configuration.',
  );

export const TranscodeSpecSchema = z
  .object({
    source: SourceSchema,
    formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).max(2).default(['hls', 'dash']).meta({
      description:
        'Manifest formats to publish over the same CMAF segments: hls, dash or both (default).',
      'x-kubernetes-list-type': 'set',
    }),
    ladder: LadderSchema.default({ profile: 'default' }),
    placement: PlacementSchema.optional(),
    priority: z
      .int()
      .min(-100)
      .max(100)
      .default(0)
      .describe('Queue priority: higher runs first when the concurrency cap holds work back.'),
    deletionPolicy: z
      .enum(['Delete', 'Retain'])
      .default('Delete')
      .describe(
        'What happens to the published outputs when the Transcode is deleted: Delete (default) or Retain.',
      ),
    sourceDeletionPolicy: z
      .enum(['Delete', 'Retain'])
      .default('Retain')
      .describe(
        'What happens to the source object when the Transcode is deleted: Retain (default) or Delete.',
      ),
    labels: stringMap(
      'Labels passed through to the worker Job and the published record.',
    ).optional(),
  })
  .describe('What to make: the source, the formats, the ladder and how the work runs.');
export type TranscodeSpec = z.infer<typeof TranscodeSpecSchema>;
export type TranscodeSpecInput = z.input<typeof TranscodeSpecSchema>;

const time = z.iso.datetime({ offset: true });

export const ConditionSchema = z
  .object({
    type: z.enum(CONDITION_TYPES).describe('Ready, Progressing or Failed.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
    reason: z
      .enum(CONDITION_REASONS)
      .describe('Machine-readable CamelCase reason from the closed list.'),
    message: z.string().max(32_768).describe('Human-readable details.'),
    lastTransitionTime: time.describe('When the status last changed.'),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the condition was set for.'),
  })
  .describe('A condition, following the Kubernetes API conventions.');
export type Condition = z.infer<typeof ConditionSchema>;

export const RenditionProgressSchema = z
  .object({
    name: z.string().max(32).describe('Rendition name.'),
    percent: z.number().min(0).max(100).describe('Percent encoded.'),
  })
  .describe('Progress of one rendition.');

export const ProgressSchema = z
  .object({
    percent: z.int().min(0).max(100).describe('Overall percent done.'),
    speed: z.number().min(0).optional().describe('Encoding speed in multiples of real time.'),
    renditions: z
      .array(RenditionProgressSchema)
      .max(16)
      .optional()
      .describe('Per-rendition progress.'),
    updatedAt: time.optional().describe('When the worker last reported.'),
  })
  .describe('Progress reported by the worker.');
export type Progress = z.infer<typeof ProgressSchema>;

export const ProbedSourceSchema = z
  .object({
    durationSeconds: z.number().min(0).describe('Duration in seconds.'),
    width: z.int().min(0).optional().describe('Display width in pixels (after rotation).'),
    height: z.int().min(0).optional().describe('Display height in pixels (after rotation).'),
    frameRate: z.number().min(0).optional().describe('Frames per second.'),
    videoCodec: z.string().max(64).optional().describe('Video codec of the source.'),
    audioCodec: z.string().max(64).optional().describe('Audio codec of the source.'),
    container: z.string().max(128).optional().describe('Container format of the source.'),
    sizeBytes: z.int().min(0).optional().describe('Size of the source object in bytes.'),
  })
  .describe('Facts probed from the source.');
export type ProbedSource = z.infer<typeof ProbedSourceSchema>;

export const PublishedRenditionSchema = z
  .object({
    name: z.string().max(32).describe('Rendition name.'),
    width: z.int().min(0).optional().describe('Width in pixels; absent for audio only.'),
    height: z.int().min(0).optional().describe('Height in pixels; absent for audio only.'),
    bitrateKbps: z.int().min(0).describe('Peak bitrate in kbit/s as advertised in the manifests.'),
    codecs: z.string().max(128).describe('RFC 6381 codecs string, e.g. avc1.64001f,mp4a.40.2.'),
  })
  .describe('A published rendition.');
export type PublishedRendition = z.infer<typeof PublishedRenditionSchema>;

export const OutputsSchema = z
  .object({
    bucket: z.string().max(63).describe('Bucket holding the outputs.'),
    prefix: z.string().max(1024).describe('Key prefix of every published object.'),
    manifests: z
      .object({
        hls: z.string().max(1024).optional().describe('Object key of the HLS master playlist.'),
        dash: z.string().max(1024).optional().describe('Object key of the DASH MPD.'),
      })
      .describe('Manifest object keys per format.'),
    readyRecord: z.string().max(1024).describe('Object key of the ready record, written last.'),
    renditions: z.array(PublishedRenditionSchema).max(16).describe('Published renditions.'),
  })
  .describe('What the worker published.');
export type Outputs = z.infer<typeof OutputsSchema>;

export const TranscodeStatusSchema = z
  .object({
    phase: z.enum(PHASES).optional().describe('Pending, Running, Succeeded or Failed.'),
    conditions: z
      .array(ConditionSchema)
      .max(8)
      .optional()
      .meta({
        description: 'Ready, Progressing and Failed conditions.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the status was computed for.'),
    progress: ProgressSchema.optional(),
    startTime: time.optional().describe('When the worker Job started.'),
    completionTime: time.optional().describe('When the transcode finished (succeeded or failed).'),
    source: ProbedSourceSchema.optional(),
    outputs: OutputsSchema.optional(),
    renditionCount: z.int().min(0).optional().describe('Number of published renditions.'),
    jobName: z.string().max(63).optional().describe('Name of the current worker Job.'),
    attempt: z.int().min(0).optional().describe('Retry attempt; each attempt gets its own Job.'),
  })
  .describe(
    'What happened: phase, conditions, progress, probed source facts and published outputs.',
  );
export type TranscodeStatus = z.infer<typeof TranscodeStatusSchema>;

/** Root-level rules (CEL) that need metadata. */
export const TRANSCODE_ROOT_RULES = [
  {
    rule: `size(self.metadata.name) <= ${TRANSCODE_NAME_MAX}`,
    message: `metadata.name must be at most ${TRANSCODE_NAME_MAX} characters (the worker Job's name derives from it)`,
  },
];

export interface TranscodeMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface Transcode {
  apiVersion: string;
  kind: string;
  metadata: TranscodeMetadata;
  spec: TranscodeSpec;
  status?: TranscodeStatus;
}
