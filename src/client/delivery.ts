/**
 * Delivery of received messages to the application: per-filter callbacks
 * (`messageCallbackAdd`), `onMessage` for what no filter callback took, and `messages()`
 * iterators — and when a QoS 1/2 message counts as taken, so that it may be acknowledged.
 *
 * A message is taken once every consumer has it: the callbacks returned (one that throws has
 * not taken it: the message stays unacknowledged, and the broker sends it again after a
 * reconnect with a session), and each matching iterator handed it out (or gave it up: an
 * iterator left with `break` releases what it buffered). Then `taken` is reported; without
 * manual acknowledgement the client acknowledges it. A message nobody consumes is taken at once
 * (and marked `unread`: with manual acknowledgement nobody can acknowledge it).
 *
 * @module
 */

import type { LogLevel } from "../session/types.ts";
import { TopicRouter } from "../topic_router.ts";
import type { MessageEvent } from "./events.ts";
import { type Message, ReceivedMessage } from "./message.ts";
import { MessageStream } from "./message_stream.ts";

/** What delivery asks of the client. */
export interface DeliveryHooks {
  /** Calls a user callback; false when it threw (the client logs and re-throws it). */
  call(callback: (event: MessageEvent) => void, event: MessageEvent, name: string): boolean;
  /** Writes a log line. */
  log(level: LogLevel, message: string): void;
  /** Acknowledges `message` (every consumer took it; not under manual acknowledgement). */
  acknowledge(message: ReceivedMessage): void;
  /** Whether acknowledgement is manual now (`client.manualAck`). */
  manual(): boolean;
}

/** The every-message streams of every `Delivery` without one (never added to). */
const NO_STREAMS: Set<MessageStream> = new Set();

/** The consumers of received messages and their bookkeeping. */
export class Delivery {
  readonly #hooks: DeliveryHooks;
  // Both made on first use (a client that only uses onMessage keeps neither).
  #callbacks: TopicRouter<(event: MessageEvent) => void> | undefined;
  #streams: TopicRouter<MessageStream> | undefined;
  /** Streams of every message (NO_STREAMS, shared and never added to, until the first one). */
  #allStreams: Set<MessageStream> = NO_STREAMS;

  constructor(hooks: DeliveryHooks) {
    this.#hooks = hooks;
  }

  /** Adds a per-filter callback (paho's `message_callback_add`). */
  addCallback(filter: string, callback: (event: MessageEvent) => void): void {
    (this.#callbacks ??= new TopicRouter()).add(filter, callback);
  }

  /** Removes every callback added for exactly `filter`. */
  removeCallbacks(filter: string): void {
    this.#callbacks?.remove(filter);
  }

  /** A new iterator over the messages matching `filter` (all of them when undefined). */
  stream(filter: string | undefined, capacity: number, signal?: AbortSignal): MessageStream {
    const label = filter ?? "every message";
    const stream: MessageStream = new MessageStream(capacity, {
      detach: () =>
        filter === undefined
          ? this.#allStreams.delete(stream)
          : this.#streams?.remove(filter, stream),
      dropped: (dropped) => {
        if (dropped === 1 || dropped % 1000 === 0) {
          this.#hooks.log(
            "warn",
            `messages(${label}): buffer of ${capacity} full, dropped ${dropped} QoS 0 messages so far`,
          );
        }
      },
      released: (message, read) => this.#release(message, read),
    }, signal);
    if (signal?.aborted) return stream;
    if (filter === undefined) {
      if (this.#allStreams === NO_STREAMS) this.#allStreams = new Set();
      this.#allStreams.add(stream);
    } else (this.#streams ??= new TopicRouter()).add(filter, stream);
    return stream;
  }

  /** Hands `message` to every consumer; `onMessage` gets what no filter callback matched. */
  deliver(message: ReceivedMessage, onMessage: ((event: MessageEvent) => void) | undefined): void {
    const hooks = this.#hooks;
    message.holders = 1; // delivery itself, until every consumer has it
    let took = true;
    let matched = false;
    const router = this.#callbacks;
    if (router !== undefined && router.size > 0) {
      const callbacks = router.match(message.topic);
      for (const callback of callbacks) {
        took = hooks.call(callback, { message }, "a message callback") && took;
      }
      matched = callbacks.length > 0;
    }
    if (!matched && onMessage !== undefined) {
      took = hooks.call(onMessage, { message }, "onMessage") && took;
      matched = true;
    }
    if (this.#allStreams.size > 0) {
      for (const stream of this.#allStreams) this.#offer(stream, message);
    }
    const streams = this.#streams;
    if (streams !== undefined && streams.size > 0) {
      for (const stream of streams.match(message.topic)) this.#offer(stream, message);
    }
    if (!matched && message.holders === 1) message.unread = true; // no consumer at all
    if (took) this.#release(message, true);
  }

  /** The session will not reconnect: ends the iterators. */
  closeStreams(): void {
    for (const stream of [...this.#allStreams]) stream.end();
    const streams = this.#streams;
    if (streams === undefined) return;
    for (const filter of [...streams.filters()]) {
      for (const stream of streams.get(filter)) stream.end();
    }
  }

  #offer(stream: MessageStream, message: ReceivedMessage): void {
    message.holders++;
    if (!stream.push(message)) message.holders--;
  }

  #release(message: Message, read: boolean): void {
    if (!(message instanceof ReceivedMessage)) return;
    if (!read) message.unread = true;
    if (--message.holders > 0 || message.receipt === 0) return;
    if (!this.#hooks.manual()) this.#hooks.acknowledge(message);
    else if (message.unread) this.#hooks.log("warn", unreadWarning(message));
  }
}

/** Why a message nobody read stays unacknowledged under manual acknowledgement. */
function unreadWarning(message: Message): string {
  return `Message ${message.mid} on "${message.topic}" reached no consumer (or an iterator gave it up) with manualAck on: it stays unacknowledged, and holds a place in the broker's flow, until the next connection`;
}
