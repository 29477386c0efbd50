/**
 * The public MQTT client: argument checks, callbacks and message delivery around a driver
 * that runs the protocol session. Its connection-control part is its base class
 * (`lifecycle_api.ts`); what `request()`, `respond()` and `handle()` do is in
 * `_client_requests.ts`.
 *
 * @module
 */

import type { ConnackPacket } from "../codec/types.ts";
import type { AckResult, PublishResult } from "../session/types.ts";
import { PublishTopicCheck, validateTopicFilter } from "../topic.ts";
import type { Driver } from "./driver.ts";
import type {
  ConnectEvent,
  ConnectFailEvent,
  DisconnectEvent,
  LogEvent,
  MessageEvent,
  PublishEvent,
  SubscribeEvent,
} from "./events.ts";
import { ClientLink } from "./_client_link.ts";
import type { Payload } from "./payload.ts";
import { utf8Bytes } from "./_utf8_pool.ts";
import { ClientLifecycle, startDriver } from "./lifecycle_api.ts";
import { type Message, ReceivedMessage } from "./message.ts";
import type { MessageStream } from "./message_stream.ts";
import type { ClientOptions } from "./options.ts";
import type { RequestOptions, RespondOptions } from "./requests.ts";
import { respondTo, sendRequest, serveRequests } from "./_client_requests.ts";
import { resolveOptions } from "./resolve_options.ts";
import { checkFunction, checkInteger, checkObject, toBytes } from "./_validate.ts";
import {
  checkDisconnect,
  checkMessagesOptions,
  checkPublishOptions,
  checkSignal,
  checkSubscriptions,
  checkTopicFilters,
} from "./arguments.ts";
import type {
  ConnectCallOptions,
  DisconnectOptions,
  MessagesOptions,
  PublishOptions,
  ReadyOptions,
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
export class MqttClient extends ClientLifecycle {
  /**
   * Called after each CONNACK: accepted (first connect and reconnects), or refusing, with its
   * `reasonCode` (then `onConnectFail` follows), as paho 2's `on_connect`.
   */
  onConnect: ((event: ConnectEvent) => void) | undefined = undefined;
  /** Called when a connection attempt fails (refused, timed out, network error). */
  onConnectFail: ((event: ConnectFailEvent) => void) | undefined = undefined;
  /** Called when an established connection ends. */
  onDisconnect: ((event: DisconnectEvent) => void) | undefined = undefined;
  /** Called for each message that no per-filter callback (`messageCallbackAdd`) matched. */
  onMessage: ((event: MessageEvent) => void) | undefined = undefined;
  /** Called with diagnostic lines. */
  onLog: ((event: LogEvent) => void) | undefined = undefined;
  /** Called when a `publish()` succeeds (paho's `on_publish`). */
  onPublish: ((event: PublishEvent) => void) | undefined = undefined;
  /** Called when a `subscribe()` settles with the SUBACK (paho's `on_subscribe`). */
  onSubscribe: ((event: SubscribeEvent) => void) | undefined = undefined;
  /** Called when an `unsubscribe()` settles with the UNSUBACK (paho's `on_unsubscribe`). */
  onUnsubscribe: ((event: SubscribeEvent) => void) | undefined = undefined;
  /**
   * Acknowledge QoS 1/2 messages only on `message.ack()` / `client.ack()` (paho's
   * `manual_ack_set`); see the `manualAck` option.
   */
  manualAck: boolean;

  readonly #driver: Driver;
  readonly #topics = new PublishTopicCheck();
  /**
   * What the driver and the delivery report to, and how the application's callbacks are called
   * (with the delivery and the request/response state).
   */
  readonly #link: ClientLink;

  /**
   * Creates a client; nothing happens until {@link connect}.
   *
   * @throws {TypeError | RangeError} when an option is invalid
   */
  constructor(options: ClientOptions = {}) {
    super();
    const resolved = resolveOptions(options);
    this.manualAck = resolved.manualAck;
    this.#link = new ClientLink(this, resolved);
    this.#driver = startDriver(this.#link);
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
   * first attempt fails (with `retryFirstConnect`, only on abort or `disconnect()`: it keeps
   * trying). With `reconnect` on, the client reconnects after later losses.
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
   * connection ends before it was written rejects with `ConnectionClosedError`. `payload`: a
   * string (UTF-8), a number (its decimal string, as paho), bytes (`Uint8Array`, `ArrayBuffer`,
   * any `ArrayBufferView`; not copied), or `null` / omitted for an empty payload.
   */
  publish(topic: string, payload?: Payload, options?: PublishOptions): Promise<PublishResult> {
    let result: Promise<PublishResult>;
    try {
      const bytes = typeof payload === "string" ? utf8Bytes(payload) : toBytes(payload, "payload");
      if (options === undefined) {
        this.#topics.check(topic, false);
        result = this.#driver.publish({ topic, payload: bytes, qos: 0, retain: false });
      } else {
        const message = checkPublishOptions(options);
        this.#topics.check(topic, message.properties?.topicAlias !== undefined);
        message.topic = topic;
        message.payload = bytes;
        result = this.#driver.publish(message, options.signal);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.onPublish === undefined
      ? result
      : this.#link.after(result, () => this.onPublish, "onPublish");
  }

  /**
   * Resolves when the client has room for another message, as a WHATWG stream writer's `ready`:
   * at once while a `publish()` would be sent or queued (not made to wait), fewer than the
   * `highWaterMark` option's QoS 1/2 messages (1000) are unacknowledged and the connection's write
   * buffer is under its own high-water marks (256 KiB unwritten, 16 KiB waiting behind a write
   * under way); otherwise once acknowledgements (or a reconnect) and writes bring it back there.
   * So a loop that awaits it before each call streams any number of messages, of any QoS, with
   * flat memory and without awaiting each one:
   *
   * ```ts ignore
   * let failures = 0;
   * const failed = () => failures++; // or log the error
   * for (const reading of readings) {
   *   await client.ready();
   *   client.publish("sensors/kitchen", reading, { qos: 1 }).catch(failed);
   * }
   * ```
   *
   * Rejects with `ConnectionClosedError` once the client is closed (`disconnect()`, or a failed
   * connect without reconnect), and with the reason when `signal` aborts. While reconnecting it
   * resolves as long as the queue has room (QoS 0 messages are then refused unless
   * `queueQoS0Offline`).
   */
  ready(options: ReadyOptions = {}): Promise<void> {
    try {
      checkObject(options, "ready options");
      checkSignal(options.signal, "ready options.signal");
      return this.#driver.ready(options.signal);
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
      const result = this.#driver.subscribe(subscriptions, properties, options.signal);
      return this.onSubscribe === undefined
        ? result
        : this.#link.after(result, () => this.onSubscribe, "onSubscribe");
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Unsubscribes from one filter or a list; resolves with the reason codes (MQTT 5). */
  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<AckResult> {
    try {
      const [list, properties] = checkTopicFilters(filters, options);
      const result = this.#driver.unsubscribe(list, properties, options.signal);
      return this.onUnsubscribe === undefined
        ? result
        : this.#link.after(result, () => this.onUnsubscribe, "onUnsubscribe");
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends DISCONNECT (when connected), closes the connection and stops reconnecting. Incoming
   * QoS 2 exchanges under way finish first (up to `disconnectTimeout`) unless `force`; the
   * messages of a callback that calls it are acknowledged before the DISCONNECT. Pending
   * operations reject with `ConnectionClosedError`; `messages()` iterators end. Resolves once
   * the connection is closed.
   */
  async disconnect(options: DisconnectOptions = {}): Promise<void> {
    const request = checkDisconnect(options);
    await null; // a message callback that disconnects returns (and its message is acked) first
    await this.#driver.disconnect(request);
    await this.#driver.idle();
  }

  /**
   * Resolves once everything accepted so far (every `publish()` call, every acknowledgement
   * made) is kept in the `store`; at once without a store. Rejects with the store's error when
   * it could not load or save. After it resolves, a crash of this process loses none of those
   * QoS 1/2 messages: a new client with the same store and `clientId` sends them.
   *
   * @example
   * ```ts
   * import { MemoryStore, MqttClient } from "@korero/mqtt";
   *
   * const client = new MqttClient({ clientId: "meter-17", store: new MemoryStore() });
   * client.publish("meters/17", "42", { qos: 1 }).catch(() => {}); // sent after connect()
   * await client.persisted(); // the message is in the store
   * ```
   */
  persisted(): Promise<void> {
    return this.#driver.persisted();
  }

  /**
   * Acknowledges a delivered message (see {@link Message.ack}): PUBACK for QoS 1, PUBREC (or
   * PUBCOMP with `qos2Delivery: "pubrel"`) for QoS 2, with `reasonCode` on MQTT 5. False, with a
   * debug log, for QoS 0, a second acknowledgement, or a message whose connection ended.
   *
   * @throws {TypeError | RangeError} for a message not delivered by this client, or a bad code
   */
  ack(message: Message, reasonCode = 0): boolean {
    if (!(message instanceof ReceivedMessage) || !message.deliveredBy(this)) {
      throw new TypeError("ack message must be a message this client delivered");
    }
    checkInteger(reasonCode, "ack reasonCode", 0, 255);
    return this.#driver.ack(message.receipt, reasonCode);
  }

  /**
   * Messages whose topic matches `filter` (every message when absent), as an async iterator.
   * A QoS 1/2 message is acknowledged only once the loop took it, so a slow consumer slows the
   * broker down instead of losing messages; the buffer (`buffer`, default the `messageBuffer`
   * option) bounds QoS 0 messages, which are dropped (counted, logged) when it is full. It ends
   * when the client is disconnected for good, when `signal` aborts, or when the loop is left
   * (what it buffered is then given up). Create it before subscribing so no early (e.g.
   * retained) message is missed.
   */
  messages(filter?: string, options: MessagesOptions = {}): MessageStream {
    if (filter !== undefined) validateTopicFilter(filter, "messages() filter");
    const capacity = checkMessagesOptions(options, this.#link.options.messageBuffer);
    return this.#link.delivery.stream(filter, capacity, options.signal);
  }

  /**
   * Calls `callback` for messages matching `filter` instead of `onMessage` (like paho's
   * `message_callback_add`). A filter may hold several callbacks.
   */
  messageCallbackAdd(filter: string, callback: (event: MessageEvent) => void): void {
    validateTopicFilter(filter, "messageCallbackAdd filter");
    checkFunction(callback, "messageCallbackAdd callback");
    this.#link.delivery.addCallback(filter, callback);
  }

  /** Removes every callback added for exactly `filter`. */
  messageCallbackRemove(filter: string): void {
    this.#link.delivery.removeCallbacks(filter);
  }

  /**
   * MQTT 5 request/response: publishes `payload` to `topic` with a Response Topic and a
   * Correlation Data of this client's, and resolves with the response (the first message on the
   * Response Topic carrying that Correlation Data). Rejects with `TimeoutError` after `timeout`
   * (30 s; 0 = none), with the `signal`'s reason, or with `ConnectionClosedError` when the client
   * is disconnected for good. The response subscription is made on the first call (under the
   * CONNACK's Response Information when the server gives one: ask with the CONNECT property
   * `requestResponseInformation: true`).
   *
   * @example
   * ```ts
   * import { connect, payloadText } from "@korero/mqtt";
   * const client = await connect("mqtt://localhost", { protocolVersion: 5 });
   * const reply = await client.request("services/time", "now?", { timeout: 5000 });
   * const answer = payloadText(reply);
   * ```
   * @throws {RangeError} (as a rejection) on MQTT 3.1 / 3.1.1
   */
  request(topic: string, payload?: Payload, options?: RequestOptions): Promise<Message> {
    return sendRequest(this, this.#link, topic, payload, options);
  }

  /**
   * Answers `request` (a message with a Response Topic): publishes `payload` to its Response
   * Topic with its Correlation Data, at the request's QoS unless `options.qos` says otherwise.
   *
   * @throws {TypeError} (as a rejection) when `request` has no Response Topic
   */
  respond(request: Message, payload?: Payload, options?: RespondOptions): Promise<PublishResult> {
    return respondTo(this, request, payload, options);
  }

  /**
   * Serves requests: subscribes to `filter` and answers each request that arrives on it with
   * what `handler` returns (or resolves to). A handler that throws is logged (`error`) and the
   * request gets no response; a message without a Response Topic is logged and skipped.
   * Resolves with the SUBACK's result.
   *
   * @example
   * ```ts
   * import { connect } from "@korero/mqtt";
   * const client = await connect("mqtt://localhost", { protocolVersion: 5 });
   * await client.handle("services/time", () => new Date().toISOString());
   * ```
   */
  handle(
    filter: string,
    handler: (request: Message) => Payload | Promise<Payload>,
    options: SubscribeOptions = {},
  ): Promise<AckResult> {
    return serveRequests(this, this.#link, filter, handler, options);
  }

  /** Disconnects, for `await using client = …`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }
}
