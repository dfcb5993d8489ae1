/**
 * A session's recent frames: a ring buffer bounded both in count and in
 * (estimated) bytes, so a flood of frames or long summaries cannot grow it.
 * Items carry consecutive sequence numbers, which makes "the frame with seq
 * s" a direct index, and paging back through history cheap.
 */

export interface Sequenced {
  seq: number;
}

export class FrameHistory<T extends Sequenced> {
  private readonly items: (T | undefined)[];
  private readonly sizes: Uint32Array;
  /** Index of the oldest item. */
  private start = 0;
  private count = 0;
  private totalBytes = 0;

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
    private readonly sizeOf: (item: T) => number,
  ) {
    if (!Number.isInteger(maxItems) || maxItems < 1) throw new Error('maxItems must be a positive integer');
    this.items = new Array<T | undefined>(maxItems);
    this.sizes = new Uint32Array(maxItems);
  }

  get length(): number {
    return this.count;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Seq of the oldest item held, or undefined when empty. */
  get oldestSeq(): number | undefined {
    return this.count === 0 ? undefined : this.items[this.start]?.seq;
  }

  get newestSeq(): number | undefined {
    return this.count === 0 ? undefined : this.at(this.count - 1).seq;
  }

  /** Adds an item whose seq is one more than the newest's; evicts the oldest as needed. */
  push(item: T): void {
    const size = Math.min(this.sizeOf(item), this.maxBytes);
    while (this.count > 0 && (this.count >= this.maxItems || this.totalBytes + size > this.maxBytes)) {
      this.dropOldest();
    }
    const index = (this.start + this.count) % this.maxItems;
    this.items[index] = item;
    this.sizes[index] = size;
    this.totalBytes += size;
    this.count++;
  }

  /** The item with this seq, if still held. */
  get(seq: number): T | undefined {
    const oldest = this.oldestSeq;
    if (oldest === undefined) return undefined;
    const offset = seq - oldest;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.at(offset);
  }

  /** Items with seq > `afterSeq`, oldest first, at most the newest `limit` of them; `skipped` counts the rest. */
  since(afterSeq: number, limit: number): { items: T[]; skipped: number } {
    const oldest = this.oldestSeq;
    const newest = this.newestSeq;
    if (oldest === undefined || newest === undefined || newest <= afterSeq) return { items: [], skipped: 0 };
    const firstWanted = Math.max(afterSeq + 1, newest - limit + 1, oldest);
    const items: T[] = [];
    for (let seq = firstWanted; seq <= newest; seq++) items.push(this.at(seq - oldest));
    return { items, skipped: firstWanted - (afterSeq + 1) };
  }

  /**
   * The newest `limit` items that match, older than `before` when given,
   * returned oldest first; `more` says whether older matches remain.
   */
  query(match: (item: T) => boolean, limit: number, before?: number): { items: T[]; more: boolean } {
    const oldest = this.oldestSeq;
    if (oldest === undefined) return { items: [], more: false };
    let offset = this.count - 1;
    if (before !== undefined) offset = Math.min(offset, before - oldest - 1);
    const found: T[] = [];
    for (; offset >= 0; offset--) {
      const item = this.at(offset);
      if (!match(item)) continue;
      if (found.length === limit) return { items: found.reverse(), more: true };
      found.push(item);
    }
    return { items: found.reverse(), more: false };
  }

  /** Walks from the newest item back; stop by returning false. */
  scanBack(visit: (item: T) => boolean | void, maxItems = this.count): void {
    for (let offset = this.count - 1, n = 0; offset >= 0 && n < maxItems; offset--, n++) {
      if (visit(this.at(offset)) === false) return;
    }
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let offset = 0; offset < this.count; offset++) yield this.at(offset);
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.totalBytes = 0;
  }

  private at(offset: number): T {
    return this.items[(this.start + offset) % this.maxItems] as T;
  }

  private dropOldest(): void {
    this.totalBytes -= this.sizes[this.start] ?? 0;
    this.items[this.start] = undefined;
    this.start = (this.start + 1) % this.maxItems;
    this.count--;
  }
}
