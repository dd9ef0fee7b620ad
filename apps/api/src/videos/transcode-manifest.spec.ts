import { validateTranscodeSpec, type TranscodeSpec } from '@kubevod/contracts';
import { nextRetry, transcodeFor } from './transcode-manifest';

const spec = (labels?: Record<string, string>): TranscodeSpec => {
  const v = validateTranscodeSpec({
    source: { bucket: 'kubevod', key: 'sources/vabc/source' },
    labels,
  });
  if (!v.ok) throw new Error('bad fixture');
  return v.spec;
};

describe('transcodeFor', () => {
  it('names the Transcode by the video id and labels it as ours, keeping user labels', () => {
    expect(
      transcodeFor({
        id: 'vabc',
        namespace: 'media',
        spec: spec({ team: 'blue' }),
        via: 'multipart',
        filename: 'holiday\n.mov',
        sourceBytes: 1234,
        mediaKind: 'mp4',
        idempotencyLabel: 'ab12',
      }),
    ).toEqual({
      apiVersion: 'media.kubevod.io/v1alpha1',
      kind: 'Transcode',
      metadata: {
        name: 'vabc',
        namespace: 'media',
        labels: {
          team: 'blue',
          'media.kubevod.io/idempotency-key': 'ab12',
          'app.kubernetes.io/managed-by': 'kubevod-api',
          'app.kubernetes.io/part-of': 'kubevod',
        },
        annotations: {
          'media.kubevod.io/uploaded-via': 'multipart',
          'media.kubevod.io/source-bytes': '1234',
          'media.kubevod.io/sniffed-container': 'mp4',
          'media.kubevod.io/original-filename': 'holiday.mov',
        },
      },
      spec: spec({ team: 'blue' }),
    });
  });

  it('leaves out the file name and idempotency label when there are none', () => {
    const t = transcodeFor({
      id: 'vx',
      namespace: 'n',
      spec: spec(),
      via: 'tus',
      sourceBytes: 1,
      mediaKind: 'ogg',
    });
    expect(t.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'kubevod-api',
      'app.kubernetes.io/part-of': 'kubevod',
    });
    expect(Object.keys(t.metadata.annotations ?? {})).not.toContain(
      'media.kubevod.io/original-filename',
    );
  });
});

describe('nextRetry', () => {
  it.each([
    [undefined, '1'],
    ['0', '1'],
    ['4', '5'],
    ['junk', '1'],
    ['-3', '1'],
  ])('after %j comes %j', (current, next) => {
    expect(nextRetry(current)).toBe(next);
  });
});
