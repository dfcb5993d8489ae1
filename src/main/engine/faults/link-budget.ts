/**
 * A bandwidth cap as a link's schedule: every chunk books the time the link
 * needs to carry it at the current rate, after what was booked before, and
 * waits until its booking ends. A short burst allowance lets small chunks on
 * an idle link through at once, so only sustained traffic is slowed. One
 * budget is shared by all of a cluster's tunnelled connections in one
 * direction, like the one link they would share.
 */

/** Idle-link credit: this much of a chunk's transfer time is forgiven. */
const BURST_MS = 50;

export class LinkBudget {
  /** When the link is free again (ms since epoch). */
  private freeAt = 0;

  /** Books `bytes` at `bytesPerSecond`; answers how long to hold them (ms, 0: go now). */
  reserve(bytes: number, bytesPerSecond: number, now = Date.now()): number {
    this.freeAt = Math.max(this.freeAt, now) + (bytes * 1000) / bytesPerSecond;
    return Math.max(0, this.freeAt - now - BURST_MS);
  }
}
