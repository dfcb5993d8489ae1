import { describe, expect, it } from 'vitest';
import { FrameHistory } from './frame-history';

interface Item {
  seq: number;
  size: number;
}

function filled(count: number, maxItems: number, maxBytes = 1e9, size = 10): FrameHistory<Item> {
  const history = new FrameHistory<Item>(maxItems, maxBytes, (i) => i.size);
  for (let seq = 1; seq <= count; seq++) history.push({ seq, size });
  return history;
}

describe('frame history (ring buffer)', () => {
  it('keeps at most maxItems, dropping the oldest', () => {
    const history = filled(25, 10);
    expect(history.length).toBe(10);
    expect(history.oldestSeq).toBe(16);
    expect(history.newestSeq).toBe(25);
    expect([...history].map((i) => i.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  });

  it('keeps its estimated bytes under maxBytes', () => {
    const history = filled(100, 1000, 250, 10);
    expect(history.bytes).toBeLessThanOrEqual(250);
    expect(history.length).toBe(25);
    expect(history.newestSeq).toBe(100);
  });

  it('holds one oversized item rather than none', () => {
    const history = new FrameHistory<Item>(10, 50, (i) => i.size);
    history.push({ seq: 1, size: 500 });
    expect(history.length).toBe(1);
    history.push({ seq: 2, size: 5 });
    expect([...history].map((i) => i.seq)).toEqual([2]);
  });

  it('finds an item by seq while it is held', () => {
    const history = filled(30, 10);
    expect(history.get(25)?.seq).toBe(25);
    expect(history.get(20)).toBeUndefined();
    expect(history.get(31)).toBeUndefined();
  });

  it('returns what came after a seq, the newest when there are too many, and counts the rest', () => {
    const history = filled(30, 10);
    expect(history.since(27, 100)).toEqual({
      items: [28, 29, 30].map((seq) => ({ seq, size: 10 })),
      skipped: 0,
    });
    // 5..30 wanted, only 21..30 held, and only the newest 4 fit.
    const { items, skipped } = history.since(4, 4);
    expect(items.map((i) => i.seq)).toEqual([27, 28, 29, 30]);
    expect(skipped).toBe(22);
    expect(history.since(30, 10)).toEqual({ items: [], skipped: 0 });
  });

  it('pages back through matching items, oldest first in each page', () => {
    const history = filled(100, 50);
    const even = (i: Item): boolean => i.seq % 2 === 0;
    const first = history.query(even, 5);
    expect(first.items.map((i) => i.seq)).toEqual([92, 94, 96, 98, 100]);
    expect(first.more).toBe(true);
    const second = history.query(even, 5, first.items[0]!.seq);
    expect(second.items.map((i) => i.seq)).toEqual([82, 84, 86, 88, 90]);
    const rest = history.query(even, 100, 60);
    expect(rest.items[0]!.seq).toBe(52);
    expect(rest.more).toBe(false);
  });

  it('clears', () => {
    const history = filled(5, 10);
    history.clear();
    expect(history.length).toBe(0);
    expect(history.bytes).toBe(0);
    expect(history.oldestSeq).toBeUndefined();
  });
});
