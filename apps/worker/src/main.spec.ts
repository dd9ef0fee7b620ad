import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKER_EXIT } from '@kubevod/contracts';

const root = join(__dirname, '..', '..', '..');

function runWorker(env: Record<string, string>): { status: number; output: string } {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH!, ...env },
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { status: 0, output: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: e.stdout + e.stderr };
  }
}

describe('worker command', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'worker-main-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits with the invalid-spec code and names the variable on bad configuration', () => {
    const termination = join(dir, 'termination-log');
    const { status, output } = runWorker({ LOG_LEVEL: 'loud', TERMINATION_LOG_PATH: termination });
    expect(status).toBe(WORKER_EXIT.invalidSpec);
    expect(output).toContain('LOG_LEVEL');
    expect(JSON.parse(output.trim().split('\n').pop()!)).toMatchObject({
      level: 60,
      app: 'worker',
    });
    const message = JSON.parse(readFileSync(termination, 'utf8'));
    expect(message).toMatchObject({
      reason: 'InvalidSpec',
      exitCode: WORKER_EXIT.invalidSpec,
      retryable: false,
    });
    expect(message.message).toContain('LOG_LEVEL');
  }, 30_000);

  it('rejects an invalid Transcode spec with the field path, before touching storage', () => {
    const termination = join(dir, 'termination-log');
    const { status } = runWorker({
      TERMINATION_LOG_PATH: termination,
      // a closed port: the worker must fail on the spec before it ever connects
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_ACCESS_KEY: 'k',
      S3_SECRET_KEY: 's',
      KUBEVOD_VIDEO_ID: 'abc',
      KUBEVOD_OUTPUT_BUCKET: 'videos',
      KUBEVOD_SPEC: JSON.stringify({
        source: { bucket: 'No_Such!', key: 'k' },
        ladder: { renditions: [{ name: 'x', height: 720, videoBitrateKbps: -1 }] },
      }),
    });
    expect(status).toBe(WORKER_EXIT.invalidSpec);
    const message = JSON.parse(readFileSync(termination, 'utf8'));
    expect(message.reason).toBe('InvalidSpec');
    expect(message.message).toContain('KUBEVOD_SPEC');
    expect(message.message).toContain('source.bucket');
    expect(message.message).toContain('ladder.renditions.0.videoBitrateKbps');
  }, 30_000);
});
