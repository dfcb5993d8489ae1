/**
 * A fixed-size ring of numeric rows stored as one Float64Array per column:
 * an hour of one-second samples with 17 fields is ~0.5 MB, allocated once,
 * and never grows however long the engine runs. Reading gives plain arrays
 * in time order, which is what the UI's charts (uPlot) take as they are.
 */
export class ColumnRing<F extends string> {
  private readonly columns: Record<F, Float64Array>;
  /** Physical index of the next write. */
  private head = 0;
  private count = 0;

  constructor(
    readonly fields: readonly F[],
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.columns = Object.fromEntries(fields.map((f) => [f, new Float64Array(capacity)])) as Record<
      F,
      Float64Array
    >;
  }

  get size(): number {
    return this.count;
  }

  push(row: Record<F, number>): void {
    for (const f of this.fields) this.columns[f][this.head] = row[f];
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Physical index of logical row i (0 = oldest kept). */
  private physical(i: number): number {
    return (this.head - this.count + i + this.capacity) % this.capacity;
  }

  /** Row i, oldest first (negative counts from the newest: -1 is the latest). */
  row(i: number): Record<F, number> | undefined {
    const logical = i < 0 ? this.count + i : i;
    if (logical < 0 || logical >= this.count) return undefined;
    const p = this.physical(logical);
    return Object.fromEntries(this.fields.map((f) => [f, this.columns[f][p]])) as Record<F, number>;
  }

  /**
   * Logical index of the first row whose `field` is at least `min`, for a
   * field that only grows (a timestamp); `size` when there is none.
   */
  firstAtLeast(field: F, min: number): number {
    const column = this.columns[field];
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (column[this.physical(mid)]! < min) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Rows from logical index `start` to the newest, as columns of plain
   * arrays, oldest first; only the `only` columns when given.
   */
  columnsFrom<K extends F = F>(start = 0, only?: readonly K[]): Record<K, number[]> {
    const from = Math.min(Math.max(0, Math.floor(start)), this.count);
    const n = this.count - from;
    const out = {} as Record<K, number[]>;
    for (const f of only ?? (this.fields as readonly K[])) {
      const src = this.columns[f];
      const arr = new Array<number>(n);
      for (let i = 0; i < n; i++) arr[i] = src[this.physical(from + i)]!;
      out[f] = arr;
    }
    return out;
  }
}
