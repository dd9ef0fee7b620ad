import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateTranscodeSpec } from '@kubevod/contracts';
import { parse, stringify } from 'yaml';
import { installCrd, kubectl } from '../support/kubectl';

const root = join(__dirname, '..', '..');
const ns = `crd-${Date.now().toString(36)}`;

function transcode(name: string, spec: Record<string, unknown>) {
  return stringify({
    apiVersion: 'media.kubevod.io/v1alpha1',
    kind: 'Transcode',
    metadata: { name, namespace: ns },
    spec,
  });
}
const source = { bucket: 'kubevod', key: 'sources/a/source' };

describe('the generated Transcode CRD on a real kube-apiserver', () => {
  beforeAll(() => {
    installCrd(root);
    expect(kubectl(['create', 'namespace', ns]).code).toBe(0);
  });
  afterAll(() => {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('documents the spec for kubectl explain', () => {
    // the API server publishes a new CRD's OpenAPI a few seconds after it is established
    let explained = kubectl(['explain', 'transcode.spec']);
    for (let i = 0; i < 30 && explained.code !== 0; i++) {
      execFileSync('sleep', ['1']);
      explained = kubectl(['explain', 'transcode.spec']);
    }
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(
      'What to make: the source, the formats, the ladder and how the work runs.',
    );
    expect(explained.stdout).toContain('deletionPolicy');
    const ladder = kubectl(['explain', 'tc.spec.ladder.renditions.videoBitrateKbps']);
    expect(ladder.stdout).toContain('Video bitrate cap (maxrate) in kbit/s.');
  });

  it('accepts a valid Transcode, defaults it, and prints the columns', () => {
    expect(kubectl(['apply', '-f', '-'], transcode('ok', { source })).code).toBe(0);
    const stored = JSON.parse(kubectl(['get', 'tc', 'ok', '-n', ns, '-o', 'json']).stdout);
    expect(stored.spec).toEqual({
      source,
      formats: ['hls', 'dash'],
      ladder: { profile: 'default' },
      priority: 0,
      deletionPolicy: 'Delete',
      sourceDeletionPolicy: 'Retain',
    });

    const status = {
      status: {
        phase: 'Running',
        progress: { percent: 42, speed: 1.5 },
        renditionCount: 4,
        jobName: 'ok-12345678-0',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Encoding',
            message: 'encoding',
            lastTransitionTime: '2026-11-22T00:00:00Z',
          },
        ],
      },
    };
    const patched = kubectl([
      'patch',
      'tc',
      'ok',
      '-n',
      ns,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    expect(patched.stderr).toBe('');

    const table = kubectl(['get', 'tc', '-n', ns]).stdout.split('\n');
    expect(table[0].split(/\s+/).filter(Boolean)).toEqual([
      'NAME',
      'PHASE',
      'PROGRESS',
      'RENDITIONS',
      'AGE',
    ]);
    expect(table[1].split(/\s+/).slice(0, 4)).toEqual(['ok', 'Running', '42', '4']);
    const wide = kubectl(['get', 'transcodes', '-n', ns, '-o', 'wide']).stdout.split('\n');
    expect(wide[0].split(/\s+/).filter(Boolean)).toEqual([
      'NAME',
      'PHASE',
      'PROGRESS',
      'RENDITIONS',
      'AGE',
      'REASON',
      'JOB',
    ]);
    expect(wide[1]).toMatch(/Encoding\s+ok-12345678-0\s*$/);
    expect(kubectl(['get', 'kubevod', '-n', ns, '-o', 'name']).stdout).toContain(
      'transcode.media.kubevod.io/ok',
    );
  });

  it.each([
    ['an unknown format', 'f', { source, formats: ['smooth'] }, 'Unsupported value: "smooth"'],
    [
      'a negative bitrate',
      'b',
      { source, ladder: { renditions: [{ name: 'x', height: 720, videoBitrateKbps: -5 }] } },
      'should be greater than or equal to 50',
    ],
    [
      'an empty ladder',
      'e',
      { source, ladder: { renditions: [] } },
      'should have at least 1 items',
    ],
    [
      'profile and renditions together',
      'p',
      { source, ladder: { profile: 'default', renditions: [{ name: 'a' }] } },
      'set exactly one of ladder.profile or ladder.renditions',
    ],
    [
      'a height without a bitrate',
      'h',
      { source, ladder: { renditions: [{ name: 'a', height: 720 }] } },
      'height and videoBitrateKbps go together',
    ],
    [
      'duplicate rendition names',
      'd',
      { source, ladder: { renditions: [{ name: 'a' }, { name: 'a' }] } },
      'rendition names must be unique',
    ],
    [
      'an oversized name',
      'n'.repeat(49),
      { source },
      'metadata.name must be at most 48 characters',
    ],
    [
      'a bad bucket name',
      'k',
      { source: { bucket: 'Bad_Bucket', key: 'k' } },
      'spec.source.bucket',
    ],
  ])('rejects %s with our message', (_what, name, spec, message) => {
    const result = kubectl(['apply', '-f', '-'], transcode(name, spec));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it.each(readdirSync(join(root, 'k8s/samples')))(
    'accepts the sample k8s/samples/%s (server-side dry run) and the shared schema agrees',
    (file) => {
      const text = readFileSync(join(root, 'k8s/samples', file), 'utf8');
      const sample = parse(text) as { kind: string; spec: unknown };
      expect(sample.kind).toBe('Transcode');
      expect(validateTranscodeSpec(sample.spec)).toMatchObject({ ok: true });
      const r = kubectl(['apply', '--dry-run=server', '-n', ns, '-f', '-'], text);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );

  it('keeps spec.source immutable (CEL transition rule)', () => {
    expect(kubectl(['apply', '-f', '-'], transcode('imm', { source })).code).toBe(0);
    const changed = kubectl(
      ['apply', '-f', '-'],
      transcode('imm', { source: { ...source, key: 'other' } }),
    );
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('spec.source is immutable');
  });

  it('rejects a status reason outside the closed list', () => {
    expect(kubectl(['apply', '-f', '-'], transcode('reason', { source })).code).toBe(0);
    const bad = {
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Whatever',
            message: '',
            lastTransitionTime: '2026-11-22T00:00:00Z',
          },
        ],
      },
    };
    const result = kubectl([
      'patch',
      'tc',
      'reason',
      '-n',
      ns,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(bad),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Unsupported value: "Whatever"');
  });
});
