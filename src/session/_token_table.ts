/**
 * A map from tokens to what waits on them (the driver's callers, the session's operations), made
 * for how tokens behave: they are handed out in increasing order and mostly settled in about
 * that order.
 *
 * Recent tokens live in an array indexed by `token - base` (cheaper than hashing them into a
 * `Map`; see bench/README.md); the settled prefix is cut off as it grows. A token that stays pending while many
 * later ones settle (a slow SUBSCRIBE, a QoS 2 flow) would keep the array long and sparse, so
 * when under a third of the window is live, the older half of the window moves into a `Map`.
 *
 * @module
 */

/** Live entries below which a window of this size is rebuilt. */
const MIN_COMPACT = 4096;

/** Keys skipped before a new key that still extend the window (empty slots) rather than go to the map. */
const MAX_GAP = 64;

/** The slots of every empty window (never written to): an idle table allocates no array. */
const NO_SLOTS: never[] = Object.freeze([]) as never[];

/** Values by integer key, tuned for keys that are added in increasing order. */
export class TokenTable<V> {
  /** `#slots[i]` holds key `#base + i`; slots before `#head` are all empty. */
  #slots: (V | undefined)[] = NO_SLOTS;
  #base = 0;
  #head = 0;
  #live = 0;
  /** Keys outside the window: moved out of it, or added out of order (made on first use). */
  #far: Map<number, V> | undefined;

  /** Entries held. */
  get size(): number {
    return this.#live + (this.#far?.size ?? 0);
  }

  /** Adds or replaces the value of `key`. */
  set(key: number, value: V): void {
    if (this.#live === 0 && this.#slots.length > 0) this.#reset();
    if (this.#slots.length === 0) {
      this.#base = key;
      this.#slots = [];
    }
    const i = key - this.#base;
    const slots = this.#slots;
    if (i >= slots.length && i - slots.length < MAX_GAP) {
      while (slots.length < i) slots.push(undefined); // keys skipped (used elsewhere) stay empty
      slots.push(value);
      this.#live++;
      if (slots.length - this.#head > 3 * this.#live + MIN_COMPACT) this.#evictOlderHalf();
    } else if (i >= this.#head && i < slots.length) {
      if (slots[i] === undefined) this.#live++;
      slots[i] = value;
    } else {
      (this.#far ??= new Map()).set(key, value);
    }
  }

  /** The value of `key`, if held. */
  get(key: number): V | undefined {
    const i = key - this.#base;
    if (i >= this.#head && i < this.#slots.length) return this.#slots[i];
    return this.#far?.get(key);
  }

  /** Every value held, in no particular order. */
  *values(): IterableIterator<V> {
    const slots = this.#slots;
    for (let i = this.#head; i < slots.length; i++) {
      const value = slots[i];
      if (value !== undefined) yield value;
    }
    if (this.#far !== undefined) yield* this.#far.values();
  }

  /** Removes every entry whose value passes `test`. */
  deleteIf(test: (value: V) => boolean): void {
    const slots = this.#slots;
    const base = this.#base; // (a deletion may move the window: keys stay keys)
    for (let i = this.#head; i < slots.length; i++) {
      const value = slots[i];
      if (value !== undefined && test(value)) this.delete(base + i);
    }
    const far = this.#far;
    if (far === undefined) return;
    for (const [key, value] of far) if (test(value)) far.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#reset();
    this.#live = 0;
    this.#far = undefined;
  }

  /** Removes `key`; false when it was not held. */
  delete(key: number): boolean {
    const i = key - this.#base;
    const slots = this.#slots;
    if (i >= this.#head && i < slots.length) {
      if (slots[i] === undefined) return false;
      slots[i] = undefined;
      this.#live--;
      if (i === this.#head) this.#advance();
      return true;
    }
    return this.#far?.delete(key) ?? false;
  }

  /** Moves `#head` past empty slots, and drops the empty prefix once it is most of the array. */
  #advance(): void {
    const slots = this.#slots;
    let head = this.#head;
    while (head < slots.length && slots[head] === undefined) head++;
    if (head === slots.length) return this.#reset();
    if (head > 1024 && head * 2 > slots.length) {
      this.#slots = slots.slice(head);
      this.#base += head;
      head = 0;
    }
    this.#head = head;
  }

  /** The window is mostly empty but pinned by old entries: move its older half to the map. */
  #evictOlderHalf(): void {
    const slots = this.#slots;
    const cut = this.#head + ((slots.length - this.#head) >> 1);
    for (let i = this.#head; i < cut; i++) {
      const value = slots[i];
      if (value === undefined) continue;
      (this.#far ??= new Map()).set(this.#base + i, value);
      this.#live--;
    }
    this.#slots = slots.slice(cut);
    this.#base += cut;
    this.#head = 0;
    this.#advance();
  }

  #reset(): void {
    this.#slots = NO_SLOTS;
    this.#head = 0;
  }
}
