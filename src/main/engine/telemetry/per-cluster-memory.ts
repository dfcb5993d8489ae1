/**
 * How much memory one simulated cluster costs the engine, estimated from
 * the process's RSS, since nothing in Node can attribute heap to a cluster.
 *
 * The method, in order of preference:
 * 1. baseline: the engine remembers its RSS while it had no clusters (the
 *    median of the latest BASELINE_SAMPLES such seconds, so one GC swing does
 *    not set it). With clusters, the estimate is
 *      (median RSS of the last RECENT_SAMPLES seconds - baseline) / clusters.
 *    Everything the engine holds for clusters (registry, tunnels and their
 *    sessions, watch caches, API state) is in that difference; shared costs
 *    paid once when the first cluster arrives (the kube client, TLS contexts)
 *    are spread over the clusters, so the figure is high for a handful of
 *    clusters and accurate at hundreds.
 * 2. regression: after a restart with clusters restored there is no
 *    baseline; when the cluster count has changed within the history, the
 *    least-squares slope of RSS over cluster count is the marginal cost of a
 *    cluster (the intercept, the engine's own memory, drops out).
 * 3. none: neither is possible yet, and the note says why.
 * The cluster count used is every cluster the engine holds (any status),
 * since each holds its state whether or not it is ready.
 */
import type { PerClusterMemory } from '../../../shared/telemetry';

export const BASELINE_SAMPLES = 30;
export const RECENT_SAMPLES = 10;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Slope of the least-squares line through (x, y); undefined when x does not vary. */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number | undefined {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return undefined;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (ys[i]! - my);
  }
  return sxx === 0 ? undefined : sxy / sxx;
}

export class PerClusterMemoryEstimator {
  private readonly zeroClusterRss: number[] = [];
  private readonly recentRss: number[] = [];

  /** Feeds one sample. */
  observe(rssBytes: number, clusters: number): void {
    this.recentRss.push(rssBytes);
    if (this.recentRss.length > RECENT_SAMPLES) this.recentRss.shift();
    if (clusters === 0) {
      this.zeroClusterRss.push(rssBytes);
      if (this.zeroClusterRss.length > BASELINE_SAMPLES) this.zeroClusterRss.shift();
    }
  }

  get baselineBytes(): number | undefined {
    return this.zeroClusterRss.length > 0 ? median(this.zeroClusterRss) : undefined;
  }

  /** The estimate now; `history` (RSS and cluster count per sample) is read only for the regression. */
  estimate(
    clusters: number,
    history: () => { rss: readonly number[]; clusters: readonly number[] },
  ): PerClusterMemory {
    const baselineBytes = this.baselineBytes;
    const base = baselineBytes !== undefined ? { baselineBytes } : {};
    if (this.recentRss.length === 0)
      return { method: 'none', clusters, ...base, note: 'no sample taken yet' };
    if (clusters === 0)
      return { method: 'none', clusters, ...base, note: 'no clusters: this is the baseline RSS' };
    if (baselineBytes !== undefined) {
      const extra = median(this.recentRss) - baselineBytes;
      // Below the baseline (a GC returned startup memory): too small to tell from the noise, not "0".
      if (extra <= 0)
        return {
          method: 'none',
          clusters,
          baselineBytes,
          note: 'RSS is not above the no-cluster baseline: the clusters cost too little to measure yet',
        };
      return {
        method: 'baseline',
        clusters,
        baselineBytes,
        bytesPerCluster: extra / clusters,
        note: '(RSS now - RSS with no clusters) / clusters',
      };
    }
    const { rss, clusters: counts } = history();
    const slope = leastSquaresSlope(counts, rss);
    if (slope !== undefined && slope > 0) {
      return {
        method: 'regression',
        clusters,
        bytesPerCluster: slope,
        note: 'slope of RSS over the cluster count in the history (no sample without clusters yet)',
      };
    }
    return {
      method: 'none',
      clusters,
      note: 'needs a moment without clusters, or a change in the cluster count, to tell the clusters’ memory from the engine’s own',
    };
  }
}
