import { invalidInput } from './errors';

/**
 * A source that decodes only partly must fail, not publish its first seconds: compares how far
 * the encode got with the probed duration. Tolerance: half a second or 2 %, whichever is larger
 * (container durations are approximate, the last frame's duration is a guess).
 */
export function checkDecodedDuration(probedSeconds: number, decodedSeconds: number): void {
  const tolerance = Math.max(0.5, probedSeconds * 0.02);
  if (decodedSeconds < probedSeconds - tolerance) {
    throw invalidInput(
      `decoded only ${decodedSeconds.toFixed(2)} s of the ${probedSeconds.toFixed(2)} s the container announces: truncated or corrupt`,
    );
  }
}

/** How an ffmpeg run ended, as the runner saw it. */
export interface FfmpegExit {
  exitCode?: number;
  /** the signal that killed it, e.g. SIGKILL from the OOM killer */
  signal?: string;
  /** we stopped it (SIGTERM to the pod) */
  cancelled: boolean;
  /** the tail of its stderr */
  stderr: string;
}

export type FfmpegVerdict =
  | { ok: true }
  | { ok: false; retryable: true; message: string }
  | { ok: false; retryable: false; reason: 'InvalidInput' | 'LimitExceeded'; message: string };

/**
 * Blames the input only for what is the input's fault. The argv is ours and the source passed
 * the probe, so a non-zero exit is a decode failure (InvalidInput), except: killed or cancelled
 * (retry), a full scratch disk (retry), an allocation refused by -max_alloc (LimitExceeded:
 * a decode bomb the header did not reveal).
 */
export function ffmpegVerdict(exit: FfmpegExit): FfmpegVerdict {
  const tail = lastLines(exit.stderr, 3);
  if (exit.cancelled)
    return { ok: false, retryable: true, message: 'ffmpeg stopped: the worker was asked to stop' };
  if (exit.signal)
    return { ok: false, retryable: true, message: `ffmpeg killed by ${exit.signal}` };
  if (exit.exitCode === 0) return { ok: true };
  if (/No space left on device/i.test(exit.stderr)) {
    return { ok: false, retryable: true, message: `scratch space full: ${tail}` };
  }
  if (/Cannot allocate memory/i.test(exit.stderr)) {
    return {
      ok: false,
      retryable: false,
      reason: 'LimitExceeded',
      message: `decoding needs more memory than allowed: ${tail}`,
    };
  }
  return {
    ok: false,
    retryable: false,
    reason: 'InvalidInput',
    message: `the source could not be decoded (ffmpeg exit ${exit.exitCode}): ${tail || 'no error output'}`,
  };
}

export function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ').trim();
}
