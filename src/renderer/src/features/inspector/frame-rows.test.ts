import { describe, expect, it } from 'vitest';
import type { InspectorFrame } from '../../../../shared/inspector';
import { appendCapped, filterRows, formatClock } from './frame-rows';

const frame = (seq: number, type = 'Data', connId = '2'): InspectorFrame => ({
  seq,
  time: 0,
  direction: 'in',
  type,
  connId,
  size: 10,
  summary: '',
});
const seqs = (rows: InspectorFrame[]): number[] => rows.map((r) => r.seq);

describe('inspector rows', () => {
  it('appends new frames and keeps only the newest rows', () => {
    let rows: InspectorFrame[] = [];
    rows = appendCapped(
      rows,
      [1, 2, 3].map((s) => frame(s)),
      5,
    );
    rows = appendCapped(
      rows,
      [4, 5, 6, 7].map((s) => frame(s)),
      5,
    );
    expect(seqs(rows)).toEqual([3, 4, 5, 6, 7]);
    rows = appendCapped(
      rows,
      Array.from({ length: 12 }, (_, i) => frame(8 + i)),
      5,
    );
    expect(seqs(rows)).toEqual([15, 16, 17, 18, 19]);
  });

  it('skips frames already held (a backlog overlapping live batches)', () => {
    const rows = appendCapped(
      [],
      [1, 2, 3].map((s) => frame(s)),
      10,
    );
    const same = appendCapped(
      rows,
      [2, 3].map((s) => frame(s)),
      10,
    );
    expect(same).toBe(rows);
    expect(
      seqs(
        appendCapped(
          rows,
          [2, 3, 4].map((s) => frame(s)),
          10,
        ),
      ),
    ).toEqual([1, 2, 3, 4]);
  });

  it('filters by type and connection', () => {
    const rows = [
      frame(1, 'Connect', '2'),
      frame(2, 'Data', '2'),
      frame(3, 'Data', '3'),
      frame(4, 'Error', '3'),
    ];
    expect(filterRows(rows, { type: '', connId: '' })).toBe(rows);
    expect(seqs(filterRows(rows, { type: 'Data', connId: '' }))).toEqual([2, 3]);
    expect(seqs(filterRows(rows, { type: '', connId: '3' }))).toEqual([3, 4]);
    expect(seqs(filterRows(rows, { type: 'Data', connId: '3' }))).toEqual([3]);
  });

  it('shows times to the millisecond', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatClock(t)).toBe('03:04:05.006');
  });
});
