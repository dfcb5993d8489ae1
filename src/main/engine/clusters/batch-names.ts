/**
 * Expands a batch's names: a pattern with one numeric range in braces
 * (`scale-{001..500}`: zero padding from the written width) or a prefix with
 * a count, start and padding. The rules live in src/shared/cluster-names.ts,
 * where the wizard checks them too; here a broken rule is an `invalid` error.
 */
import type { CreateBatchRequest } from '../../../shared/cluster';
import { parseNamePattern, prefixRange, rangeName } from '../../../shared/cluster-names';
import { EngineError } from '../../../shared/errors';

export { MAX_BATCH_SIZE } from '../../../shared/cluster-names';

export function expandBatchNames(req: CreateBatchRequest): string[] {
  const result =
    req.pattern !== undefined
      ? parseNamePattern(req.pattern)
      : prefixRange(req.prefix, req.count, req.start, req.padding);
  if (!result.ok) throw new EngineError('invalid', result.error);
  const { range } = result;
  return Array.from({ length: range.count }, (_, i) => rangeName(range, i));
}
