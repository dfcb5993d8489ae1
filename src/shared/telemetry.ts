/**
 * The engine's load over time, as the Memory screen and the status bar see
 * it: one sample a second, an hour and more of history. Plain data only:
 * this file is shared with the renderer.
 */

/** The numeric fields of a sample, in column order. `t` is ms since the epoch. */
export const LOAD_FIELDS = [
  't',
  'rssBytes',
  'heapUsedBytes',
  'heapTotalBytes',
  'externalBytes',
  'arrayBuffersBytes',
  'cpuPercent',
  'eventLoopMeanMs',
  'eventLoopP99Ms',
  'eventLoopMaxMs',
  'sessions',
  'connections',
  'framesPerSec',
  'bytesPerSec',
  'clustersActive',
  'clustersTotal',
  /** Sum of every Electron process's working set (desktop app only; 0 elsewhere). */
  'appProcessesBytes',
] as const;

export type LoadField = (typeof LOAD_FIELDS)[number];

/** One second of the engine's load. */
export type LoadSample = Record<LoadField, number>;

/** One process of the desktop app (Electron's app.getAppMetrics), in bytes and percent of one core. */
export interface AppProcessMetric {
  /** Browser (the main process, which hosts the engine), Tab (a window), GPU, Utility... */
  type: string;
  pid: number;
  /** What the process is for, when Electron says (e.g. "Network Service"). */
  name?: string;
  workingSetBytes: number;
  peakWorkingSetBytes: number;
  cpuPercent: number;
}

/**
 * Memory per simulated cluster, estimated from the engine's RSS (see
 * per-cluster-memory.ts in the engine for the method).
 */
export interface PerClusterMemory {
  /** 'baseline': (RSS now - RSS with no clusters) / clusters; 'regression': slope of RSS over cluster count. */
  method: 'baseline' | 'regression' | 'none';
  bytesPerCluster?: number;
  /** RSS with no clusters, when known. */
  baselineBytes?: number;
  clusters: number;
  /** Why there is no estimate, or how it was made, in a sentence. */
  note: string;
}

/** What `telemetry.sample` pushes each second. */
export interface TelemetrySampleEvent {
  sample: LoadSample;
  perCluster: PerClusterMemory;
  /** The desktop app's processes at this sample (absent in web mode / headless). */
  appProcesses?: AppProcessMetric[];
}

/** What `telemetry.history` answers: the samples as columns, oldest first. */
export interface TelemetryHistory {
  intervalMs: number;
  /** How many samples the engine keeps. */
  capacity: number;
  columns: Record<LoadField, number[]>;
  perCluster: PerClusterMemory;
  appProcesses?: AppProcessMetric[];
}

export interface TelemetryHistoryRequest {
  /** Only the last this many seconds (default: all kept). */
  seconds?: number;
}

/** Frames and bytes a tunnel has carried, over all its sessions (the metrics' traffic counters). */
export interface TunnelTraffic {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** A profile of the engine (CPU or heap) as a file to save: it opens in Chrome DevTools. */
export interface ProfileFile {
  fileName: string;
  text: string;
}
