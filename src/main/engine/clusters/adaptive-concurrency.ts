/**
 * How many clusters are made at once, adapted to the main apiserver: the
 * limit grows while the apiserver's answers stay as fast as the best seen
 * and every slot is busy, and is cut as soon as it throttles (429) or slows
 * down. A fixed number is either too low for a fast apiserver (the waits on
 * Rancher then set the pace) or too high for a slow one (timeouts, 429s).
 *
 * Each tick reads the engine's counters of its apiserver calls (requests,
 * summed duration, 429s) and compares the window's mean latency with the
 * baseline: the lowest window mean, let drift up slowly so a lasting change
 * of the apiserver (more objects, more load) becomes the new normal.
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
  onChange?: (limit: number, why: string) => void;
}

/** Latency up to this multiple of the baseline counts as flat. */
const FLAT = 1.5;
/** Above this multiple the apiserver is queueing: back off. */
const SLOW = 2.5;
/** How fast the baseline may drift up per window (2%). */
const DRIFT = 1.02;

export class AdaptiveConcurrency {
  private limitNow: number;
  private baselineMs: number | undefined;
  private last: ApiserverCounters | undefined;

  constructor(private readonly options: AdaptiveConcurrencyOptions) {
    this.limitNow = clamp(options.initial, options.min, options.max);
    options.slots.setLimit(this.limitNow);
  }

  get limit(): number {
    return this.limitNow;
  }

  get baseline(): number | undefined {
    return this.baselineMs;
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
    const meanMs = (now.totalMs - before.totalMs) / requests;
    const baseline = Math.min(meanMs, (this.baselineMs ?? meanMs) * DRIFT);
    this.baselineMs = baseline;
    if (meanMs > baseline * SLOW) {
      this.set(
        Math.floor(this.limitNow * 0.8),
        `main apiserver latency ${meanMs.toFixed(0)} ms against ${baseline.toFixed(0)} ms at best`,
      );
    } else if (meanMs <= baseline * FLAT && this.options.slots.saturated) {
      this.set(this.limitNow + Math.max(1, Math.round(this.limitNow * 0.1)), 'latency flat, every slot busy');
    }
  }

  private set(limit: number, why: string): void {
    const next = clamp(limit, this.options.min, this.options.max);
    if (next === this.limitNow) return;
    this.limitNow = next;
    this.options.slots.setLimit(next);
    this.options.onChange?.(next, why);
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v));
}
