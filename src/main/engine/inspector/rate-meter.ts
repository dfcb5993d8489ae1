/**
 * Frames and bytes per second over roughly the last second, in constant
 * memory: the current second's counts plus the previous second's, weighted
 * by how much of it still lies inside the one-second window.
 */
export interface Rates {
  framesPerSecond: number;
  bytesPerSecond: number;
}

export class RateMeter {
  private second = 0;
  private frames = 0;
  private bytes = 0;
  private previousFrames = 0;
  private previousBytes = 0;

  add(bytes: number, now: number): void {
    this.roll(now);
    this.frames++;
    this.bytes += bytes;
  }

  read(now: number): Rates {
    this.roll(now);
    const weight = 1 - (now % 1000) / 1000;
    return {
      framesPerSecond: Math.round(this.previousFrames * weight + this.frames),
      bytesPerSecond: Math.round(this.previousBytes * weight + this.bytes),
    };
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    const consecutive = second === this.second + 1;
    this.previousFrames = consecutive ? this.frames : 0;
    this.previousBytes = consecutive ? this.bytes : 0;
    this.frames = 0;
    this.bytes = 0;
    this.second = second;
  }
}

/** Per-second rates from a counter that only grows (a tunnel's lifetime traffic), sampled when read. */
export class CounterRate {
  private at: number | undefined;
  private frames = 0;
  private bytes = 0;
  private rates: Rates = { framesPerSecond: 0, bytesPerSecond: 0 };

  /** Rates since the previous sample at least a second ago (the first read says 0). */
  read(frames: number, bytes: number, now: number): Rates {
    if (this.at === undefined || frames < this.frames || bytes < this.bytes) {
      this.at = now;
      this.frames = frames;
      this.bytes = bytes;
      return this.rates;
    }
    const elapsed = now - this.at;
    if (elapsed >= 1000) {
      this.rates = {
        framesPerSecond: Math.round(((frames - this.frames) * 1000) / elapsed),
        bytesPerSecond: Math.round(((bytes - this.bytes) * 1000) / elapsed),
      };
      this.at = now;
      this.frames = frames;
      this.bytes = bytes;
    }
    return this.rates;
  }
}
