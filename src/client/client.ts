/**
 * The public MQTT client: argument checks, callbacks and message delivery around a driver
 * that runs the protocol session.
 *
 * @module
 */

import type {
  ConnackPacket,
  DisconnectPacket,
  Properties,
  QoS,
  Subscription,
} from "../codec/types.ts";
import type { MqttError } from "../errors.ts";
import { Session } from "../session/mod.ts";
import type { AckResult, DisconnectRequest, LogLevel, PublishResult } from "../session/types.ts";
import { TopicRouter } from "../topic_router.ts";
import { validateTopicFilter, validateTopicName } from "../topic.ts";
import { openAuto } from "../transport/auto.ts";
import { Driver, type DriverEvent } from "./driver.ts";
import { type Message, messageOf } from "./message.ts";
import { MessageStream } from "./message_stream.ts";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { checkFunction, checkInteger, checkObject, MAX_UINT32, toBytes } from "./_validate.ts";
import {
  checkPublishOptions,
  checkSubscriptions,
  checkTopicFilters,
  type PublishOptions,
  type SubscribeOptions,
  type SubscribeRequest,
  type UnsubscribeOptions,
} from "./arguments.ts";

/** What `onConnect` receives: the CONNACK of a successful (re)connection. */
export interface ConnectEvent {
  connack: ConnackPacket;
  /** Whether the broker resumed a stored session. */
  sessionPresent: boolean;
  /** The CONNACK's MQTT 5 properties (limits, assigned client id, …). */
  properties?: Properties;
  /** `true` for every connection after the first. */
  reconnect: boolean;
}

/** What `onConnectFail` receives: why one connection attempt failed. */
export interface ConnectFailEvent {
  error: MqttError;
  /** Whether the client will try again (reconnect policy), or gave up. */
  willReconnect: boolean;
}

/** What `onDisconnect` receives when an established connection ended. */
export interface DisconnectEvent {
  /** The server's DISCONNECT reason code, else the error's, else 0. */
  reasonCode: number;
  /** Why the connection ended, unless it was a normal disconnect. */
  error?: MqttError;
  /** The server's DISCONNECT packet (MQTT 5), if it sent one. */
  packet?: DisconnectPacket;
  /** Whether the client will try to reconnect. */
  willReconnect: boolean;
}

/** What `onMessage` and per-filter callbacks receive. */
export interface MessageEvent {
  message: Message;
}

/** What `onLog` receives. */
export interface LogEvent {
  level: LogLevel;
  message: string;
}

/** Options of {@link MqttClient.connect}. */
export interface ConnectCallOptions {
  /** Aborting stops the attempt and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of {@link MqttClient.disconnect}. */
export interface DisconnectOptions {
  /** DISCONNECT reason code (MQTT 5); `0x04` asks the broker to publish the will. @default 0 */
  reasonCode?: number;
  /** DISCONNECT properties (MQTT 5). */
  properties?: Properties;
  /** Shortcut for `properties.sessionExpiryInterval` (MQTT 5). */
  sessionExpiryInterval?: number;
}

/** Options of {@link MqttClient.messages}. */
export interface MessagesOptions {
  /** Messages buffered before the oldest is dropped. @default options.messageBuffer (1000) */
  buffer?: number;
  /** Aborting ends the iterator. */
  signal?: AbortSignal;
}

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
  #clientId: string;
  #connects = 0;
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
    this.#clientId = this.#options.session.clientId;
    const session = new Session(this.#options.session, this.#options.random);
    this.#driver = new Driver(
      session,
      this.#options.opener ?? openAuto,
      this.#options.target,
      this.#options.clock,
      { event: (event) => this.#event(event), closed: () => this.#closed() },
    );
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.#driver.state === "connected";
  }

  /** The client identifier: the one given or generated, or the one the server assigned. */
  get clientId(): string {
    return this.#clientId;
  }

  /**
   * Connects; resolves with the CONNACK once the broker accepted the connection, rejects with
   * `ConnectionRefusedError` (with `reasonCode` and `reasonName`) or another `MqttError` if the
   * first attempt fails. With `reconnect` on, the client reconnects after later losses.
   */
  connect(options: ConnectCallOptions = {}): Promise<ConnackPacket> {
    try {
      checkObject(options, "connect options");
      const signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return this.#driver.connect(signal);
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
      const bytes = typeof payload === "string" ? encoder.encode(payload) : payload;
      if (!(bytes instanceof Uint8Array)) toBytes(payload, "payload");
      if (options === undefined) {
        checkTopic(topic, false);
        return this.#driver.publish({ topic, payload: bytes, qos: 0, retain: false });
      }
      const message = checkPublishOptions(options, this.#options.session.protocolVersion);
      checkTopic(topic, message.properties?.topicAlias !== undefined);
      message.topic = topic;
      message.payload = bytes;
      const signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return this.#driver.publish(message, signal);
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
      const version = this.#options.session.protocolVersion;
      const [subscriptions, properties] = checkSubscriptions(filterOrList, options, version);
      const signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return this.#driver.subscribe(subscriptions, properties, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Unsubscribes from one filter or a list; resolves with the reason codes (MQTT 5). */
  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<AckResult> {
    try {
      const version = this.#options.session.protocolVersion;
      const [list, properties] = checkTopicFilters(filters, options, version);
      const signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return this.#driver.unsubscribe(list, properties, signal);
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
    const request = checkDisconnect(options, this.#options.session.protocolVersion);
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
    checkObject(options, "messages() options");
    const capacity = options.buffer === undefined
      ? this.#options.messageBuffer
      : checkInteger(options.buffer, "messages() options.buffer", 1, 2_147_483_647);
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
      case "connected": {
        this.#clientId = event.clientId;
        const connect: ConnectEvent = {
          connack: event.connack,
          sessionPresent: event.sessionPresent,
          reconnect: this.#connects++ > 0,
        };
        if (event.connack.properties !== undefined) connect.properties = event.connack.properties;
        return this.#call(this.onConnect, connect, "onConnect");
      }
      case "connectFailed":
        return this.#call(
          this.onConnectFail,
          { error: event.error, willReconnect: event.reconnectAt !== undefined },
          "onConnectFail",
        );
      case "disconnected": {
        const disconnect: DisconnectEvent = {
          reasonCode: event.packet?.reasonCode ?? event.error?.reasonCode ?? 0,
          willReconnect: event.reconnectAt !== undefined,
        };
        if (event.error !== undefined) disconnect.error = event.error;
        if (event.packet !== undefined) disconnect.packet = event.packet;
        return this.#call(this.onDisconnect, disconnect, "onDisconnect");
      }
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

const encoder = new TextEncoder();

/** The last topic that passed the short path of {@link checkTopic}. */
let lastTopic = "";

/**
 * Throws unless `topic` can be published to; plain ASCII topics take a short path, and the
 * last one that passed it (a publisher's loop repeats its topic) is not scanned again.
 */
function checkTopic(topic: unknown, hasAlias: boolean): void {
  if (topic === lastTopic && topic !== "") return;
  if (typeof topic === "string") {
    const n = topic.length;
    if (n > 0 && n <= 65_535) {
      let i = 0;
      for (; i < n; i++) {
        const c = topic.charCodeAt(i);
        if (c === 0x23 || c === 0x2b || c === 0 || c > 0x7e) break;
      }
      if (i === n) {
        lastTopic = topic;
        return;
      }
    } else if (n === 0 && hasAlias) return; // MQTT 5: the alias stands for the topic
  }
  validateTopicName(topic, "publish topic");
}

function checkDisconnect(options: DisconnectOptions, version: number): DisconnectRequest {
  checkObject(options, "disconnect options");
  const request: DisconnectRequest = {};
  if (options.reasonCode !== undefined) {
    checkInteger(options.reasonCode, "disconnect options.reasonCode", 0, 255);
    if (version !== 5 && options.reasonCode !== 0) {
      throw new RangeError(
        `disconnect options.reasonCode needs protocolVersion 5, got ${options.reasonCode}`,
      );
    }
    request.reasonCode = options.reasonCode;
  }
  let properties = options.properties;
  if (properties !== undefined) checkObject(properties, "disconnect options.properties");
  if (options.sessionExpiryInterval !== undefined) {
    checkInteger(
      options.sessionExpiryInterval,
      "disconnect options.sessionExpiryInterval",
      0,
      MAX_UINT32,
    );
    properties = { ...properties, sessionExpiryInterval: options.sessionExpiryInterval };
  }
  if (properties !== undefined) {
    if (version !== 5) {
      throw new RangeError("disconnect options.properties needs protocolVersion 5");
    }
    request.properties = properties;
  }
  return request;
}

export type { PublishOptions, SubscribeOptions, SubscribeRequest, UnsubscribeOptions };
export type { QoS, Subscription };
