/**
 * The async iterator behind `client.messages()`: a bounded ring buffer of messages that drops
 * the oldest when a slow consumer lets it fill up.
 *
 * @module
 */

import type { Message } from "./message.ts";

/**
 * Messages matching one filter, as an async iterator. It ends when the client is disconnected
 * for good, when its `signal` aborts, or when the loop leaves (`return()`).
 */
export class MessageStream implements AsyncIterableIterator<Message> {
  #ring: (Message | undefined)[];
  #head = 0;
  #count = 0;
  #dropped = 0;
  #done = false;
  #waiter: ((result: IteratorResult<Message, undefined>) => void) | undefined;
  #detach: () => void;
  #onDrop: (dropped: number) => void;
  #signal: AbortSignal | undefined;
  #onAbort = (): void => void this.return();

  /**
   * A stream with room for `capacity` messages (the client makes them: `client.messages()`).
   *
   * @param capacity messages kept before the oldest is dropped
   * @param detach called once when the stream ends (unregisters it)
   * @param onDrop called when a message is dropped, with the total dropped so far
   * @param signal ends the stream when aborted
   */
  constructor(
    capacity: number,
    detach: () => void,
    onDrop: (dropped: number) => void,
    signal?: AbortSignal,
  ) {
    this.#ring = new Array(capacity);
    this.#detach = detach;
    this.#onDrop = onDrop;
    this.#signal = signal;
    if (signal?.aborted) this.#finish();
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Messages dropped so far because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a message (the client calls this); drops the oldest if the buffer is full. */
  push(message: Message): void {
    if (this.#done) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter({ value: message, done: false });
      return;
    }
    const capacity = this.#ring.length;
    if (this.#count === capacity) {
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % capacity;
      this.#count--;
      this.#onDrop(++this.#dropped);
    }
    this.#ring[(this.#head + this.#count) % capacity] = message;
    this.#count++;
  }

  /** Ends the stream after the buffered messages (the client calls this on a final disconnect). */
  end(): void {
    this.#finish();
  }

  /** The next message: a buffered one at once, else the next to arrive; done once ended. */
  next(): Promise<IteratorResult<Message, undefined>> {
    if (this.#count > 0) {
      const message = this.#ring[this.#head]!;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#ring.length;
      this.#count--;
      return Promise.resolve({ value: message, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** Ends the stream now and discards what is buffered. */
  return(): Promise<IteratorResult<Message, undefined>> {
    this.#ring.fill(undefined);
    this.#count = 0;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The stream is its own iterator, for `for await`. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#detach();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }
}
