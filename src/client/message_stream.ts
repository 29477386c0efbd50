/**
 * The async iterator behind `client.messages()`: a buffer of messages between the client and a
 * consumer that may be slower than the broker.
 *
 * Nothing acknowledged is lost: a QoS 1/2 message is acknowledged only once the consumer took
 * it from the iterator, so when the consumer falls behind its messages stay unacknowledged and
 * the broker stops sending (they count against our Receive Maximum, or the broker's in-flight
 * limit). The buffer therefore always takes QoS 1/2 messages; `capacity` bounds the QoS 0
 * ones: a QoS 0 message that finds the buffer full is dropped, counted in {@link dropped} and
 * reported through `onDrop`.
 *
 * @module
 */

import type { Message } from "./message.ts";

/** What a stream tells its owner. */
export interface StreamHooks {
  /** Called once when the stream ends (unregisters it). */
  detach(): void;
  /** A QoS 0 message was dropped; `dropped` is the total so far. */
  dropped(dropped: number): void;
  /** The consumer took `message`, or the stream gave it up unread (`taken` false). */
  released(message: Message, taken: boolean): void;
}

/**
 * Messages matching one filter, as an async iterator. It ends when the client is disconnected
 * for good, when its `signal` aborts, or when the loop leaves (`return()`).
 */
export class MessageStream implements AsyncIterableIterator<Message> {
  #buffer: (Message | undefined)[] = [];
  #head = 0;
  readonly #capacity: number;
  #dropped = 0;
  #done = false;
  /** `next()` calls waiting for a message, oldest first. */
  #waiters: ((result: IteratorResult<Message, undefined>) => void)[] = [];
  readonly #hooks: StreamHooks;
  #signal: AbortSignal | undefined;
  #onAbort = (): void => void this.return();

  /**
   * A stream that buffers up to `capacity` QoS 0 messages (the client makes them:
   * `client.messages()`).
   *
   * @param capacity messages buffered before a QoS 0 message is dropped
   * @param hooks what the stream reports to the client
   * @param signal ends the stream when aborted
   */
  constructor(capacity: number, hooks: StreamHooks, signal?: AbortSignal) {
    this.#capacity = capacity;
    this.#hooks = hooks;
    // Already aborted: the stream starts ended and is never attached, so it never detaches.
    if (signal?.aborted) this.#done = true;
    else {
      this.#signal = signal;
      signal?.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** QoS 0 messages dropped so far because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages buffered and not read yet. */
  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /**
   * Offers a message (the client calls this); false when it was not taken in (the stream
   * ended, or a QoS 0 message found the buffer full).
   */
  push(message: Message): boolean {
    if (this.#done) return false;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#hooks.released(message, true);
      waiter({ value: message, done: false });
      return true;
    }
    if (message.qos === 0 && this.buffered >= this.#capacity) {
      this.#hooks.dropped(++this.#dropped);
      return false;
    }
    this.#buffer.push(message);
    return true;
  }

  /** Ends the stream after the buffered messages (the client calls this on a final disconnect). */
  end(): void {
    this.#finish();
  }

  /** The next message: a buffered one at once, else the next to arrive; done once ended. */
  next(): Promise<IteratorResult<Message, undefined>> {
    if (this.#head < this.#buffer.length) {
      const message = this.#buffer[this.#head]!;
      this.#buffer[this.#head++] = undefined;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#buffer.length) {
        this.#buffer = this.#buffer.slice(this.#head);
        this.#head = 0;
      }
      this.#hooks.released(message, true);
      return Promise.resolve({ value: message, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the stream now and gives up what is buffered. */
  return(): Promise<IteratorResult<Message, undefined>> {
    const unread = this.#buffer.slice(this.#head);
    this.#buffer = [];
    this.#head = 0;
    this.#finish();
    for (const message of unread) this.#hooks.released(message as Message, false);
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
    this.#signal = undefined;
    this.#hooks.detach();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter({ value: undefined, done: true });
  }
}
