import { describe, expect, it } from 'vitest';
import type { AppProcessMetric, TelemetrySampleEvent } from '../../../shared/telemetry';
import { LoadSampler, type LoadSources } from './load-sampler';

const MiB = 1024 * 1024;

/** A sampler on a hand-driven clock, memory and CPU, with sources the test changes between samples. */
function harness(options: { capacity?: number; appProcesses?: () => AppProcessMetric[] } = {}) {
  const state = {
    now: 1_000_000,
    rss: 100 * MiB,
    cpuMicros: 0,
    frames: 0,
    bytes: 0,
    sessions: 0,
    connections: 0,
    active: 0,
    total: 0,
    rancher: true,
  };
  const sources: LoadSources = {
    traffic: () => (state.rancher ? { frames: state.frames, bytes: state.bytes } : undefined),
    tunnels: () => ({ sessions: state.sessions, connections: state.connections }),
    clusters: () => ({ active: state.active, total: state.total }),
    ...(options.appProcesses ? { appProcesses: options.appProcesses } : {}),
  };
  const sampler = new LoadSampler(sources, {
    capacity: options.capacity,
    now: () => state.now,
    memoryUsage: () => ({
      rss: state.rss,
      heapUsed: 40 * MiB,
      heapTotal: 60 * MiB,
      external: 5 * MiB,
      arrayBuffers: 2 * MiB,
    }),
    cpuUsage: () => ({ user: state.cpuMicros, system: 0 }),
  });
  return { state, sampler };
}

describe('LoadSampler', () => {
  it('turns traffic totals and CPU time into per-second rates over the real elapsed time', () => {
    const { state, sampler } = harness();
    sampler.sample(); // the first sample only sets where rates start
    state.now += 2000;
    state.frames += 1000;
    state.bytes += 64_000;
    state.cpuMicros += 500_000; // 0.5 s of CPU in 2 s
    const { sample } = sampler.sample();
    expect(sample.t).toBe(state.now);
    expect(sample.framesPerSec).toBe(500);
    expect(sample.bytesPerSec).toBe(32_000);
    expect(sample.cpuPercent).toBeCloseTo(25);
    expect(sample).toMatchObject({
      rssBytes: 100 * MiB,
      heapUsedBytes: 40 * MiB,
      heapTotalBytes: 60 * MiB,
      externalBytes: 5 * MiB,
      arrayBuffersBytes: 2 * MiB,
    });
  });

  it('passes sessions, connections and cluster counts through; no Rancher means no traffic', () => {
    const { state, sampler } = harness();
    Object.assign(state, { sessions: 6, connections: 11, active: 3, total: 4, rancher: false });
    state.now += 1000;
    const { sample } = sampler.sample();
    expect(sample).toMatchObject({
      sessions: 6,
      connections: 11,
      clustersActive: 3,
      clustersTotal: 4,
      framesPerSec: 0,
      bytesPerSec: 0,
    });
  });

  it('never shows a negative rate when a total goes back (a restarted source)', () => {
    const { state, sampler } = harness();
    state.frames = 5000;
    sampler.sample();
    state.frames = 100;
    state.now += 1000;
    expect(sampler.sample().sample.framesPerSec).toBe(0);
    state.frames = 400;
    state.now += 1000;
    expect(sampler.sample().sample.framesPerSec).toBe(300);
  });

  it('keeps a bounded history and slices the last N seconds, oldest first', () => {
    const { state, sampler } = harness({ capacity: 5 });
    for (let i = 0; i < 8; i++) {
      state.now += 1000;
      state.rss = (100 + i) * MiB;
      sampler.sample();
    }
    expect(sampler.size).toBe(5);
    const all = sampler.history();
    expect(all.capacity).toBe(5);
    expect(all.intervalMs).toBe(1000);
    expect(all.columns.rssBytes).toEqual([103, 104, 105, 106, 107].map((m) => m * MiB));
    const last3 = sampler.history(3);
    expect(last3.columns.t).toEqual([state.now - 2000, state.now - 1000, state.now]);
    expect(Object.values(last3.columns).every((c) => c.length === 3)).toBe(true);
    expect(sampler.history(3600).columns.t).toHaveLength(5);
  });

  it('holds an hour of one-second samples by default', () => {
    const { state, sampler } = harness();
    expect(sampler.capacity).toBeGreaterThanOrEqual(3600);
    for (let i = 0; i < 3700; i++) {
      state.now += 1000;
      sampler.sample();
    }
    const hour = sampler.history(3600);
    expect(hour.columns.t).toHaveLength(3600);
    expect(hour.columns.t.at(-1)! - hour.columns.t[0]!).toBe(3599_000);
  });

  it('estimates memory per cluster from the RSS without clusters', () => {
    const { state, sampler } = harness();
    for (let i = 0; i < 3; i++) {
      state.now += 1000;
      sampler.sample();
    }
    Object.assign(state, { rss: 140 * MiB, total: 20, active: 20 });
    let event: TelemetrySampleEvent | undefined;
    for (let i = 0; i < 12; i++) {
      state.now += 1000;
      event = sampler.sample();
    }
    expect(event!.perCluster).toMatchObject({
      method: 'baseline',
      baselineBytes: 100 * MiB,
      bytesPerCluster: 2 * MiB,
      clusters: 20,
    });
    expect(sampler.history().perCluster.bytesPerCluster).toBe(2 * MiB);
  });

  it("carries the desktop app's processes and their total working set", () => {
    const processes: AppProcessMetric[] = [
      { type: 'Browser', pid: 1, workingSetBytes: 200 * MiB, peakWorkingSetBytes: 250 * MiB, cpuPercent: 3 },
      { type: 'Tab', pid: 2, workingSetBytes: 120 * MiB, peakWorkingSetBytes: 130 * MiB, cpuPercent: 1 },
    ];
    const { sampler } = harness({ appProcesses: () => processes });
    const event = sampler.sample();
    expect(event.appProcesses).toEqual(processes);
    expect(event.sample.appProcessesBytes).toBe(320 * MiB);
    expect(harness().sampler.sample().appProcesses).toBeUndefined();
  });

  it('samples on its own timer with real event-loop figures, and stops', async () => {
    const sampler = new LoadSampler(
      {
        traffic: () => undefined,
        tunnels: () => ({ sessions: 0, connections: 0 }),
        clusters: () => ({ active: 0, total: 0 }),
      },
      { intervalMs: 25 },
    );
    const events: TelemetrySampleEvent[] = [];
    sampler.start((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 180));
    sampler.stop();
    const seen = events.length;
    expect(seen).toBeGreaterThanOrEqual(3);
    // The delay histogram runs (its figures include its 10 ms resolution, so they are never 0 once it ticked).
    expect(events.some((e) => e.sample.eventLoopMeanMs > 0 && e.sample.eventLoopMaxMs > 0)).toBe(true);
    for (const e of events) {
      expect(Number.isFinite(e.sample.eventLoopMeanMs)).toBe(true);
      expect(e.sample.eventLoopMaxMs).toBeGreaterThanOrEqual(e.sample.eventLoopP99Ms);
      expect(e.sample.rssBytes).toBeGreaterThan(0);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(seen);
    expect(sampler.size).toBe(seen);
  });
});
