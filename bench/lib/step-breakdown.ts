/**
 * Where each cluster's creation time goes: the records' timed steps (the
 * seed's status words), summarised per step as median and 90th percentile,
 * for the first and the last clusters of a run, so a step that slows down as
 * clusters pile up shows which one it is.
 */
import type { ClusterRecord } from '../../src/shared/cluster';

export interface StepStats {
  status: string;
  /** Per window (e.g. first quarter, last quarter): median and p90 in seconds. */
  windows: { p50: number; p90: number }[];
}

/** The q-quantile of ascending numbers (0 for none). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.floor(q * sorted.length));
  return sorted[i] ?? 0;
}

/** Seconds each step of a record took; a step still open at the end is left out. */
export function stepSeconds(record: ClusterRecord): Map<string, number> {
  const out = new Map<string, number>();
  record.steps.forEach((step, i) => {
    const end = step.endedAt ?? record.steps[i + 1]?.startedAt;
    if (!end) return;
    const s = (Date.parse(end) - Date.parse(step.startedAt)) / 1000;
    out.set(step.status, (out.get(step.status) ?? 0) + s);
  });
  return out;
}

/** When a record's `ready` step began (ms), or undefined. */
export function readyAt(record: ClusterRecord): number | undefined {
  const step = record.steps.find((s) => s.status === 'ready');
  return step ? Date.parse(step.startedAt) : undefined;
}

/**
 * Splits records, in the order they became ready, into `windows` equal parts
 * and gives each step's median and p90 in each part.
 */
export function stepBreakdown(records: ClusterRecord[], windows: number): StepStats[] {
  const ordered = records
    .filter((r) => readyAt(r) !== undefined)
    .sort((a, b) => (readyAt(a) ?? 0) - (readyAt(b) ?? 0));
  const size = Math.ceil(ordered.length / windows);
  const parts = Array.from({ length: windows }, (_, w) => ordered.slice(w * size, (w + 1) * size));
  const seconds = new Map(ordered.map((r) => [r, stepSeconds(r)]));
  const statuses: string[] = [];
  for (const r of ordered)
    for (const s of r.steps)
      if (s.status !== 'ready' && !statuses.includes(s.status)) statuses.push(s.status);
  return statuses.map((status) => ({
    status,
    windows: parts.map((part) => {
      const values = part
        .map((r) => seconds.get(r)?.get(status))
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
      return { p50: quantile(values, 0.5), p90: quantile(values, 0.9) };
    }),
  }));
}
