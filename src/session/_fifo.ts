/**
 * A first-in first-out list with O(1) amortised `push` and `shift`, used for the outgoing queue,
 * the waiting publishers and the operation deadlines. Entries that became obsolete are skipped
 * by their owner (lazy removal); `removeWhere` compacts when too many pile up.
 *
 * @module
 */

const COMPACT_AT = 1024;

/** The items of every empty FIFO (never pushed to): an idle FIFO allocates no array. */
const EMPTY: never[] = Object.freeze([]) as never[];

/** A FIFO backed by an array and a head index. */
export class Fifo<T> {
  #items: (T | undefined)[] = EMPTY;
  #head = 0;

  /** Number of entries, skipped ones included. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `item`. */
  push(item: T): void {
    if (this.#items === EMPTY) this.#items = [item];
    else this.#items.push(item);
  }

  /** The oldest entry, or undefined when empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Removes and returns the oldest entry. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = EMPTY;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Puts `items` before every current entry, keeping their order. */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** Drops every entry for which `drop` returns true. O(n); for compaction only. */
  removeWhere(drop: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i] as T;
      if (!drop(item)) kept.push(item);
    }
    this.#items = kept;
    this.#head = 0;
  }

  /** Removes everything and returns the entries, oldest first. */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head) as T[];
    this.#items = EMPTY;
    this.#head = 0;
    return all;
  }
}
