import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatMs, formatPercent } from './units';

describe('units', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MiB');
    expect(formatBytes(4.7 * 1024 * 1024)).toBe('4.7 MiB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(NaN)).toBe('—');
  });

  it('formats counts, rates, milliseconds and percent', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(2_500_000)).toBe('2.5M');
    expect(formatCount(3.25)).toBe('3.3');
    expect(formatMs(0.42)).toBe('0.4 ms');
    expect(formatMs(250)).toBe('250 ms');
    expect(formatPercent(7.25)).toBe('7.3 %');
    expect(formatPercent(undefined)).toBe('—');
  });
});
