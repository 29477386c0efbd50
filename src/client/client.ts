/**
 * The public MQTT client: argument checks, callbacks and message delivery around a driver
 * that runs the protocol session.
 *
 * @module
 */

import type { ConnackPacket } from "../codec/types.ts";
import { Session } from "../session/mod.ts";
import type { AckResult, LogLevel, PublishResult } from "../session/types.ts";
import { TopicRouter } from "../topic_router.ts";
import { PublishTopicCheck, validateTopicFilter } from "../topic.ts";
import { openAuto } from "../transport/auto.ts";
import { Driver, type DriverEvent } from "./driver.ts";
import {
  type ConnectEvent,
  connectEvent,
  type ConnectFailEvent,
  connectFailEvent,
  type DisconnectEvent,
  disconnectEvent,
  type LogEvent,
  type MessageEvent,
} from "./events.ts";
import { type Message, messageOf } from "./message.ts";
import { MessageStream } from "./message_stream.ts";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { checkFunction, checkObject, toBytes } from "./_validate.ts";
import {
  checkDisconnect,
  checkMessagesOptions,
  checkPublishOptions,
  checkSubscriptions,
  checkTopicFilters,
} from "./arguments.ts";
import type {
  ConnectCallOptions,
  DisconnectOptions,
  MessagesOptions,
  PublishOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "./call_options.ts";

/**
 * An MQTT 3.1 / 3.1.1 / 5.0 client. Set the callbacks, then `connect()`.
 *
 * @example
 * ```ts
 * import { MqttClient, payloadText } from "@korero/mqtt";
 * const client = new MqttClient({ url: "mqtt://localhost:1883", protocolVersion: 5 });
 * const seen: string[] = [];
 * client.onMessage = ({ message }) => seen.push(`${message.topic}: ${payloadText(message)}`);
 * await client.connect();
 * await client.subscribe("sensors/#", { qos: 1 });
 * await client.publish("sensors/kitchen", "21.5", { qos: 1 });
 * await client.disconnect();
 * ```
 */
export class MqttClient {
  /** Called after each successful CONNACK (first connect and reconnects). */
  onConnect: ((event: ConnectEvent) => void) | undefined = undefined;
  /** Called when a connection attempt fails (refused, timed out, network error). */
  onConnectFail: ((event: ConnectFailEvent) => void) | undefined = undefined;
  /** Called when an established connection ends. */
  onDisconnect: ((event: DisconnectEvent) => void) | undefined = undefined;
  /** Called for each message that no per-filter callback (`messageCallbackAdd`) matched. */
  onMessage: ((event: MessageEvent) => void) | undefined = undefined;
  /** Called with diagnostic lines. */
  onLog: ((event: LogEvent) => void) | undefined = undefined;

  readonly #options: ResolvedOptions;
  readonly #driver: Driver;
  readonly #topics = new PublishTopicCheck();
  readonly #callbacks = new TopicRouter<(event: MessageEvent) => void>();
  readonly #streams = new TopicRouter<MessageStream>();
  readonly #allStreams = new Set<MessageStream>();

  /**
   * Creates a client; nothing happens until {@link connect}.
   *
   * @throws {TypeError | RangeError} when an option is invalid
   */
  constructor(options: ClientOptions = {}) {
    this.#options = resolveOptions(options);
    const { session, random, opener, target, readPacing, clock } = this.#options;
    this.#driver = new Driver(new Session(session, random), {
      opener: opener ?? openAuto,
      target,
      readPacing,
      clock,
      events: { event: (event) => this.#event(event), closed: () => this.#closed() },
    });
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.#driver.state === "connected";
  }

  /** The client identifier: the one given or generated, or the one the server assigned. */
  get clientId(): string {
    return this.#driver.clientId;
  }

  /**
   * Connects; resolves with the CONNACK once the broker accepted the connection, rejects with
   * `ConnectionRefusedError` (with `reasonCode` and `reasonName`) or another `MqttError` if the
   * first attempt fails. With `reconnect` on, the client reconnects after later losses.
   */
  connect(options: ConnectCallOptions = {}): Promise<ConnackPacket> {
    try {
      checkObject(options, "connect options");
      return this.#driver.connect(options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Publishes a message. Resolves when a QoS 0 message was handed to the network, on PUBACK
   * (QoS 1) or on PUBCOMP (QoS 2), with the broker's reason code. Arguments are checked before
   * anything is queued; a bad one rejects with `TypeError` / `RangeError`. QoS 0 messages without
   * a `signal` that leave in the same write share one promise (and one frozen result); one whose
   * connection ends before it was written rejects with `ConnectionClosedError`.
   */
  publish(
    topic: string,
    payload: string | Uint8Array,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    try {
      const bytes = toBytes(payload, "payload");
      if (options === undefined) {
        this.#topics.check(topic, false);
        return this.#driver.publish({ topic, payload: bytes, qos: 0, retain: false });
      }
      const message = checkPublishOptions(options);
      this.#topics.check(topic, message.properties?.topicAlias !== undefined);
      message.topic = topic;
      message.payload = bytes;
      return this.#driver.publish(message, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Subscribes to one filter or a list; each entry of a list may be a filter or a
   * {@link SubscribeRequest} whose fields override the shared `options`. Resolves with one
   * reason code per filter (the granted QoS, or a failure code ≥ 0x80).
   */
  subscribe(
    filterOrList: string | (string | SubscribeRequest)[],
    options: SubscribeOptions = {},
  ): Promise<AckResult> {
    try {
      const [subscriptions, properties] = checkSubscriptions(filterOrList, options);
      return this.#driver.subscribe(subscriptions, properties, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Unsubscribes from one filter or a list; resolves with the reason codes (MQTT 5). */
  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<AckResult> {
    try {
      const [list, properties] = checkTopicFilters(filters, options);
      return this.#driver.unsubscribe(list, properties, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends DISCONNECT (when connected), closes the connection and stops reconnecting. Pending
   * operations reject with `ConnectionClosedError`; `messages()` iterators end. Resolves once
   * the connection is closed.
   */
  async disconnect(options: DisconnectOptions = {}): Promise<void> {
    const request = checkDisconnect(options);
    await this.#driver.disconnect(request);
    await this.#driver.idle();
  }

  /**
   * Messages whose topic matches `filter` (every message when absent), as an async iterator
   * with a bounded buffer: when the consumer falls behind, the oldest are dropped (and logged).
   * It ends when the client is disconnected for good, when `signal` aborts, or when the loop
   * is left. Create it before subscribing so no early (e.g. retained) message is missed.
   */
  messages(filter?: string, options: MessagesOptions = {}): MessageStream {
    if (filter !== undefined) validateTopicFilter(filter, "messages() filter");
    const capacity = checkMessagesOptions(options, this.#options.messageBuffer);
    const label = filter ?? "every message";
    const stream: MessageStream = new MessageStream(
      capacity,
      () =>
        filter === undefined
          ? this.#allStreams.delete(stream)
          : this.#streams.remove(filter, stream),
      (dropped) => {
        if (dropped === 1 || dropped % 1000 === 0) {
          this.#log(
            "warn",
            `messages(${label}): buffer of ${capacity} full, dropped ${dropped} so far`,
          );
        }
      },
      options.signal,
    );
    if (options.signal?.aborted) return stream;
    if (filter === undefined) this.#allStreams.add(stream);
    else this.#streams.add(filter, stream);
    return stream;
  }

  /**
   * Calls `callback` for messages matching `filter` instead of `onMessage` (like paho's
   * `message_callback_add`). A filter may hold several callbacks.
   */
  messageCallbackAdd(filter: string, callback: (event: MessageEvent) => void): void {
    validateTopicFilter(filter, "messageCallbackAdd filter");
    checkFunction(callback, "messageCallbackAdd callback");
    this.#callbacks.add(filter, callback);
  }

  /** Removes every callback added for exactly `filter`. */
  messageCallbackRemove(filter: string): void {
    this.#callbacks.remove(filter);
  }

  /** Disconnects, for `await using client = …`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  #event(event: DriverEvent): void {
    switch (event.type) {
      case "message":
        return this.#deliver(messageOf(event.message));
      case "connected":
        return this.#call(this.onConnect, connectEvent(event), "onConnect");
      case "connectFailed":
        return this.#call(this.onConnectFail, connectFailEvent(event), "onConnectFail");
      case "disconnected":
        return this.#call(this.onDisconnect, disconnectEvent(event), "onDisconnect");
      case "log":
        return this.#log(event.level, event.message);
    }
  }

  #deliver(message: Message): void {
    let matched = false;
    if (this.#callbacks.size > 0) {
      const callbacks = this.#callbacks.match(message.topic);
      for (const callback of callbacks) this.#call(callback, { message }, "a message callback");
      matched = callbacks.length > 0;
    }
    if (!matched && this.onMessage !== undefined) {
      this.#call(this.onMessage, { message }, "onMessage");
    }
    for (const stream of this.#allStreams) stream.push(message);
    if (this.#streams.size > 0) {
      for (const stream of this.#streams.match(message.topic)) stream.push(message);
    }
  }

  /** The session will not reconnect: end the iterators. */
  #closed(): void {
    for (const stream of [...this.#allStreams]) stream.end();
    for (const filter of [...this.#streams.filters()]) {
      for (const stream of this.#streams.get(filter)) stream.end();
    }
  }

  #log(level: LogLevel, message: string): void {
    const logger = this.#options.logger;
    if (logger !== undefined) this.#call(() => logger(level, message), undefined, "logger");
    if (this.onLog !== undefined) this.#call(this.onLog, { level, message }, "onLog");
  }

  /** Calls a user callback; an exception is logged and re-thrown outside the client's loop. */
  #call<E>(callback: ((event: E) => void) | undefined, event: E, name: string): void {
    if (callback === undefined) return;
    try {
      callback(event);
    } catch (error) {
      if (name !== "onLog" && name !== "logger") {
        this.#log("error", `${name} threw: ${String(error)}`);
      }
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
