import { ExponentialBackoff } from './rate-limiter';
import { WorkQueue } from './work-queue';

describe('ExponentialBackoff', () => {
  it('doubles per consecutive failure up to the cap, and forgets', () => {
    const b = new ExponentialBackoff<string>(5, 100);
    expect([b.when('a'), b.when('a'), b.when('a'), b.when('a'), b.when('a'), b.when('a')]).toEqual([
      5, 10, 20, 40, 80, 100,
    ]);
    expect(b.when('b')).toBe(5);
    expect(b.retries('a')).toBe(6);
    b.forget('a');
    expect(b.when('a')).toBe(5);
  });

  it('never overflows', () => {
    const b = new ExponentialBackoff<string>(5, 1000);
    for (let i = 0; i < 2000; i++) b.when('k');
    expect(b.when('k')).toBe(1000);
  });
});

describe('WorkQueue', () => {
  it('deduplicates a key added many times while queued', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key being processed to a second worker; re-queues it after done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = await q.get();
    q.add('a'); // arrives while a worker holds it
    expect(q.length).toBe(0);
    q.done(first!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('runs at most `concurrency` handlers and one per key at a time', async () => {
    const q = new WorkQueue<string>();
    let inFlight = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let perKeyPeak = 0;
    const seen: string[] = [];
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
    const running = q.run(2, async (key) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      perKeyPeak = Math.max(perKeyPeak, perKey.get(key)!);
      if (key === 'a' && !seen.includes('a')) q.add('a'); // re-added during its own reconcile
      seen.push(key);
      await new Promise((r) => setTimeout(r, 10));
      perKey.set(key, perKey.get(key)! - 1);
      inFlight--;
    });
    while (seen.length < 6) await new Promise((r) => setTimeout(r, 5));
    q.shutDown();
    await running;
    expect(peak).toBe(2);
    expect(perKeyPeak).toBe(1);
    expect([...seen].sort()).toEqual(['a', 'a', 'b', 'c', 'd', 'e']);
  });

  it('re-queues a failing key with growing backoff and forgets it after a success', async () => {
    const q = new WorkQueue<string>(new ExponentialBackoff(20, 1000));
    const times: number[] = [];
    const errors: number[] = [];
    q.add('k');
    const running = q.run(
      1,
      async () => {
        times.push(Date.now());
        if (times.length < 3) throw new Error('boom');
      },
      (_key, _err, retryIn) => errors.push(retryIn),
    );
    while (times.length < 3) await new Promise((r) => setTimeout(r, 5));
    q.shutDown();
    await running;
    expect(errors).toEqual([20, 40]);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(18);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(38);
    expect(q.backoff.retries('k')).toBe(0);
  });

  it('addAfter keeps the earliest of several delays and honours requeueAfterMs', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('k', 10_000);
    q.addAfter('k', 20);
    const t0 = Date.now();
    expect(await q.get()).toBe('k');
    expect(Date.now() - t0).toBeLessThan(5_000);
    q.done('k');
    expect(q.pending).toBe(0);
  });

  it('reports depth and latency', async () => {
    const depths: number[] = [];
    const latencies: number[] = [];
    const q = new WorkQueue<string>(undefined, {
      depth: (n) => depths.push(n),
      latency: (s) => latencies.push(s),
    });
    q.add('a');
    q.add('b');
    await q.get();
    expect(depths).toEqual([1, 2, 1]);
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThanOrEqual(0);
  });

  it('wakes waiting workers with undefined on shutdown', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('x');
    expect(q.length).toBe(0);
  });
});
