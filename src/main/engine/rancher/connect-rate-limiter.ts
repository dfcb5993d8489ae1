/**
 * One connect-rate limit for every tunnel of every cluster (a token bucket):
 * after a Rancher restart, a thousand clusters reconnect at most `ratePerSecond`
 * tunnels a second, however their backoffs line up. A deliberate storm mode
 * (fault injection) raises it.
 */
export class ConnectRateLimiter {
  private tokens: number;
  private last = Date.now();
  private queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Connect attempts let through, with their times (bounded), for measuring. */
  readonly granted: number[] = [];

  constructor(
    private ratePerSecond: number,
    private readonly burst = Math.max(1, Math.ceil(ratePerSecond)),
  ) {
    this.tokens = this.burst;
  }

  setRate(ratePerSecond: number): void {
    this.ratePerSecond = Math.max(0.1, ratePerSecond);
    this.pump();
  }

  get rate(): number {
    return this.ratePerSecond;
  }

  /** Resolves when this attempt may connect. */
  acquire(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.queue = this.queue.filter((q) => q !== go);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(go);
      this.pump();
    });
  }

  private pump(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.granted.push(now);
      if (this.granted.length > 10_000) this.granted.splice(0, 5_000);
      this.queue.shift()?.();
    }
    if (this.queue.length > 0 && !this.timer) {
      const wait = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(1, wait),
      );
    }
  }
}
