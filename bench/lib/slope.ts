/**
 * Least-squares slopes for leak checks: one common slope over several
 * stretches, each with its own level (a restart or a fault moves the level;
 * only the drift within a stretch is a leak).
 */

export interface Point {
  /** Seconds. */
  t: number;
  y: number;
}

/** Slope per second of one stretch; 0 with fewer than two distinct times. */
export function slope(points: Point[]): number {
  return pooledSlope([points]);
}

/**
 * The common slope (per second) of several stretches with separate
 * intercepts: sum over stretches of sum (t - mean t)(y - mean y), divided by
 * the same sum of (t - mean t)^2. 0 when no stretch has two distinct times.
 */
export function pooledSlope(stretches: Point[][]): number {
  let num = 0;
  let den = 0;
  for (const s of stretches) {
    if (s.length < 2) continue;
    const mt = s.reduce((a, p) => a + p.t, 0) / s.length;
    const my = s.reduce((a, p) => a + p.y, 0) / s.length;
    for (const p of s) {
      num += (p.t - mt) * (p.y - my);
      den += (p.t - mt) ** 2;
    }
  }
  return den === 0 ? 0 : num / den;
}
