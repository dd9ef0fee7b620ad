/** One report of `ffmpeg -progress`: the key=value block that ends with `progress=...`. */
export interface FfmpegProgress {
  /** output time reached, in seconds */
  outTimeSeconds: number;
  /** multiples of real time, when ffmpeg knows it */
  speed?: number;
  frame?: number;
  /** true on the final block */
  end: boolean;
}

/**
 * Incremental parser of `-progress pipe:1` output: feed it chunks as they arrive, get the
 * completed blocks back. Pure: no streams, no timers.
 */
export class ProgressParser {
  private buffered = '';
  private block = new Map<string, string>();

  push(chunk: string): FfmpegProgress[] {
    this.buffered += chunk;
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    const reports: FfmpegProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key !== 'progress') {
        this.block.set(key, value);
        continue;
      }
      reports.push(toProgress(this.block, value === 'end'));
      this.block = new Map();
    }
    return reports;
  }
}

function toProgress(block: Map<string, string>, end: boolean): FfmpegProgress {
  const us = Number(block.get('out_time_us') ?? block.get('out_time_ms'));
  const speed = Number.parseFloat(block.get('speed') ?? '');
  const frame = Number(block.get('frame'));
  return {
    outTimeSeconds: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
    ...(Number.isFinite(speed) && speed >= 0 ? { speed } : {}),
    ...(Number.isFinite(frame) && block.has('frame') ? { frame } : {}),
    end,
  };
}

/** Percent of the encode done, 0..100, from the output time and the probed duration. */
export function encodePercent(outTimeSeconds: number, durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  return Math.min(100, Math.max(0, (outTimeSeconds / durationSeconds) * 100));
}
