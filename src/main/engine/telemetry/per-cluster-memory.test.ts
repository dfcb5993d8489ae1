import { describe, expect, it } from 'vitest';
import { leastSquaresSlope, median, PerClusterMemoryEstimator, RECENT_SAMPLES } from './per-cluster-memory';

const MiB = 1024 * 1024;
const noHistory = () => ({ rss: [], clusters: [] });

describe('per-cluster memory estimate', () => {
  it('is (RSS now - RSS with no clusters) / clusters, on medians so one GC swing does not move it', () => {
    const e = new PerClusterMemoryEstimator();
    for (const rss of [100, 101, 99, 300 /* a spike */, 100]) e.observe(rss * MiB, 0);
    expect(e.baselineBytes).toBe(100 * MiB);
    expect(e.estimate(0, noHistory)).toMatchObject({ method: 'none', baselineBytes: 100 * MiB });
    for (let i = 0; i < RECENT_SAMPLES; i++) e.observe((i === 3 ? 400 : 150) * MiB, 10);
    const est = e.estimate(10, noHistory);
    expect(est.method).toBe('baseline');
    expect(est.bytesPerCluster).toBe(5 * MiB);
    expect(est.baselineBytes).toBe(100 * MiB);
    expect(est.clusters).toBe(10);
  });

  it('gives no figure, and says why, when RSS fell below the baseline', () => {
    const e = new PerClusterMemoryEstimator();
    e.observe(200 * MiB, 0);
    e.observe(150 * MiB, 4);
    const est = e.estimate(4, noHistory);
    expect(est.method).toBe('none');
    expect(est.bytesPerCluster).toBeUndefined();
    expect(est.note).toMatch(/not above the no-cluster baseline/);
  });

  it('falls back to the slope of RSS over cluster count when there was never a moment without clusters', () => {
    const e = new PerClusterMemoryEstimator();
    e.observe(500 * MiB, 50);
    const history = () => ({ rss: [300, 400, 500].map((m) => m * MiB), clusters: [10, 30, 50] });
    expect(e.estimate(50, history)).toMatchObject({ method: 'regression', bytesPerCluster: 5 * MiB });
  });

  it('says why when neither method works', () => {
    const e = new PerClusterMemoryEstimator();
    expect(e.estimate(0, noHistory)).toMatchObject({ method: 'none', note: 'no sample taken yet' });
    e.observe(500 * MiB, 50);
    const flat = () => ({ rss: [500 * MiB, 510 * MiB], clusters: [50, 50] });
    const est = e.estimate(50, flat);
    expect(est.method).toBe('none');
    expect(est.bytesPerCluster).toBeUndefined();
    expect(est.note).toMatch(/without clusters/);
  });

  it('median and slope', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(leastSquaresSlope([1, 2, 3], [2, 4, 6])).toBe(2);
    expect(leastSquaresSlope([5, 5], [1, 2])).toBeUndefined();
    expect(leastSquaresSlope([1], [1])).toBeUndefined();
  });
});
