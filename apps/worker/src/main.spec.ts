import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { WORKER_EXIT } from '@kubevod/contracts';

const root = join(__dirname, '..', '..', '..');

describe('worker command', () => {
  it('exits with the invalid-spec code and names the variable on bad configuration', () => {
    let status = 0;
    let output = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
        cwd: root,
        env: { ...process.env, LOG_LEVEL: 'loud' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      status = e.status;
      output = e.stdout + e.stderr;
    }
    expect(status).toBe(WORKER_EXIT.invalidSpec);
    expect(output).toContain('LOG_LEVEL');
    expect(JSON.parse(output.trim().split('\n').pop()!)).toMatchObject({ level: 60, app: 'worker' });
  }, 30_000);
});
