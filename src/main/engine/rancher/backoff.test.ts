// The reconnect delays a thousand dropped tunnels wait: doubling up to a cap,
// spread by full jitter, and back to the base after a session that stayed up.
import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

/** Delays drawn with a fixed jitter draw, so the caps themselves show. */
function delays(backoff: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => backoff.next());
}

describe('Backoff', () => {
  it('doubles from the base up to the cap', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
    expect(delays(backoff, 6)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoff.attempts).toBe(6);
  });

  it('spreads each delay over [0, cap) with full jitter', () => {
    const draws = [0, 0.5, 0.25];
    const backoff = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => draws.shift() ?? 0 });
    // Caps 1000, 2000, 4000: the draws pick a point inside each.
    expect(delays(backoff, 3)).toEqual([0, 1000, 1000]);
  });

  it('with Math.random, never waits the cap or more, and never less than zero', () => {
    const backoff = new Backoff({ baseMs: 10, capMs: 80 });
    for (const d of delays(backoff, 200)) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(80);
    }
  });

  it('resets after a session that lasted healthyAfterMs, not after a shorter one', () => {
    const backoff = new Backoff({
      baseMs: 100,
      capMs: 10_000,
      healthyAfterMs: 30_000,
      random: () => 0.999999,
    });
    delays(backoff, 4);
    backoff.sessionEnded(29_999);
    expect(backoff.next()).toBe(1599);
    backoff.sessionEnded(30_000);
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(99);
  });

  it('does not overflow after very many attempts', () => {
    const backoff = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0.5 });
    const last = delays(backoff, 5000).at(-1);
    expect(last).toBe(30_000);
  });
});
