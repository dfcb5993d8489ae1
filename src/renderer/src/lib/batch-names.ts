/**
 * The wizard's client-side view of a batch's names: the same rules the
 * engine applies (one numeric range in braces, RFC 1123 names that fit the
 * `cluster-<name>` namespace), checked before anything is sent so the user
 * sees the problem at the field.
 */

/** `cluster-` takes 8 of a namespace's 63 characters. */
export const MAX_CLUSTER_NAME_LENGTH = 55;
export const MAX_BATCH_SIZE = 5000;

export interface NamePreview {
  count: number;
  first: string;
  last: string;
}

export type PreviewResult = { ok: true; preview: NamePreview } | { ok: false; error: string };

const PATTERN_RE = /^([^{}]*)\{(\d+)\.\.(\d+)\}([^{}]*)$/;

/** Returns the rule a cluster name breaks, or undefined when it is valid. */
export function clusterNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'name must not be empty';
  if (name.length > MAX_CLUSTER_NAME_LENGTH)
    return `names must be at most ${MAX_CLUSTER_NAME_LENGTH} characters; "${name}" has ${name.length}`;
  if (/[A-Z]/.test(name)) return 'names must be lowercase (RFC 1123)';
  if (!/^[a-z0-9-]+$/.test(name))
    return 'names may contain only lowercase letters, digits and "-" (RFC 1123)';
  if (!/^[a-z0-9]/.test(name)) return 'names must start with a lowercase letter or digit (RFC 1123)';
  if (!/[a-z0-9]$/.test(name)) return 'names must end with a lowercase letter or digit (RFC 1123)';
  return undefined;
}

function checkNames(first: string, last: string, count: number): PreviewResult {
  if (count > MAX_BATCH_SIZE)
    return { ok: false, error: `a batch holds at most ${MAX_BATCH_SIZE} clusters, this makes ${count}` };
  // Names differ only in their digits, so the first and the (longest) last name cover every rule.
  const problem = clusterNameProblem(first) ?? clusterNameProblem(last);
  if (problem) return { ok: false, error: problem };
  return { ok: true, preview: { count, first, last } };
}

/** Expands a pattern such as `scale-{001..100}` into its first and last names. */
export function previewPattern(pattern: string): PreviewResult {
  const braces = (pattern.match(/\{/g) ?? []).length;
  const m = PATTERN_RE.exec(pattern);
  if (!m || braces !== 1)
    return { ok: false, error: 'pattern must contain exactly one range in braces, such as scale-{001..100}' };
  const [, prefix = '', from = '', to = '', suffix = ''] = m;
  const firstN = Number(from);
  const lastN = Number(to);
  if (lastN < firstN) return { ok: false, error: `range ${from}..${to} counts down` };
  const width = from.startsWith('0') ? from.length : 0;
  const name = (n: number): string => `${prefix}${String(n).padStart(width, '0')}${suffix}`;
  return checkNames(name(firstN), name(lastN), lastN - firstN + 1);
}

/** Prefix + count (+ start, padding): the engine's other form. */
export function previewPrefix(prefix: string, count: number, start: number, padding?: number): PreviewResult {
  if (prefix === '') return { ok: false, error: 'prefix must not be empty' };
  if (!Number.isInteger(count) || count < 1)
    return { ok: false, error: 'count must be a whole number of at least 1' };
  if (!Number.isInteger(start) || start < 0)
    return { ok: false, error: 'start must be a whole number of at least 0' };
  const last = start + count - 1;
  const width = padding ?? String(last).length;
  if (!Number.isInteger(width) || width < 0 || width > 10)
    return { ok: false, error: 'padding must be a whole number from 0 to 10' };
  const name = (n: number): string => `${prefix}${String(n).padStart(width, '0')}`;
  return checkNames(name(start), name(last), count);
}

/** Concurrency problem, or undefined. */
export function concurrencyProblem(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > 64)
    return 'concurrency must be a whole number from 1 to 64';
  return undefined;
}
