import { describe, expect, it } from 'vitest';
import { expandBatchNames } from './batch-names';

describe('batch names', () => {
  it('expands a brace range keeping its zero padding', () => {
    expect(expandBatchNames({ pattern: 'scale-{001..003}' })).toEqual([
      'scale-001',
      'scale-002',
      'scale-003',
    ]);
    expect(expandBatchNames({ pattern: 'c{8..10}-x' })).toEqual(['c8-x', 'c9-x', 'c10-x']);
  });

  it('expands prefix and count with padding to the widest number', () => {
    expect(expandBatchNames({ prefix: 'load-', count: 10 })).toHaveLength(10);
    expect(expandBatchNames({ prefix: 'load-', count: 10 })[0]).toBe('load-01');
    expect(expandBatchNames({ prefix: 'l-', count: 2, start: 0, padding: 4 })).toEqual(['l-0000', 'l-0001']);
  });

  it('says what is wrong', () => {
    expect(() => expandBatchNames({ pattern: 'no-range' })).toThrow(/one range in braces/);
    expect(() => expandBatchNames({ pattern: 'a-{5..1}' })).toThrow(/counts down/);
    expect(() => expandBatchNames({ prefix: 'a-', count: 0 })).toThrow(
      /count must be a whole number of at least 1/,
    );
    expect(() => expandBatchNames({})).toThrow(/prefix and a count/);
    expect(() => expandBatchNames({ pattern: 'a-{1..9999}' })).toThrow(/at most 5000/);
  });
});
