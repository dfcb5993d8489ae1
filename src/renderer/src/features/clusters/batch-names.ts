/**
 * The wizard's view of a batch's names: the engine's own rules (shared in
 * src/shared/cluster-names.ts) plus a check against clusters that already
 * exist, so the user sees every problem at the field before anything is sent.
 */
import {
  parseNamePattern,
  prefixRange,
  rangeName,
  type NameRangeResult,
} from '../../../../shared/cluster-names';

export interface NamePreview {
  count: number;
  first: string;
  last: string;
}

export type PreviewResult = { ok: true; preview: NamePreview } | { ok: false; error: string };

/** How many taken names a conflict message lists before "and N more". */
const CONFLICTS_SHOWN = 3;

function toPreview(result: NameRangeResult, taken: ReadonlySet<string>): PreviewResult {
  if (!result.ok) return result;
  const { range } = result;
  const conflicts: string[] = [];
  let conflictCount = 0;
  for (let i = 0; i < range.count; i++) {
    const name = rangeName(range, i);
    if (!taken.has(name)) continue;
    conflictCount++;
    if (conflicts.length < CONFLICTS_SHOWN) conflicts.push(name);
  }
  if (conflictCount > 0) {
    const more = conflictCount > conflicts.length ? ` and ${conflictCount - conflicts.length} more` : '';
    return {
      ok: false,
      error: `${conflictCount === 1 ? 'a cluster with this name exists' : `${conflictCount} of these names exist`}: ${conflicts.join(', ')}${more}`,
    };
  }
  return {
    ok: true,
    preview: { count: range.count, first: rangeName(range, 0), last: rangeName(range, range.count - 1) },
  };
}

/** Expands a pattern such as `scale-{001..100}` into its first and last names. */
export function previewPattern(pattern: string, taken: ReadonlySet<string> = new Set()): PreviewResult {
  return toPreview(parseNamePattern(pattern), taken);
}

/** Prefix + count (+ start, padding): the engine's other form. */
export function previewPrefix(
  prefix: string,
  count: number,
  start: number,
  padding?: number,
  taken: ReadonlySet<string> = new Set(),
): PreviewResult {
  return toPreview(prefixRange(prefix, count, start, padding), taken);
}

export { concurrencyProblem, parseConcurrency } from '../../../../shared/cluster-names';
