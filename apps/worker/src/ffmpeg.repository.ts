import {
  invalidInput,
  limitExceeded,
  ProgressParser,
  type FfmpegExit,
  type FfmpegProgress,
} from '@kubevod/ffmpeg';

/** Bounds on what we keep of a child's output: a hostile input must not fill our memory. */
const STDERR_TAIL_BYTES = 16 * 1024;
const PROBE_MAX_OUTPUT = 4 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 120_000;
/** after SIGTERM, ffmpeg gets this long to exit before SIGKILL */
const KILL_GRACE_MS = 5_000;

export interface EncodeRun extends FfmpegExit {
  lastProgress?: FfmpegProgress;
}

/**
 * execa is ESM-only: loaded with import() so the worker runs the same under node (compiled),
 * tsx and jest (tsx's CommonJS hooks cannot resolve execa's import-only dependencies).
 */
const loadExeca = () => import('execa').then((m) => m.execa);

/** The only place ffmpeg and ffprobe run: execa, argv arrays, no shell. */
export class FfmpegRepository {
  constructor(private readonly bins: { ffmpeg: string; ffprobe: string }) {}

  /** Runs ffprobe; a source it cannot read is InvalidInput. Returns its parsed JSON. */
  async probe(cwd: string, args: string[], signal?: AbortSignal): Promise<unknown> {
    const execa = await loadExeca();
    const result = await execa(this.bins.ffprobe, args, {
      cwd,
      reject: false,
      stdin: 'ignore',
      maxBuffer: PROBE_MAX_OUTPUT,
      timeout: PROBE_TIMEOUT_MS,
      ...(signal ? { cancelSignal: signal } : {}),
      forceKillAfterDelay: KILL_GRACE_MS,
    });
    if (result.isCanceled) throw new Error('probe stopped: the worker was asked to stop');
    if (result.isMaxBuffer)
      throw limitExceeded('the probe output is too large (too many streams?)');
    if (result.timedOut) throw invalidInput('the probe did not finish in time');
    if (result.signal) throw new Error(`ffprobe killed by ${result.signal}`);
    if (result.exitCode !== 0) {
      const why = tail(String(result.stderr)).trim().split('\n').pop() ?? '';
      throw invalidInput(
        `not a media file we accept: ${why.replace(/^file:source: /, '') || `ffprobe exit ${result.exitCode}`}`,
      );
    }
    try {
      return JSON.parse(String(result.stdout));
    } catch {
      throw invalidInput('the probe output is not JSON');
    }
  }

  /**
   * Runs ffmpeg with `-progress pipe:1` on stdout; reports progress blocks as they come, keeps
   * only the tail of stderr, forwards cancellation as SIGTERM (SIGKILL after a grace period).
   */
  async encode(
    cwd: string,
    args: string[],
    options: { onProgress?: (p: FfmpegProgress) => void; signal?: AbortSignal } = {},
  ): Promise<EncodeRun> {
    const execa = await loadExeca();
    const child = execa(this.bins.ffmpeg, args, {
      cwd,
      reject: false,
      stdin: 'ignore',
      buffer: false,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      forceKillAfterDelay: KILL_GRACE_MS,
    });
    const parser = new ProgressParser();
    let lastProgress: FfmpegProgress | undefined;
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const p of parser.push(chunk)) {
        lastProgress = p;
        options.onProgress?.(p);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = tail(stderr + chunk);
    });
    const result = await child;
    return {
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      ...(result.signal && !result.isCanceled ? { signal: result.signal } : {}),
      cancelled: result.isCanceled,
      stderr,
      ...(lastProgress ? { lastProgress } : {}),
    };
  }
}

function tail(text: string): string {
  return text.length > STDERR_TAIL_BYTES ? text.slice(-STDERR_TAIL_BYTES) : text;
}
