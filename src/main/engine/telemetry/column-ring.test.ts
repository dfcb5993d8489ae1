import { describe, expect, it } from 'vitest';
import { ColumnRing } from './column-ring';

describe('ColumnRing', () => {
  it('keeps rows in order until it is full', () => {
    const ring = new ColumnRing(['t', 'v'] as const, 4);
    ring.push({ t: 1, v: 10 });
    ring.push({ t: 2, v: 20 });
    expect(ring.size).toBe(2);
    expect(ring.columnsFrom()).toEqual({ t: [1, 2], v: [10, 20] });
    expect(ring.row(-1)).toEqual({ t: 2, v: 20 });
    expect(ring.row(0)).toEqual({ t: 1, v: 10 });
    expect(ring.row(2)).toBeUndefined();
  });

  it('wraps: the oldest rows go, the newest stay, still oldest first', () => {
    const ring = new ColumnRing(['t', 'v'] as const, 3);
    for (let i = 1; i <= 7; i++) ring.push({ t: i, v: i * 10 });
    expect(ring.size).toBe(3);
    expect(ring.columnsFrom()).toEqual({ t: [5, 6, 7], v: [50, 60, 70] });
    expect(ring.row(0)).toEqual({ t: 5, v: 50 });
    expect(ring.row(-1)).toEqual({ t: 7, v: 70 });
    expect(ring.columnsFrom(1, ['v'])).toEqual({ v: [60, 70] });
  });

  it('finds the first row at or after a time across the wrap point', () => {
    const ring = new ColumnRing(['t'] as const, 5);
    for (let i = 1; i <= 8; i++) ring.push({ t: i * 1000 });
    // kept: 4000..8000, physically wrapped
    expect(ring.firstAtLeast('t', 0)).toBe(0);
    expect(ring.firstAtLeast('t', 4000)).toBe(0);
    expect(ring.firstAtLeast('t', 6000)).toBe(2);
    expect(ring.firstAtLeast('t', 6500)).toBe(3);
    expect(ring.firstAtLeast('t', 9000)).toBe(5);
    expect(ring.columnsFrom(ring.firstAtLeast('t', 6500)).t).toEqual([7000, 8000]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new ColumnRing(['t'], 0)).toThrow(/positive integer/);
    expect(() => new ColumnRing(['t'], 1.5)).toThrow(/positive integer/);
  });
});
