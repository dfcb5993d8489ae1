/**
 * Reconnect delays: exponential backoff with full jitter (a random delay
 * between 0 and the current cap), reset once a session has stayed up long
 * enough to count as healthy, so a thousand clusters dropped at once do not
 * come back in lockstep.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** A session that lasted this long resets the backoff. */
  healthyAfterMs?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly healthyAfterMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt (and counts the attempt). */
  next(): number {
    const cap = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * cap);
  }

  /** Reports how long the last session lasted; a healthy one resets the backoff. */
  sessionEnded(lastedMs: number): void {
    if (lastedMs >= this.healthyAfterMs) this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
