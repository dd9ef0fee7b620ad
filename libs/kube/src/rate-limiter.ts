/**
 * Per-item exponential backoff, as client-go's ItemExponentialFailureRateLimiter:
 * the n-th consecutive failure of a key waits base * 2^(n-1), capped at max.
 */
export class ExponentialBackoff<K = string> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 300_000,
  ) {}

  /** Records one more failure of the key and returns how long to wait before retrying it. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows long before the cap matters: clamp the exponent.
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 40));
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}
