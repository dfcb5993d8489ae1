import { describe, expect, it } from 'vitest';
import { concurrencyProblem, previewPattern, previewPrefix } from './batch-names';

describe('batch name preview', () => {
  it('expands a padded pattern to its first and last names', () => {
    expect(previewPattern('scale-{001..100}')).toEqual({
      ok: true,
      preview: { count: 100, first: 'scale-001', last: 'scale-100' },
    });
  });

  it('rejects a pattern without exactly one range', () => {
    expect(previewPattern('scale-').ok).toBe(false);
    expect(previewPattern('a-{1..2}-{1..2}').ok).toBe(false);
    expect(previewPattern('a-{5..2}')).toEqual({ ok: false, error: 'pattern range 5..2 counts down' });
  });

  it('rejects names that are not lowercase RFC 1123 or too long', () => {
    const upper = previewPattern('Scale-{1..3}');
    expect(upper.ok === false && upper.error).toMatch(/lowercase/);
    const long = previewPattern(`${'a'.repeat(54)}{1..10}`);
    expect(long.ok === false && long.error).toMatch(/at most 55/);
    expect(previewPattern('x_{1..2}').ok).toBe(false);
  });

  it('expands prefix and count with default padding', () => {
    expect(previewPrefix('load-', 12, 1)).toEqual({
      ok: true,
      preview: { count: 12, first: 'load-01', last: 'load-12' },
    });
  });

  it('names the clusters that already exist', () => {
    const taken = new Set(['scale-002', 'scale-004', 'scale-005', 'scale-007']);
    expect(previewPattern('scale-{001..003}', taken)).toEqual({
      ok: false,
      error: 'a cluster with this name exists: scale-002',
    });
    expect(previewPattern('scale-{001..010}', taken)).toEqual({
      ok: false,
      error: '4 of these names exist: scale-002, scale-004, scale-005 and 1 more',
    });
    expect(previewPrefix('scale-', 1, 8, 3, taken).ok).toBe(true);
  });

  it('bounds concurrency to 1-64', () => {
    expect(concurrencyProblem(0)).toBeDefined();
    expect(concurrencyProblem(65)).toBeDefined();
    expect(concurrencyProblem(4)).toBeUndefined();
  });
});
