/**
 * How many clusters are made at once, adapted to the main apiserver: the
 * limit grows while the apiserver's answers stay as fast as the best seen
 * and every slot is busy, and is cut as soon as it throttles (429) or slows
 * down. A fixed number is either too low for a fast apiserver (the waits on
 * Rancher then set the pace) or too high for a slow one (timeouts, 429s).
 *
 * Each tick reads the engine's counters of its apiserver calls (requests,
 * summed duration, 429s), smooths the window's mean latency (one slow
 * window, a GC pause or a burst of other clients, must not halve the
 * limit: on a busy 2-core machine single windows swing threefold) and
 * compares it with the baseline: the lowest smoothed latency of the last
 * five minutes. An all-time minimum would be the idle apiserver's, which any
 * useful load exceeds; a short window lets latency creep up unseen (a
 * 1,000-cluster run with a 30 s window grew the limit to 64 while every step
 * got ten times slower); five minutes lets a lasting change (more objects,
 * other clients) become the new normal without that creep.
 */
import type { Semaphore } from '../util/semaphore';

export interface ApiserverCounters {
  requests: number;
  /** Summed request durations, ms. */
  totalMs: number;
  /** Answers that were 429 (throttled). */
  throttled: number;
}

export interface AdaptiveConcurrencyOptions {
  slots: Semaphore;
  counters: () => ApiserverCounters | undefined;
  min: number;
  max: number;
  initial: number;
  /** Fewer calls than this in a window say nothing about latency. */
  minSamples?: number;
  /** `grew`: the limit went up (routine while clusters are made) rather than down (worth telling). */
  onChange?: (limit: number, why: string, grew: boolean) => void;
}

/** Latency up to this multiple of the baseline counts as flat. */
const FLAT = 1.5;
/** Above this multiple the apiserver is queueing: back off. */
const SLOW = 3;
/** Windows the baseline is the minimum of (ticks are about a second apart). */
const BASELINE_WINDOWS = 300;
/** Weight of the newest window in the smoothed latency (about the last five windows count). */
const SMOOTHING = 0.3;

export class AdaptiveConcurrency {
  private limitNow: number;
  /** Recent smoothed latencies, newest last. */
  private readonly recentMs: number[] = [];
  private smoothedMs: number | undefined;
  private last: ApiserverCounters | undefined;

  constructor(private readonly options: AdaptiveConcurrencyOptions) {
    this.limitNow = clamp(options.initial, options.min, options.max);
    options.slots.setLimit(this.limitNow);
  }

  get limit(): number {
    return this.limitNow;
  }

  /** The lowest recent smoothed latency, ms. */
  get baseline(): number | undefined {
    return this.recentMs.length ? Math.min(...this.recentMs) : undefined;
  }

  /** One window: called on a timer (every second or so). */
  tick(): void {
    const now = this.options.counters();
    if (!now) return;
    const before = this.last ?? now;
    this.last = { ...now };
    const requests = now.requests - before.requests;
    const throttled = now.throttled - before.throttled;
    if (throttled > 0) {
      this.set(Math.floor(this.limitNow * 0.7), `the main apiserver throttled ${throttled} calls (429)`);
      return;
    }
    if (requests < (this.options.minSamples ?? 5)) return;
    const windowMs = (now.totalMs - before.totalMs) / requests;
    const meanMs = (this.smoothedMs ?? windowMs) + (windowMs - (this.smoothedMs ?? windowMs)) * SMOOTHING;
    this.smoothedMs = meanMs;
    this.recentMs.push(meanMs);
    if (this.recentMs.length > BASELINE_WINDOWS) this.recentMs.shift();
    const baseline = this.baseline ?? meanMs;
    if (meanMs > baseline * SLOW) {
      this.set(
        Math.floor(this.limitNow * 0.8),
        `main apiserver latency ${meanMs.toFixed(0)} ms against ${baseline.toFixed(0)} ms at best in the last ${BASELINE_WINDOWS} s`,
      );
    } else if (meanMs <= baseline * FLAT && this.options.slots.saturated) {
      this.set(this.limitNow + Math.max(1, Math.round(this.limitNow * 0.1)), 'latency flat, every slot busy');
    }
  }

  private set(limit: number, why: string): void {
    const next = clamp(limit, this.options.min, this.options.max);
    if (next === this.limitNow) return;
    const grew = next > this.limitNow;
    this.limitNow = next;
    this.options.slots.setLimit(next);
    this.options.onChange?.(next, why, grew);
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v));
}
