import { ApiError } from '../errors/api-error';
import { buildTranscodeSpec, parseUploadOptions } from './upload-options';

const source = { bucket: 'kubevod', key: 'sources/vabc/source' };
const build = (fields: Record<string, string[]>) =>
  buildTranscodeSpec(parseUploadOptions(fields), source);

function fieldsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    expect(err.statusCode).toBe(400);
    expect(err.reason).toBe('InvalidOptions');
    return err.fields;
  }
  throw new Error('expected 400 InvalidOptions');
}

describe('upload options', () => {
  it('defaults everything from the shared schema when nothing is asked', () => {
    expect(build({})).toEqual({
      source,
      formats: ['hls', 'dash'],
      ladder: { profile: 'default' },
      priority: 0,
      deletionPolicy: 'Delete',
      sourceDeletionPolicy: 'Delete',
    });
  });

  it('takes a profile, comma-separated formats, JSON labels plus label=k=v, and a priority', () => {
    expect(
      build({
        profile: ['mobile'],
        formats: ['hls'],
        labels: ['{"team":"blue"}'],
        label: ['env=prod', 'tier=gold'],
        priority: ['-5'],
        filename: ['holiday.mov'],
      }),
    ).toEqual({
      source,
      formats: ['hls'],
      ladder: { profile: 'mobile' },
      labels: { team: 'blue', env: 'prod', tier: 'gold' },
      priority: -5,
      deletionPolicy: 'Delete',
      sourceDeletionPolicy: 'Delete',
    });
  });

  it('takes explicit renditions and formats as JSON, filling rendition defaults', () => {
    expect(
      build({
        renditions: ['[{"name":"720p","height":720,"videoBitrateKbps":3000},{"name":"audio"}]'],
        formats: ['["dash"]'],
      }).ladder,
    ).toEqual({
      renditions: [
        {
          name: '720p',
          height: 720,
          videoBitrateKbps: 3000,
          videoCodec: 'h264',
          audioBitrateKbps: 128,
        },
        { name: 'audio', videoCodec: 'h264', audioBitrateKbps: 128 },
      ],
    });
  });

  it('reports schema problems with the spec field paths', () => {
    expect(fieldsOf(() => build({ profile: ['huge'], formats: ['hls,flv'] }))).toEqual([
      { path: 'formats.1', message: 'Invalid option: expected one of "hls"|"dash"' },
      {
        path: 'ladder.profile',
        message: 'Invalid option: expected one of "default"|"mobile"|"audio"',
      },
    ]);
  });

  it('enforces what the CRD checks with CEL: unique names, height with bitrate', () => {
    expect(
      fieldsOf(() =>
        build({
          renditions: [
            '[{"name":"720p","height":10,"videoBitrateKbps":3000},{"name":"720p","height":720}]',
          ],
          priority: ['1000'],
        }),
      ),
    ).toEqual([
      { path: 'ladder.renditions.0.height', message: 'Too small: expected number to be >=64' },
      { path: 'priority', message: 'Too big: expected number to be <=100' },
      { path: 'ladder.renditions.1.name', message: 'rendition names must be unique' },
      {
        path: 'ladder.renditions.1',
        message: 'height and videoBitrateKbps go together; omit both for an audio-only rendition',
      },
    ]);
  });

  it('refuses a profile together with renditions, unknown fields, bad JSON and repeated single fields', () => {
    expect(
      fieldsOf(() =>
        parseUploadOptions({
          colour: ['red'],
          profile: ['default', 'mobile'],
          renditions: ['[oops'],
          labels: ['["a"]'],
          label: ['novalue'],
          priority: ['high'],
        }),
      ),
    ).toEqual([
      {
        path: 'colour',
        message:
          'unknown option; expected one of profile, renditions, formats, labels, label, priority',
      },
      { path: 'profile', message: 'may be given only once' },
      { path: 'ladder', message: 'set exactly one of profile or renditions' },
      { path: 'ladder.renditions', message: 'must be valid JSON' },
      { path: 'labels', message: 'must be a JSON object of strings' },
      { path: 'label', message: 'expected key=value, got "novalue"' },
      { path: 'priority', message: 'must be an integer' },
    ]);
  });

  it('holds labels to Kubernetes label rules because they also label the Transcode', () => {
    expect(
      fieldsOf(() =>
        build({
          labels: ['{"team":"blue","bad key!":"x","app.kubernetes.io/name":"x","ok":"bad value"}'],
        }),
      ),
    ).toEqual([
      {
        path: 'labels.bad key!',
        message:
          'the key name must be 1-63 characters: letters, digits, "-", "_", "." and start and end with a letter or digit',
      },
      {
        path: 'labels.app.kubernetes.io/name',
        message: 'the key prefix app.kubernetes.io is reserved',
      },
      {
        path: 'labels.ok',
        message:
          'the value must be at most 63 characters: letters, digits, "-", "_", "." and start and end with a letter or digit',
      },
    ]);
  });

  it('puts every field problem into the message too', () => {
    try {
      build({ priority: ['x'] });
    } catch (err) {
      expect((err as Error).message).toBe('invalid upload options: priority: must be an integer');
      return;
    }
    throw new Error('expected an error');
  });
});
