/**
 * The engine's load history, kept live from `telemetry.sample`. The sample
 * columns live outside React state (plain arrays appended in place, trimmed
 * to the engine's capacity) so a second's sample costs no copying; the store
 * holds the latest figures and a revision number that charts subscribe to.
 */
import { create } from 'zustand';
import type {
  AppProcessMetric,
  LoadField,
  LoadSample,
  PerClusterMemory,
  TelemetryHistory,
  TelemetrySampleEvent,
} from '../../../../shared/telemetry';
import { LOAD_FIELDS } from '../../../../shared/telemetry';
import { storeEngine } from '../store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('telemetry store');
export const bindTelemetryStore = engine.bind;

export type Columns = Record<LoadField, number[]>;

interface TelemetryState {
  /** Bumps on every change of the columns; charts redraw on it. */
  revision: number;
  latest: LoadSample | undefined;
  perCluster: PerClusterMemory | undefined;
  appProcesses: AppProcessMetric[] | undefined;
  /** Samples kept (the engine's capacity). */
  capacity: number;
  loaded: boolean;
  error: string | undefined;
}

export const useTelemetryStore = create<TelemetryState>(() => ({
  revision: 0,
  latest: undefined,
  perCluster: undefined,
  appProcesses: undefined,
  capacity: 4096,
  loaded: false,
  error: undefined,
}));

const emptyColumns = (): Columns => Object.fromEntries(LOAD_FIELDS.map((f) => [f, []])) as unknown as Columns;

let columns: Columns = emptyColumns();
/** Samples that arrive while the history is loading; merged after it. */
let pending: TelemetrySampleEvent[] | undefined;

function latestOf(c: Columns): LoadSample | undefined {
  const n = c.t.length;
  if (n === 0) return undefined;
  return Object.fromEntries(LOAD_FIELDS.map((f) => [f, c[f][n - 1]])) as LoadSample;
}

function append(event: TelemetrySampleEvent): void {
  const last = columns.t.at(-1);
  if (last !== undefined && event.sample.t <= last) return;
  for (const f of LOAD_FIELDS) columns[f].push(event.sample[f]);
  const { capacity } = useTelemetryStore.getState();
  const excess = columns.t.length - capacity;
  if (excess > 0) for (const f of LOAD_FIELDS) columns[f].splice(0, excess);
}

export function applySample(event: TelemetrySampleEvent): void {
  if (pending) {
    pending.push(event);
    return;
  }
  append(event);
  useTelemetryStore.setState((s) => ({
    revision: s.revision + 1,
    latest: event.sample,
    perCluster: event.perCluster,
    appProcesses: event.appProcesses,
  }));
}

export function applyHistory(history: TelemetryHistory): void {
  columns = emptyColumns();
  for (const f of LOAD_FIELDS) columns[f] = [...(history.columns[f] ?? [])];
  useTelemetryStore.setState({ capacity: history.capacity });
  const waiting = pending ?? [];
  pending = undefined;
  for (const e of waiting) append(e);
  const lastEvent = waiting.at(-1);
  useTelemetryStore.setState((s) => ({
    revision: s.revision + 1,
    latest: latestOf(columns),
    perCluster: lastEvent?.perCluster ?? history.perCluster,
    appProcesses: lastEvent?.appProcesses ?? history.appProcesses,
    loaded: true,
    error: undefined,
  }));
}

export async function loadTelemetryHistory(): Promise<void> {
  pending ??= [];
  try {
    applyHistory(await engine.call('telemetry.history', {}));
  } catch (err) {
    // Keep what we have, and what came in meanwhile.
    const waiting = pending ?? [];
    pending = undefined;
    for (const e of waiting) applySample(e);
    useTelemetryStore.setState({ error: (err as Error).message });
  }
}

/**
 * The columns from `sinceMs` (a sample time) to the newest, for a chart:
 * fresh arrays of the named fields, found by binary search on time.
 */
export function columnsSince<F extends LoadField>(
  fields: readonly F[],
  sinceMs: number,
): Record<F, number[]> {
  const t = columns.t;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < sinceMs) lo = mid + 1;
    else hi = mid;
  }
  return Object.fromEntries(fields.map((f) => [f, columns[f].slice(lo)])) as Record<F, number[]>;
}

/** How many samples the UI holds now. */
export function sampleCount(): number {
  return columns.t.length;
}

/** Starts listening; call once at startup. */
export function connectTelemetryStore(): void {
  engine.on('telemetry.sample', applySample);
  engine.onConnection?.((connected) => {
    if (connected) void loadTelemetryHistory();
  });
  void loadTelemetryHistory();
}
