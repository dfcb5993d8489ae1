/**
 * Samples the engine's load once a second into a bounded history: memory
 * (RSS, heap, external, array buffers), CPU, event-loop delay (mean, p99 and
 * max over that second), open tunnel sessions and tunnelled connections,
 * frames and bytes per second, clusters active and total, and in the desktop
 * app the Electron processes (through a hook: the engine never imports
 * Electron). The Memory screen and the status bar draw from it.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type {
  AppProcessMetric,
  LoadSample,
  TelemetryHistory,
  TelemetrySampleEvent,
} from '../../../shared/telemetry';
import { LOAD_FIELDS } from '../../../shared/telemetry';
import { ColumnRing } from './column-ring';
import { PerClusterMemoryEstimator } from './per-cluster-memory';

/** One hour and a few minutes of one-second samples. */
export const DEFAULT_CAPACITY = 4096;
export const DEFAULT_INTERVAL_MS = 1000;

export interface LoadSources {
  /** Frames and bytes carried by all tunnels so far (totals that only grow); undefined without Rancher. */
  traffic: () => { frames: number; bytes: number } | undefined;
  /** Tunnel sessions open now and the connections they carry. */
  tunnels: () => { sessions: number; connections: number };
  clusters: () => { active: number; total: number };
  /** The desktop app's processes (Electron app.getAppMetrics), given by the shell. */
  appProcesses?: () => AppProcessMetric[];
}

export interface LoadSamplerOptions {
  intervalMs?: number;
  capacity?: number;
  /** For tests: the clock and the process figures. */
  now?: () => number;
  memoryUsage?: () => NodeJS.MemoryUsage;
  cpuUsage?: () => NodeJS.CpuUsage;
}

export class LoadSampler {
  readonly intervalMs: number;
  private readonly ring: ColumnRing<(typeof LOAD_FIELDS)[number]>;
  private readonly estimator = new PerClusterMemoryEstimator();
  private readonly now: () => number;
  private readonly memoryUsage: () => NodeJS.MemoryUsage;
  private readonly cpuUsage: () => NodeJS.CpuUsage;
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; frames: number; bytes: number; cpu: NodeJS.CpuUsage } | undefined;
  private appProcesses: AppProcessMetric[] | undefined;
  private listener: ((event: TelemetrySampleEvent) => void) | undefined;

  constructor(
    private readonly sources: LoadSources,
    options: LoadSamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.ring = new ColumnRing(LOAD_FIELDS, options.capacity ?? DEFAULT_CAPACITY);
    this.now = options.now ?? Date.now;
    this.memoryUsage = options.memoryUsage ?? (() => process.memoryUsage());
    this.cpuUsage = options.cpuUsage ?? (() => process.cpuUsage());
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  get size(): number {
    return this.ring.size;
  }

  /** Samples every interval until stop(); the timer never keeps the process alive. */
  start(onSample?: (event: TelemetrySampleEvent) => void): void {
    if (this.timer) return;
    this.listener = onSample;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.baseline();
    this.timer = setInterval(() => {
      const event = this.sample();
      this.listener?.(event);
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
    this.listener = undefined;
  }

  /** The first rates are measured from here. */
  private baseline(): void {
    const traffic = this.sources.traffic();
    this.last = {
      at: this.now(),
      frames: traffic?.frames ?? 0,
      bytes: traffic?.bytes ?? 0,
      cpu: this.cpuUsage(),
    };
  }

  /** Takes one sample now, keeps it and returns it (the timer calls this; tests call it directly). */
  sample(): TelemetrySampleEvent {
    if (!this.last) this.baseline();
    const last = this.last!;
    const at = this.now();
    const seconds = Math.max((at - last.at) / 1000, 1e-3);
    const mem = this.memoryUsage();
    const cpu = this.cpuUsage();
    const traffic = this.sources.traffic() ?? { frames: last.frames, bytes: last.bytes };
    const tunnels = this.sources.tunnels();
    const clusters = this.sources.clusters();
    const h = this.histogram;
    // The histogram is in nanoseconds and empty (NaN mean) until the loop has turned once.
    const ms = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
    this.appProcesses = this.sources.appProcesses?.();
    const sample: LoadSample = {
      t: at,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      arrayBuffersBytes: mem.arrayBuffers,
      cpuPercent:
        ((cpu.user - last.cpu.user + (cpu.system - last.cpu.system)) / 1000 / (seconds * 1000)) * 100,
      eventLoopMeanMs: h && h.count > 0 ? ms(h.mean) : 0,
      eventLoopP99Ms: h && h.count > 0 ? ms(h.percentile(99)) : 0,
      eventLoopMaxMs: h && h.count > 0 ? ms(h.max) : 0,
      sessions: tunnels.sessions,
      connections: tunnels.connections,
      // Totals never go down, but a restarted source would: never show a negative rate.
      framesPerSec: Math.max(0, (traffic.frames - last.frames) / seconds),
      bytesPerSec: Math.max(0, (traffic.bytes - last.bytes) / seconds),
      clustersActive: clusters.active,
      clustersTotal: clusters.total,
      appProcessesBytes: (this.appProcesses ?? []).reduce((sum, p) => sum + p.workingSetBytes, 0),
    };
    h?.reset();
    this.last = { at, frames: traffic.frames, bytes: traffic.bytes, cpu };
    this.ring.push(sample);
    this.estimator.observe(sample.rssBytes, sample.clustersTotal);
    return this.withContext({ sample });
  }

  private withContext<T extends object>(
    base: T,
  ): T & Pick<TelemetrySampleEvent, 'perCluster' | 'appProcesses'> {
    const latest = this.ring.row(-1);
    return {
      ...base,
      perCluster: this.estimator.estimate(latest?.clustersTotal ?? 0, () => {
        const { rssBytes, clustersTotal } = this.ring.columnsFrom(0, ['rssBytes', 'clustersTotal']);
        return { rss: rssBytes, clusters: clustersTotal };
      }),
      ...(this.appProcesses ? { appProcesses: this.appProcesses } : {}),
    };
  }

  /** The samples of the last `seconds` (all kept when absent), oldest first, as columns. */
  history(seconds?: number): TelemetryHistory {
    const latest = this.ring.row(-1);
    // Samples come every intervalMs give or take timer drift: half an interval of slack keeps
    // "the last N seconds" at N samples even when two of them land 999 ms apart.
    const start =
      seconds === undefined || !latest
        ? 0
        : this.ring.firstAtLeast('t', latest.t - seconds * 1000 + this.intervalMs / 2);
    return this.withContext({
      intervalMs: this.intervalMs,
      capacity: this.ring.capacity,
      columns: this.ring.columnsFrom(start),
    });
  }
}
