import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectRateLimiter } from './connect-rate-limiter';

describe('ConnectRateLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** Starts one attempt per label and records the order in which they are let through. */
  function start(
    limiter: ConnectRateLimiter,
    labels: string[],
    order: string[],
    signal?: AbortSignal,
  ): Promise<unknown>[] {
    return labels.map((label) =>
      limiter.acquire(signal).then(
        () => order.push(label),
        () => order.push(`${label}:aborted`),
      ),
    );
  }

  it('lets a burst through at once, then the rate per second', async () => {
    const limiter = new ConnectRateLimiter(10);
    const order: string[] = [];
    start(
      limiter,
      Array.from({ length: 25 }, (_, i) => `a${i}`),
      order,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(499);
    expect(order.length).toBeLessThan(25);
    await vi.advanceTimersByTimeAsync(600);
    expect(order).toHaveLength(25);
  });

  it('drops an aborted attempt from its queue without spending a token', async () => {
    const limiter = new ConnectRateLimiter(1, 1);
    const order: string[] = [];
    const ac = new AbortController();
    start(limiter, ['x'], order);
    start(limiter, ['gone'], order, ac.signal);
    start(limiter, ['y'], order);
    ac.abort(new Error('stopped'));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['x', 'gone:aborted']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(['x', 'gone:aborted', 'y']);
  });

  it('records when each attempt was let through, for the benchmark to check the rate', async () => {
    const limiter = new ConnectRateLimiter(5);
    start(limiter, ['a', 'b', 'c', 'd', 'e', 'f', 'g'], []);
    await vi.advanceTimersByTimeAsync(1000);
    expect(limiter.granted).toHaveLength(7);
    expect(limiter.granted.at(-1)! - limiter.granted[0]!).toBeLessThanOrEqual(1000);
  });
});
