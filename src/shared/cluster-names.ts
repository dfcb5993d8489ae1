/**
 * The rules for cluster names and batch name patterns, shared by the engine
 * (which enforces them) and the wizard (which shows them at the field before
 * anything is sent). A name becomes the cluster namespace `cluster-<name>`
 * and node names `<name>-node<N>`, so it must be a lowercase RFC 1123 label
 * short enough for both.
 */

/** `cluster-` takes 8 of a namespace's 63 characters. */
export const MAX_CLUSTER_NAME_LENGTH = 63 - 'cluster-'.length;

/** More than this in one batch is almost certainly a typo in the range. */
export const MAX_BATCH_SIZE = 5000;

/** Returns the rule the name breaks, or undefined when it is valid. */
export function clusterNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'name must be a string';
  if (name.length === 0) return 'name must not be empty';
  if (name.length > MAX_CLUSTER_NAME_LENGTH) {
    return `name must be at most ${MAX_CLUSTER_NAME_LENGTH} characters (the namespace cluster-<name> is limited to 63), got ${name.length}`;
  }
  if (/[A-Z]/.test(name)) return 'name must be lowercase (RFC 1123 label)';
  if (!/^[a-z0-9-]+$/.test(name))
    return 'name may contain only lowercase letters, digits and "-" (RFC 1123 label)';
  if (!/^[a-z0-9]/.test(name)) return 'name must start with a lowercase letter or digit (RFC 1123 label)';
  if (!/[a-z0-9]$/.test(name)) return 'name must end with a lowercase letter or digit (RFC 1123 label)';
  return undefined;
}

/** The fields of a batch request (and of a fleet spec entry) that name its clusters as a numbered run. */
export const BATCH_NAME_FIELDS = ['pattern', 'prefix', 'count', 'start', 'padding'] as const;

/** A numbered run of names: `${prefix}${n padded to width}${suffix}` for n in first..first+count-1. */
export interface NameRange {
  prefix: string;
  suffix: string;
  first: number;
  count: number;
  width: number;
}

export type NameRangeResult = { ok: true; range: NameRange } | { ok: false; error: string };

/** Reads a pattern with one numeric range in braces (`scale-{001..500}`: padding from the written width). */
export function parseNamePattern(pattern: unknown): NameRangeResult {
  if (typeof pattern !== 'string')
    return { ok: false, error: 'pattern must be a string such as "scale-{001..500}"' };
  const m = /^([^{}]*)\{(\d+)\.\.(\d+)\}([^{}]*)$/.exec(pattern);
  if (!m)
    return {
      ok: false,
      error: `pattern ${JSON.stringify(pattern)} must hold one range in braces, such as "scale-{001..500}"`,
    };
  const [, prefix = '', from = '', to = '', suffix = ''] = m;
  const first = Number(from);
  const last = Number(to);
  if (last < first) return { ok: false, error: `pattern range ${from}..${to} counts down` };
  const width = from.startsWith('0') ? from.length : 0;
  return checkRange({ prefix, suffix, first, count: last - first + 1, width });
}

/** The prefix + count form (start defaults to 1, padding to the width of the largest number). */
export function prefixRange(
  prefix: unknown,
  count: unknown,
  start?: unknown,
  padding?: unknown,
): NameRangeResult {
  if (typeof prefix !== 'string' || prefix === '')
    return { ok: false, error: 'give a pattern such as "scale-{001..500}", or a prefix and a count' };
  if (!isWhole(count) || count < 1) return { ok: false, error: 'count must be a whole number of at least 1' };
  if (start !== undefined && (!isWhole(start) || start < 0))
    return { ok: false, error: 'start must be a whole number of at least 0' };
  const first = (start as number | undefined) ?? 1;
  const width = padding === undefined ? String(first + count - 1).length : padding;
  if (!isWhole(width) || width < 0 || width > 10)
    return { ok: false, error: 'padding must be a whole number from 0 to 10' };
  return checkRange({ prefix, suffix: '', first, count, width });
}

export function rangeName(range: NameRange, index: number): string {
  return `${range.prefix}${String(range.first + index).padStart(range.width, '0')}${range.suffix}`;
}

function checkRange(range: NameRange): NameRangeResult {
  if (range.count > MAX_BATCH_SIZE)
    return { ok: false, error: `a batch holds at most ${MAX_BATCH_SIZE} clusters, asked for ${range.count}` };
  // Names differ only in their digits, so the first and the (longest) last name cover every rule.
  const problem =
    clusterNameProblem(rangeName(range, 0)) ?? clusterNameProblem(rangeName(range, range.count - 1));
  if (problem) return { ok: false, error: problem };
  return { ok: true, range };
}

/** Clusters a batch provisions at once; more would only queue on the apiserver. */
export const MAX_BATCH_CONCURRENCY = 64;
/**
 * A batch's concurrency: a fixed number, or "auto": as many as the main
 * apiserver keeps up with (the engine grows the limit while its latency
 * stays flat and cuts it on throttling or slowdown; see adaptive-concurrency.ts).
 */
export type BatchConcurrency = number | 'auto';
export const DEFAULT_BATCH_CONCURRENCY: BatchConcurrency = 'auto';

/** The rule a batch concurrency breaks, or undefined. */
export function concurrencyProblem(value: unknown): string | undefined {
  if (value === 'auto') return undefined;
  if (!isWhole(value) || value < 1 || value > MAX_BATCH_CONCURRENCY)
    return `concurrency must be "auto" or a whole number from 1 to ${MAX_BATCH_CONCURRENCY}`;
  return undefined;
}

/** A concurrency as typed in a form: "auto" (any case, or empty) or a number (NaN when neither). */
export function parseConcurrency(text: string): BatchConcurrency {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'auto') return 'auto';
  return /^\d+$/.test(t) ? Number(t) : NaN;
}

function isWhole(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
