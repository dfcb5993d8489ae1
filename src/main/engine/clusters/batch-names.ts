/**
 * Expands a batch's names: a pattern with one numeric range in braces
 * (`scale-{001..500}`: zero padding from the written width) or a prefix with
 * a count, start and padding. Bad input is an `invalid` error naming the field.
 */
import type { CreateBatchRequest } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';

export const MAX_BATCH_SIZE = 5000;

export function expandBatchNames(req: CreateBatchRequest): string[] {
  if (req.pattern !== undefined) {
    if (typeof req.pattern !== 'string')
      throw new EngineError('invalid', 'pattern must be a string such as "scale-{001..500}"');
    const m = /^([^{}]*)\{(\d+)\.\.(\d+)\}([^{}]*)$/.exec(req.pattern);
    if (!m)
      throw new EngineError(
        'invalid',
        `pattern ${JSON.stringify(req.pattern)} must hold one range in braces, such as "scale-{001..500}"`,
      );
    const [, prefix = '', from = '', to = '', suffix = ''] = m;
    const first = Number(from);
    const last = Number(to);
    if (last < first) throw new EngineError('invalid', `pattern range ${from}..${to} counts down`);
    const width = from.startsWith('0') ? from.length : 0;
    return numbered(prefix, first, last - first + 1, width, suffix);
  }
  if (typeof req.prefix !== 'string' || req.prefix === '') {
    throw new EngineError('invalid', 'give a pattern such as "scale-{001..500}", or a prefix and a count');
  }
  const count = positiveInt('count', req.count);
  const start = req.start === undefined ? 1 : nonNegativeInt('start', req.start);
  const padding =
    req.padding === undefined ? String(start + count - 1).length : nonNegativeInt('padding', req.padding);
  return numbered(req.prefix, start, count, padding, '');
}

function numbered(prefix: string, first: number, count: number, width: number, suffix: string): string[] {
  if (count > MAX_BATCH_SIZE)
    throw new EngineError('invalid', `a batch holds at most ${MAX_BATCH_SIZE} clusters, asked for ${count}`);
  return Array.from(
    { length: count },
    (_, i) => `${prefix}${String(first + i).padStart(width, '0')}${suffix}`,
  );
}

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new EngineError('invalid', `${field} must be a whole number of at least 1`);
  return v;
}

function nonNegativeInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new EngineError('invalid', `${field} must be a whole number of at least 0`);
  return v;
}
