import { describe, expect, it } from 'vitest';
import type { CreateBatchRequest } from '../../../../shared/cluster';
import { parseNamePattern, rangeName } from '../../../../shared/cluster-names';
import { splitBatch } from './batch-split';

function names(request: CreateBatchRequest): string[] {
  const parsed = parseNamePattern(request.pattern);
  if (!parsed.ok) throw new Error(parsed.error);
  return Array.from({ length: parsed.range.count }, (_, i) => rangeName(parsed.range, i));
}

describe('splitBatch', () => {
  it('gives each agent a consecutive share of the same names, sizes within one', () => {
    const shares = splitBatch({ pattern: 'scale-{098..107}x', template: 'tiny', concurrency: 4 }, 3);
    expect(shares.map((s) => s.pattern)).toEqual([
      'scale-{098..101}x',
      'scale-{102..104}x',
      'scale-{105..107}x',
    ]);
    expect(shares.every((s) => s.template === 'tiny' && s.concurrency === 4)).toBe(true);
    expect(shares.flatMap(names)).toEqual(
      Array.from({ length: 10 }, (_, i) => `scale-${String(98 + i).padStart(3, '0')}x`),
    );
  });

  it('splits the prefix form the same way, keeping its padding', () => {
    const shares = splitBatch({ prefix: 'edge-', count: 5, start: 8, padding: 2, importToRancher: false }, 2);
    expect(shares.map((s) => s.pattern)).toEqual(['edge-{08..10}', 'edge-{11..12}']);
    expect(shares.every((s) => s.importToRancher === false && s.prefix === undefined)).toBe(true);
  });

  it('uses fewer agents than asked when there are fewer clusters', () => {
    expect(splitBatch({ pattern: 'a-{1..2}' }, 3).map((s) => s.pattern)).toEqual(['a-{1..1}', 'a-{2..2}']);
  });

  it('refuses a batch whose names do not parse', () => {
    expect(() => splitBatch({ pattern: 'a-{1..' }, 2)).toThrow(/must hold one range in braces/);
  });
});
