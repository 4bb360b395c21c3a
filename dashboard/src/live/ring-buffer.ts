/**
 * A bounded FIFO: pushing past `capacity` drops the oldest item. Live chart series keep their points
 * here so a page left open for days holds the same memory as after a minute (STYLE: bounded buffers).
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    // Grown as items come, not allocated whole: a district's village nodes report every 10 s and
    // fill a tenth of an hour-long buffer; (start + count) only ever moves by one, so writes stay contiguous.
    this.items = [];
  }

  get length(): number {
    return this.count;
  }

  /** Appends; when full, the oldest item is dropped. */
  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    if (this.count < this.capacity) this.count += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.capacity];
  }

  /** Drops items from the oldest end while `pred` holds (e.g. points older than the chart window). */
  dropWhile(pred: (item: T) => boolean): void {
    while (this.count > 0 && pred(this.items[this.start] as T)) {
      this.items[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count -= 1;
    }
  }

  clear(): void {
    this.items.length = 0;
    this.start = 0;
    this.count = 0;
  }

  /** Oldest first, as a new array. */
  toArray(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
    return out;
  }
}
