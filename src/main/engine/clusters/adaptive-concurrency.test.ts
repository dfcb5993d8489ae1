import { describe, expect, it } from 'vitest';
import { Semaphore } from '../util/semaphore';
import { AdaptiveConcurrency, type ApiserverCounters } from './adaptive-concurrency';

/** A controller over a semaphore with `waiting` extra acquirers queued, and counters the test moves. */
async function setup(initial: number, waiting = 100) {
  const slots = new Semaphore(1);
  const counters: ApiserverCounters = { requests: 0, totalMs: 0, throttled: 0 };
  const changes: string[] = [];
  const control = new AdaptiveConcurrency({
    slots,
    counters: () => counters,
    min: 2,
    max: 64,
    initial,
    onChange: (limit, why) => changes.push(`${limit}: ${why}`),
  });
  for (let i = 0; i < waiting; i++) void slots.acquire();
  await Promise.resolve();
  /** One window of `n` calls averaging `ms`, with `throttled` 429s. */
  const window = (n: number, ms: number, throttled = 0) => {
    counters.requests += n;
    counters.totalMs += n * ms;
    counters.throttled += throttled;
    control.tick();
  };
  window(0, 0); // the first tick only takes the counters' starting point
  return { slots, control, window, changes };
}

describe('AdaptiveConcurrency', () => {
  it('grows while latency stays flat and every slot is busy', async () => {
    const { control, window } = await setup(8);
    for (let i = 0; i < 10; i++) window(20, 10);
    expect(control.limit).toBeGreaterThan(20);
    expect(control.limit).toBeLessThanOrEqual(64);
  });

  it('never passes its maximum', async () => {
    const { control, window } = await setup(8);
    for (let i = 0; i < 100; i++) window(20, 10);
    expect(control.limit).toBe(64);
  });

  it('does not grow when slots are free: no demand, no evidence', async () => {
    const { control, window } = await setup(8, 0);
    for (let i = 0; i < 10; i++) window(20, 10);
    expect(control.limit).toBe(8);
  });

  it('backs off on a 429 at once, and says why', async () => {
    const { control, window, changes } = await setup(20);
    window(20, 10, 1);
    expect(control.limit).toBe(14);
    expect(changes.at(-1)).toMatch(/throttled 1 calls \(429\)/);
  });

  it('backs off when latency stays well above the best seen, down to its minimum; one slow window is not enough', async () => {
    const { control, window, changes } = await setup(20);
    window(20, 10);
    const grown = control.limit;
    window(20, 40);
    expect(control.limit).toBe(grown);
    for (let i = 0; i < 3; i++) window(20, 40);
    expect(control.limit).toBe(Math.floor(grown * 0.8));
    expect(changes.at(-1)).toMatch(/latency \d+ ms against 10 ms at best in the last 300 s/);
    for (let i = 0; i < 20; i++) window(20, 400);
    expect(control.limit).toBe(2);
  });

  it('holds steady between flat and slow, and ignores windows with too few calls', async () => {
    const { control, window } = await setup(10);
    window(20, 10);
    const after = control.limit;
    window(20, 30); // smoothed 16 ms: neither flat (15) nor slow (30)
    expect(control.limit).toBe(after);
    window(2, 1000); // two calls say nothing
    expect(control.limit).toBe(after);
  });

  it('lets the baseline drift up under a lasting change, so it grows again', async () => {
    const { control, window } = await setup(10);
    window(20, 10);
    const before = control.limit;
    for (let i = 0; i < 5; i++) window(20, 30); // up to 3x the best: held, not grown
    expect(control.limit).toBe(before);
    for (let i = 0; i < 330; i++) window(20, 30);
    expect(control.baseline).toBeGreaterThan(20);
    expect(control.limit).toBeGreaterThan(before);
  });
});
