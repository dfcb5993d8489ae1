/**
 * Splits one batch into consecutive shares for several agents: the same
 * names in the same order, each share a pattern of its own numbers, sizes
 * differing by at most one. A share whose first number fills the padding
 * width needs none, so writing it unpadded names the same clusters.
 */
import type { CreateBatchRequest } from '../../../../shared/cluster';
import { parseNamePattern, prefixRange, type NameRange } from '../../../../shared/cluster-names';

export function splitBatch(request: CreateBatchRequest, parts: number): CreateBatchRequest[] {
  const parsed =
    request.pattern !== undefined
      ? parseNamePattern(request.pattern)
      : prefixRange(request.prefix, request.count, request.start, request.padding);
  if (!parsed.ok) throw new Error(parsed.error);
  const { range } = parsed;
  const { pattern: _p, prefix: _x, count: _c, start: _s, padding: _d, ...common } = request;
  const shares: CreateBatchRequest[] = [];
  const base = Math.floor(range.count / parts);
  const extra = range.count % parts;
  let next = range.first;
  for (let i = 0; i < parts; i++) {
    const size = base + (i < extra ? 1 : 0);
    if (size === 0) continue;
    shares.push({ ...common, pattern: sharePattern(range, next, next + size - 1) });
    next += size;
  }
  return shares;
}

function sharePattern(range: NameRange, from: number, to: number): string {
  const pad = (n: number): string => String(n).padStart(range.width, '0');
  return `${range.prefix}{${pad(from)}..${pad(to)}}${range.suffix}`;
}
