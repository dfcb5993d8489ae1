/**
 * The inspector's row handling, kept out of React so it is cheap and
 * testable: appending live frames to a capped list (old rows fall off, rows
 * already held are not added twice), filtering, and a fixed-width clock.
 */
import type { InspectorFrame } from '../../../../shared/inspector';

/**
 * `rows` plus the frames newer than its last one, keeping only the newest
 * `cap`. Returns `rows` itself when nothing is new (so React sees no change).
 */
export function appendCapped(
  rows: InspectorFrame[],
  frames: InspectorFrame[],
  cap: number,
): InspectorFrame[] {
  const lastSeq = rows.length > 0 ? (rows[rows.length - 1] as InspectorFrame).seq : 0;
  let start = 0;
  while (start < frames.length && (frames[start] as InspectorFrame).seq <= lastSeq) start++;
  if (start === frames.length) return rows;
  const fresh = start === 0 ? frames : frames.slice(start);
  if (fresh.length >= cap) return fresh.slice(fresh.length - cap);
  const keep = Math.max(0, rows.length + fresh.length - cap);
  return (keep > 0 ? rows.slice(keep) : rows).concat(fresh);
}

export interface RowFilter {
  /** '' for every type. */
  type: string;
  /** '' for every connection. */
  connId: string;
}

export function filterRows(rows: InspectorFrame[], filter: RowFilter): InspectorFrame[] {
  if (!filter.type && !filter.connId) return rows;
  return rows.filter(
    (f) => (!filter.type || f.type === filter.type) && (!filter.connId || f.connId === filter.connId),
  );
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** 14:03:07.412, local time. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}
