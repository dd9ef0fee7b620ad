import { RETRY_ANNOTATION } from '@kubevod/contracts';
import {
  TRANSCODE_API_VERSION,
  TRANSCODE_KIND,
  type Transcode,
  type TranscodeSpec,
} from '@kubevod/contracts';

export const MANAGED_BY_LABELS = {
  'app.kubernetes.io/managed-by': 'kubevod-api',
  'app.kubernetes.io/part-of': 'kubevod',
} as const;

export const ANNOTATIONS = {
  filename: 'media.kubevod.io/original-filename',
  uploadedVia: 'media.kubevod.io/uploaded-via',
  sourceBytes: 'media.kubevod.io/source-bytes',
  mediaKind: 'media.kubevod.io/sniffed-container',
  /** bumped by POST /v1/videos/:id/retry; the controller starts a new attempt when it changes */
  retry: RETRY_ANNOTATION,
} as const;

export const IDEMPOTENCY_LABEL = 'media.kubevod.io/idempotency-key';

export interface NewTranscode {
  id: string;
  namespace: string;
  spec: TranscodeSpec;
  via: 'multipart' | 'tus';
  filename?: string;
  sourceBytes: number;
  mediaKind: string;
  idempotencyLabel?: string;
}

/** Annotation values are free text, but keep a client's file name short and printable. */
function cleanFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 255);
}

/** The Transcode the API creates for a finished upload: user labels, then ours (which win). */
export function transcodeFor(upload: NewTranscode): Transcode {
  const annotations: Record<string, string> = {
    [ANNOTATIONS.uploadedVia]: upload.via,
    [ANNOTATIONS.sourceBytes]: String(upload.sourceBytes),
    [ANNOTATIONS.mediaKind]: upload.mediaKind,
  };
  if (upload.filename) annotations[ANNOTATIONS.filename] = cleanFilename(upload.filename);
  return {
    apiVersion: TRANSCODE_API_VERSION,
    kind: TRANSCODE_KIND,
    metadata: {
      name: upload.id,
      namespace: upload.namespace,
      labels: {
        ...(upload.spec.labels ?? {}),
        ...(upload.idempotencyLabel ? { [IDEMPOTENCY_LABEL]: upload.idempotencyLabel } : {}),
        ...MANAGED_BY_LABELS,
      },
      annotations,
    },
    spec: upload.spec,
  };
}

/** The next value of the retry annotation: one more than the last (absent or junk counts as 0). */
export function nextRetry(current: string | undefined): string {
  const n = Number(current);
  return String(Number.isInteger(n) && n >= 0 ? n + 1 : 1);
}
