/**
 * `LiteClient`: the small MQTT client behind `@korero/mqtt/lite`, for browser and edge bundles.
 *
 * It speaks MQTT 3.1.1 and 5.0 over WebSocket, with the full client's names and semantics for what
 * it has — `connect()`, `publish()` at QoS 0/1/2 (settled on write, PUBACK, PUBCOMP), `subscribe()`,
 * `unsubscribe()`, `messages()`, `onMessage`, `onConnect`, `onDisconnect`, `disconnect()`,
 * keepalive, reconnect with session resumption and resubscribe, the broker's Receive Maximum,
 * Maximum QoS, Retain Available and Maximum Packet Size — so code written for it runs unchanged on
 * the full `MqttClient`. It leaves out what makes the full client big: TCP/TLS transports, MQTT
 * 3.1, topic aliases, request/response, the session store, `ready()` backpressure, operation
 * timeouts, proxies, several brokers, logging and the paho-style hooks.
 *
 * Its state is small and all here: the packets in flight by packet identifier (in the order they
 * were first sent), the messages waiting for room or a connection, the QoS 2 messages received and
 * not yet released, the subscriptions to restore and the `messages()` streams.
 *
 * @module
 */

import type {
  ConnackPacket,
  Packet,
  Properties,
  PublishPacket,
  QoS,
  SubscribePacket,
  Subscription,
  UnsubscribePacket,
} from "../codec/types.ts";
import type { AckResult, PublishResult } from "../session/messages.ts";
import type { ConnectEvent, DisconnectEvent, MessageEvent } from "../client/events.ts";
import type {
  MessagesOptions,
  PublishOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "../client/call_options.ts";
import type { Message } from "../client/message.ts";
import type { Transport } from "../transport/types.ts";
import { Decoder, encode } from "./codec.ts";
import {
  ConnectionClosedError,
  MqttError,
  ProtocolError,
  QueueFullError,
  TimeoutError,
} from "../errors.ts";
import { webSocketOpener } from "../transport/websocket.ts";
import { plainSocket } from "../transport/_websocket_create.ts";
import { MessageStream } from "../client/message_stream.ts";
import { Backoff } from "../session/reconnect.ts";
import { connackRefusal } from "../session/refusal.ts";
import { specName } from "../codec/reason_codes.ts";
import { topicMatches, validateTopicFilter } from "../topic.ts";
import { type Payload, toBytes } from "../client/payload.ts";
import { checkInteger } from "../checks.ts";
import { hex } from "../format.ts";
import { type LiteOptions, type LiteSettings, resolveLiteOptions } from "./options.ts";

const openWebSocket = /* @__PURE__ */ webSocketOpener(plainSocket);

/** A packet this client sends and expects an acknowledgement for. */
type Sent = PublishPacket | SubscribePacket | UnsubscribePacket;

/** Where an operation with a packet identifier stands on the current connection: not sent on it
 * yet (new, or held over from a lost one), sent and waiting for its acknowledgement, or (QoS 2)
 * PUBREC received, PUBREL sent and PUBCOMP awaited. */
const UNSENT = 0, SENT = 1, RELEASED = 2;
type Stage = typeof UNSENT | typeof SENT | typeof RELEASED;

/** A QoS 1/2 publish, a subscribe or an unsubscribe, and the caller waiting for it. */
interface Operation {
  packet: Sent;
  stage: Stage;
  /** Settles the caller's promise (does nothing once settled). */
  settle(error: Error | undefined, result?: PublishResult | AckResult): void;
  /** For a subscribe: the MQTT 5 properties to restore it with. */
  properties?: Properties;
  /** Its caller gave up (signal): a server that lost the session does not get it again. */
  dropped?: boolean;
}

/** A received message, acknowledged once every consumer took it (or by `ack()`). */
class LiteMessage implements Message {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  declare readonly properties?: Properties;
  readonly mid: number;
  readonly timestamp: number;
  /** Consumers that hold it and have not taken it yet. */
  holders = 1;
  /** The acknowledgement was sent, refused or given up. */
  done: boolean;
  /** The reason code `ack()` was called with. */
  reasonCode = 0;
  readonly #acknowledge: Acknowledge;
  readonly #connection: number;

  constructor(packet: PublishPacket, acknowledge: Acknowledge, connection: number) {
    this.topic = packet.topic;
    this.payload = packet.payload;
    this.qos = packet.qos;
    this.retain = packet.retain;
    this.dup = packet.dup;
    if (packet.properties !== undefined) this.properties = packet.properties;
    this.mid = packet.packetId ?? 0;
    this.timestamp = performance.now();
    this.done = packet.qos === 0;
    this.#acknowledge = acknowledge;
    this.#connection = connection;
  }

  ack(reasonCode = 0): boolean {
    if (this.done) return false;
    this.done = true;
    this.reasonCode = reasonCode;
    return this.#acknowledge(this, this.#connection, reasonCode);
  }

  /** A consumer took it or gave it up: acknowledge once none holds it. */
  release(): void {
    if (--this.holders === 0) this.ack();
  }
}

/** Sends a message's acknowledgement if `connection` is still the current one (or, for a QoS 2
 * message, if the session still holds it). */
type Acknowledge = (message: LiteMessage, connection: number, reasonCode: number) => boolean;

/**
 * Encodes `packet`; a value the codec refuses throws its TypeError / RangeError with the message
 * starting with `prefix`, which names the call or option ("publish() qos must be 0, 1 or 2").
 */
function checked(packet: Packet, version: 4 | 5, prefix: string): Uint8Array {
  try {
    return encode(packet, version);
  } catch (error) {
    (error as Error).message = prefix + (error as Error).message;
    throw error;
  }
}

/**
 * A small MQTT 3.1.1 / 5.0 client over WebSocket; see the module documentation for what it does
 * and leaves out.
 *
 * @example
 * ```ts ignore
 * import { LiteClient } from "@korero/mqtt/lite";
 * const client = new LiteClient({ url: "ws://localhost:8080/mqtt" });
 * client.onMessage = ({ message }) => console.log(message.topic);
 * await client.connect();
 * await client.subscribe("sensors/#", { qos: 1 });
 * await client.publish("sensors/kitchen", "21.5", { qos: 1 });
 * await client.disconnect();
 * ```
 */
export class LiteClient {
  /** Every successful connect and reconnect. */
  onConnect: ((event: ConnectEvent) => void) | undefined = undefined;
  /** Every end of a connection that had connected: lost, closed by the server, or `disconnect()`. */
  onDisconnect: ((event: DisconnectEvent) => void) | undefined = undefined;
  /** Every received message (before the `messages()` streams get it). */
  onMessage: ((event: MessageEvent) => void) | undefined = undefined;

  readonly #settings: LiteSettings;
  readonly #version: 4 | 5;
  readonly #backoff: Backoff | undefined;
  /** Counts connections (attempts included); callbacks of an older one are ignored. */
  #connection = 0;
  #transport: Transport | undefined = undefined;
  #decoder: Decoder | undefined = undefined;
  #connack: ConnackPacket | undefined = undefined;
  /** Connected once since `connect()` was called: losses reconnect. */
  #established = false;
  /** `connect()`'s promise until its attempt ends. */
  #first: { promise: Promise<ConnackPacket>; settle(error?: Error): void } | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #abortDial: AbortController | undefined = undefined;
  #lastSent = 0;
  #lastReceived = 0;
  #pongDue = 0;
  /** Operations with a packet identifier, in the order they got it. */
  readonly #inflight = new Map<number, Operation>();
  /** Of them, those not sent on this connection yet. */
  #unsent = 0;
  /** Of them, QoS 1/2 PUBLISH counting against the broker's Receive Maximum. */
  #outstanding = 0;
  /** QoS 1/2 publishes waiting for a packet identifier (room in the window, or a connection). */
  #queue: Operation[] = [];
  #nextId = 0;
  /** QoS 2 messages received, by packet identifier: the message until its PUBREC was sent, then
   * true. A resumed session keeps the message: the server's resend is not delivered again, and
   * the PUBREC goes on the new connection once the consumers took it. */
  readonly #received = new Map<number, LiteMessage | true>();
  /** Granted subscriptions, restored after a reconnect that found no session. */
  readonly #subscriptions = new Map<string, Operation>();
  readonly #streams = new Map<MessageStream, string | undefined>();
  #window = 65_535;
  #maximumQoS: QoS = 2;
  #retainAvailable = true;
  #maximumPacketSize = Infinity;
  /** Topic aliases the server set on this connection (when `properties.topicAliasMaximum` allows). */
  #aliases = new Map<number, string>();
  readonly #acknowledge: Acknowledge = (message, connection, reasonCode) => {
    const id = message.mid;
    const held = message.qos === 2 && this.#received.get(id) === message;
    if ((connection !== this.#connection && !held) || this.#connack === undefined) return false;
    if (message.qos === 2) {
      if (reasonCode < 0x80) this.#received.set(id, true);
      else this.#received.delete(id);
    }
    this.#send({ type: message.qos === 1 ? "puback" : "pubrec", packetId: id, reasonCode });
    return true;
  };

  /**
   * A client for `options.url` (`ws://` or `wss://`); nothing is sent until `connect()`.
   *
   * @throws {TypeError | RangeError} for an option that is wrong, named in the message
   */
  constructor(options: LiteOptions = {}) {
    this.#settings = resolveLiteOptions(options);
    this.#version = this.#settings.version;
    checked(this.#settings.connect, this.#version, "options."); // "options.keepalive must …"
    const bounds = this.#settings.reconnect;
    this.#backoff = bounds === false ? undefined : new Backoff(bounds, Math.random);
  }

  /** Whether a connection is up and its CONNACK accepted it. */
  get connected(): boolean {
    return this.#connack !== undefined;
  }

  /** The client identifier (the server's assigned one, once it gave one). */
  get clientId(): string {
    return this.#settings.connect.clientId;
  }

  /**
   * Connects; resolves with the CONNACK, rejects with `ConnectionRefusedError` (its `reasonCode`)
   * or with why the connection failed. Once connected, a lost connection reconnects (unless
   * `reconnect: false`); the first attempt is not retried. While a lost connection waits out its
   * reconnect delay, it attempts at once.
   */
  connect(): Promise<ConnackPacket> {
    if (this.#connack !== undefined) return Promise.resolve(this.#connack);
    if (this.#first === undefined) {
      let settle!: (error?: Error) => void;
      const promise = new Promise<ConnackPacket>((resolve, reject) =>
        settle = (error) => error === undefined ? resolve(this.#connack!) : reject(error)
      );
      this.#first = { promise, settle };
      // Joins an attempt under way; otherwise (first call, or waiting out a reconnect delay, as
      // MqttClient does) attempts now.
      if (this.#abortDial === undefined) this.#dial();
    }
    return this.#first.promise;
  }

  /**
   * Publishes; settles when written (QoS 0), on PUBACK (QoS 1) or on PUBCOMP (QoS 2), and
   * rejects with an `MqttError` carrying the broker's reason code when it refuses. QoS 1/2
   * messages wait for a connection and for room in the broker's Receive Maximum; QoS 0 ones need
   * a connection.
   *
   * @throws {TypeError | RangeError} (as a rejection) for a wrong argument, before anything is sent
   */
  publish(topic: string, payload?: Payload, options: PublishOptions = {}): Promise<PublishResult> {
    try {
      const qos = options.qos ?? 0;
      const packet: PublishPacket = {
        type: "publish",
        topic,
        payload: toBytes(payload, "publish() payload"),
        qos,
        retain: options.retain ?? false,
        dup: false,
      };
      if (options.properties !== undefined) packet.properties = options.properties;
      if (qos !== 0) packet.packetId = 1; // checked with a stand-in, given its own when sent
      // The codec checks the topic, QoS, flags, properties and size: "publish() qos must be …".
      const bytes = checked(packet, this.#version, "publish() ");
      options.signal?.throwIfAborted();
      this.#admit(packet, bytes.length);
      if (qos === 0) {
        if (this.#connack === undefined) {
          throw new ConnectionClosedError("Cannot publish at QoS 0: the client is not connected");
        }
        return this.#write(bytes).then(() => ({ mid: 0, reasonCode: 0 }), () => {
          throw new ConnectionClosedError("The connection ended before the message was written");
        });
      }
      return this.#track(packet, options.signal, (operation) => {
        this.#queue.push(operation);
        this.#flush();
        // Only one that has to wait counts against maxQueued (it is then the last one queued).
        if (this.#queue.length > this.#settings.maxQueued) {
          this.#queue.pop();
          throw new QueueFullError(
            `${this.#queue.length} messages already wait (maxQueued); this one was not accepted`,
          );
        }
      }) as Promise<PublishResult>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Subscribes to one filter or a list (strings, or `{ topicFilter, qos, … }` overriding the
   * shared `options`); resolves with one reason code per filter: the granted QoS, or a failure
   * code ≥ 0x80.
   */
  subscribe(
    filterOrList: string | (string | SubscribeRequest)[],
    options: SubscribeOptions = {},
  ): Promise<AckResult> {
    try {
      const list = Array.isArray(filterOrList) ? filterOrList : [filterOrList];
      if (list.length === 0) throw new RangeError("subscribe() needs at least one topic filter");
      const { properties, signal: _, ...shared } = options;
      // The codec checks QoS and the MQTT 5 options (and refuses those before MQTT 5).
      const subscriptions = list.map((item, i): Subscription => {
        const request = typeof item === "string" ? { topicFilter: item } : item;
        validateTopicFilter(request.topicFilter, `subscribe() filter ${i}`);
        return { ...shared, ...request, qos: request.qos ?? shared.qos ?? 0 };
      });
      const packet: SubscribePacket = { type: "subscribe", packetId: 1, subscriptions };
      if (properties !== undefined) packet.properties = properties;
      return this.#request(packet, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Unsubscribes from one filter or a list; resolves with the reason codes (MQTT 5). */
  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<AckResult> {
    try {
      const topicFilters = Array.isArray(filters) ? filters : [filters];
      if (topicFilters.length === 0) {
        throw new RangeError("unsubscribe() needs at least one topic filter");
      }
      topicFilters.forEach((filter, i) => validateTopicFilter(filter, `unsubscribe() filter ${i}`));
      const packet: UnsubscribePacket = { type: "unsubscribe", packetId: 1, topicFilters };
      if (options.properties !== undefined) packet.properties = options.properties;
      return this.#request(packet, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The received messages that match `filter` (all when absent), as an async iterator. A QoS 1/2
   * message is acknowledged once every consumer took it, so a slow loop makes the broker wait
   * rather than lose messages; up to `options.buffer` (1000) QoS 0 messages wait, more are
   * dropped (counted in `dropped`). It ends on `disconnect()`, when `signal` aborts, or when the
   * loop leaves.
   */
  messages(filter?: string, options: MessagesOptions = {}): MessageStream {
    if (filter !== undefined) validateTopicFilter(filter, "messages() filter");
    const capacity = options.buffer === undefined
      ? 1000
      : checkInteger(options.buffer, "messages() options.buffer", 1, 2_147_483_647);
    const stream: MessageStream = new MessageStream(capacity, {
      detach: () => this.#streams.delete(stream),
      dropped: () => {},
      released: (message) => (message as LiteMessage).release(),
    }, options.signal);
    this.#streams.set(stream, filter);
    return stream;
  }

  /**
   * Sends DISCONNECT (with `reasonCode` and `properties` on MQTT 5) and closes the connection,
   * for good: operations not finished reject with `ConnectionClosedError`, `messages()` iterators
   * end. `connect()` may be called again afterwards (the QoS 1/2 publishes in flight go again if
   * it resumes the session, as on `MqttClient`).
   */
  // deno-lint-ignore require-await -- async so that a wrong argument rejects rather than throws
  async disconnect(options: { reasonCode?: number; properties?: Properties } = {}): Promise<void> {
    const reasonCode = options.reasonCode ?? 0;
    const packet: Packet = { type: "disconnect", reasonCode };
    if (options.properties !== undefined) packet.properties = options.properties;
    const bytes = checked(packet, this.#version, "disconnect() options.");
    // Ends at once, so nothing goes after the DISCONNECT [MQTT-3.14.4-1] (the WebSocket still
    // sends what it was given before its close).
    if (this.#connack !== undefined) this.#write(bytes).catch(() => {});
    this.#end(this.#connection, undefined, reasonCode, undefined, true);
  }

  /** `await using client = …` disconnects at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** Refuses a publish the connected broker does not allow (its CONNACK's limits). */
  #admit(packet: PublishPacket, size: number): void {
    if (this.#connack === undefined) return;
    if (packet.qos > this.#maximumQoS) {
      throw new MqttError(
        `The server allows QoS ${this.#maximumQoS} at most; this message has QoS ${packet.qos}`,
        { reasonCode: 0x9b },
      );
    }
    if (packet.retain && !this.#retainAvailable) {
      throw new MqttError("The server does not support retained messages", { reasonCode: 0x9a });
    }
    if (size > this.#maximumPacketSize) {
      throw new MqttError(
        `The message is ${size} bytes as a packet; the server takes ${this.#maximumPacketSize} at most`,
        { reasonCode: 0x95 },
      );
    }
  }

  /** A subscribe or unsubscribe: gets a packet identifier now and is sent when connected. */
  #request(packet: SubscribePacket | UnsubscribePacket, signal?: AbortSignal): Promise<AckResult> {
    checked(packet, this.#version, `${packet.type}() `); // sizes, QoS, options, properties
    signal?.throwIfAborted();
    return this.#track(packet, signal, (operation) => {
      if (!this.#assign(operation)) {
        throw new QueueFullError("All 65,535 packet identifiers are in use");
      }
      this.#flush();
    }) as Promise<AckResult>;
  }

  /** Makes the operation for `packet` and its promise; `start` queues or sends it. */
  #track(
    packet: Sent,
    signal: AbortSignal | undefined,
    start: (operation: Operation) => void,
  ): Promise<PublishResult | AckResult> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // Not sent yet: dropped (a publish held for a resumed session stays); else it completes
        // unseen.
        const at = this.#queue.indexOf(operation);
        operation.dropped = true;
        if (at >= 0) this.#queue.splice(at, 1);
        else if (
          packet.type !== "publish" && operation.stage === UNSENT &&
          this.#inflight.delete(packet.packetId!)
        ) this.#unsent--;
        operation.settle(signal!.reason);
      };
      const operation: Operation = {
        packet,
        stage: UNSENT,
        settle(error, result) {
          signal?.removeEventListener("abort", onAbort);
          if (error === undefined) resolve(result!);
          else reject(error);
        },
      };
      start(operation);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Gives `operation` a free packet identifier; false when all are in use. */
  #assign(operation: Operation): boolean {
    if (this.#inflight.size >= 65_535) return false;
    do this.#nextId = this.#nextId === 65_535 ? 1 : this.#nextId + 1; while (
      this.#inflight.has(this.#nextId)
    );
    operation.packet.packetId = this.#nextId;
    this.#inflight.set(this.#nextId, operation);
    this.#unsent++;
    return true;
  }

  /** Sends what may go now: unsent operations in order, then queued publishes while there is room. */
  #flush(): void {
    if (this.#connack === undefined) return;
    if (this.#unsent > 0) {
      for (const operation of this.#inflight.values()) {
        if (operation.stage !== UNSENT) continue;
        const publish = operation.packet.type === "publish";
        if (publish && this.#outstanding >= this.#window) continue;
        this.#unsent--;
        if (!this.#go(operation)) this.#inflight.delete(operation.packet.packetId!);
        else if (publish) this.#outstanding++;
      }
    }
    while (this.#queue.length > 0 && this.#outstanding < this.#window) {
      const operation = this.#queue[0]!;
      if (!this.#assign(operation)) break;
      this.#queue.shift();
      this.#unsent--;
      if (this.#go(operation)) this.#outstanding++;
      else this.#inflight.delete(operation.packet.packetId!);
    }
  }

  /** Sends `operation`, unless it is a publish this broker's CONNACK does not allow (queued
   * before it, or held from a connection that allowed it): that one is rejected instead. */
  #go(operation: Operation): boolean {
    const packet = operation.packet;
    const bytes = encode(packet, this.#version);
    try {
      if (packet.type === "publish") this.#admit(packet, bytes.length);
    } catch (error) {
      operation.settle(error as Error);
      return false;
    }
    operation.stage = SENT;
    this.#write(bytes).catch(() => {});
    return true;
  }

  /** Encodes and writes `packet` on the current connection (errors end the connection). */
  #send(packet: Packet): void {
    this.#write(encode(packet, this.#version)).catch(() => {});
  }

  #write(bytes: Uint8Array): Promise<void> {
    const transport = this.#transport;
    if (transport === undefined) return Promise.reject(new ConnectionClosedError("Not connected"));
    this.#lastSent = performance.now();
    return transport.write(bytes);
  }

  /** Opens a connection and sends CONNECT; the CONNACK, a failure or the timeout goes on. */
  #dial(): void {
    const connection = ++this.#connection;
    const { target, shown, connectTimeout, webSocket } = this.#settings;
    const abort = this.#abortDial = new AbortController();
    this.#arm(connectTimeout, () => {
      const error = new TimeoutError(`No CONNACK from ${shown} within ${connectTimeout} ms`);
      abort.abort(error);
      this.#end(connection, error);
    });
    const handlers = {
      onData: (chunk: Uint8Array) => this.#data(connection, chunk),
      onClose: (error?: Error) => this.#lost(connection, error),
    };
    const options = webSocket === undefined
      ? { signal: abort.signal }
      : { signal: abort.signal, webSocket };
    openWebSocket(target, handlers, options).then((transport) => {
      if (connection !== this.#connection) return transport.close();
      this.#transport = transport;
      this.#decoder = new Decoder(
        this.#version,
        this.#settings.connect.properties?.maximumPacketSize,
      );
      this.#send(this.#settings.connect);
    }, (error: Error) => {
      this.#end(
        connection,
        error instanceof MqttError
          ? error
          : new ConnectionClosedError(`Cannot connect to ${shown}: ${error.message}`, {
            cause: error,
          }),
      );
    });
  }

  /** The transport ended on its own. */
  #lost(connection: number, error: Error | undefined): void {
    const why = error === undefined ? "the server closed the connection" : error.message;
    this.#end(connection, new ConnectionClosedError(`Connection lost: ${why}`, { cause: error }));
  }

  #data(connection: number, chunk: Uint8Array): void {
    if (connection !== this.#connection) return;
    this.#lastReceived = performance.now();
    let packets: Packet[];
    try {
      packets = this.#decoder!.push(chunk);
    } catch (error) {
      return this.#fault(error as MqttError);
    }
    for (const packet of packets) {
      if (connection !== this.#connection) return;
      this.#receive(packet);
    }
  }

  /** A protocol fault: DISCONNECT with its reason code (MQTT 5), then the connection ends. */
  #fault(error: MqttError): void {
    if (this.#version === 5) this.#send({ type: "disconnect", reasonCode: error.reasonCode });
    this.#end(this.#connection, error, error.reasonCode);
  }

  #receive(packet: Packet): void {
    if (this.#connack === undefined) {
      if (packet.type !== "connack") {
        return this.#fault(new ProtocolError(`Expected CONNACK, received ${packet.type}`));
      }
      return this.#connected(packet);
    }
    switch (packet.type) {
      case "publish":
        return this.#deliver(packet);
      case "puback":
      case "pubrec":
      case "pubcomp": {
        const operation = this.#inflight.get(packet.packetId);
        const published = operation?.packet.type === "publish" ? operation.packet : undefined;
        const expected = packet.type === "pubcomp" ? RELEASED : SENT;
        const qos = packet.type === "puback" ? 1 : 2;
        if (published?.qos !== qos || operation!.stage !== expected) {
          if (packet.type === "pubrec") { // answered so the server can end its flow
            const code = this.#version === 5 && operation?.stage !== RELEASED ? 0x92 : 0;
            this.#send({ type: "pubrel", packetId: packet.packetId, reasonCode: code });
          }
          return; // an acknowledgement for nothing we wait for: nothing to do
        }
        if (packet.type === "pubrec" && packet.reasonCode < 0x80) {
          operation!.stage = RELEASED;
          return this.#send({ type: "pubrel", packetId: packet.packetId, reasonCode: 0 });
        }
        this.#finish(packet.packetId, packet.reasonCode, packet.properties, published.topic);
        return this.#flush();
      }
      case "pubrel": {
        const known = this.#received.delete(packet.packetId);
        const reasonCode = known || this.#version === 4 ? 0 : 0x92;
        return this.#send({ type: "pubcomp", packetId: packet.packetId, reasonCode });
      }
      case "suback":
      case "unsuback": {
        const operation = this.#inflight.get(packet.packetId);
        const sent = operation?.packet;
        const type = packet.type === "suback" ? "subscribe" : "unsubscribe";
        if (sent?.type !== type || operation!.stage !== SENT) return;
        const filters = sent.type === "subscribe"
          ? sent.subscriptions.map((s) => s.topicFilter)
          : sent.topicFilters;
        // An MQTT 3.1.1 UNSUBACK carries no reason codes: each filter counts as unsubscribed.
        const reasonCodes = sent.type === "unsubscribe" && this.#version === 4
          ? filters.map(() => 0)
          : packet.reasonCodes;
        if (reasonCodes.length !== filters.length) {
          return this.#fault(
            new ProtocolError(
              `${packet.type} has ${reasonCodes.length} reason codes for ${filters.length} filters`,
            ),
          );
        }
        filters.forEach((filter, i) => {
          if (sent.type === "unsubscribe") { // a refused one stays subscribed
            if (reasonCodes[i]! < 0x80) this.#subscriptions.delete(filter);
            return;
          }
          if (reasonCodes[i]! >= 0x80) return;
          const kept: SubscribePacket = {
            type: "subscribe",
            packetId: 0,
            subscriptions: [sent.subscriptions[i]!],
          };
          if (sent.properties !== undefined) kept.properties = sent.properties;
          this.#subscriptions.set(filter, { packet: kept, stage: UNSENT, settle() {} });
        });
        this.#inflight.delete(packet.packetId);
        const result: AckResult = { mid: packet.packetId, reasonCodes };
        if (packet.properties !== undefined) result.properties = packet.properties;
        return operation!.settle(undefined, result);
      }
      case "pingresp":
        this.#pongDue = 0;
        return;
      case "disconnect": {
        const code = packet.reasonCode;
        const reason = packet.properties?.reasonString;
        const error = new MqttError(
          `The server disconnected: ${specName(code, "disconnect")} (${hex(code)})` +
            (reason === undefined ? "" : `: ${reason}`),
          { reasonCode: code },
        );
        return this.#end(this.#connection, error, code, packet);
      }
      default:
        return this.#fault(
          new ProtocolError(`Unexpected ${packet.type} packet (the lite client has no use for it)`),
        );
    }
  }

  /** A publish's last acknowledgement: settle it by its reason code and free its identifier. */
  #finish(id: number, reasonCode: number, properties: Properties | undefined, topic: string): void {
    const operation = this.#inflight.get(id)!;
    this.#inflight.delete(id);
    this.#outstanding--;
    if (reasonCode >= 0x80) {
      const reason = properties?.reasonString;
      return operation.settle(
        new MqttError(
          `The server refused the publish to "${topic}": ${specName(reasonCode)} ` +
            `(${hex(reasonCode)})` +
            (reason === undefined ? "" : `: ${reason}`),
          { reasonCode },
        ),
      );
    }
    const result: PublishResult = { mid: id, reasonCode };
    if (properties !== undefined) result.properties = properties;
    operation.settle(undefined, result);
  }

  /** The CONNACK: refused ends the attempt; accepted resumes or restarts the session. */
  #connected(connack: ConnackPacket): void {
    const refusal = connackRefusal(connack, this.#version);
    if (refusal !== undefined) return this.#end(this.#connection, refusal, refusal.reasonCode);
    const connect = this.#settings.connect;
    if (connect.clean && connack.sessionPresent) { // [MQTT-3.2.2-1] (3.1.1), [MQTT-3.2.2-2] (5.0)
      return this.#fault(new ProtocolError("CONNACK has Session Present 1 after a clean start"));
    }
    const properties = connack.properties ?? {};
    if (properties.assignedClientIdentifier !== undefined) {
      connect.clientId = properties.assignedClientIdentifier;
    }
    this.#window = properties.receiveMaximum ?? 65_535;
    this.#maximumQoS = properties.maximumQoS ?? 2;
    this.#retainAvailable = properties.retainAvailable ?? true;
    this.#maximumPacketSize = properties.maximumPacketSize ?? Infinity;
    this.#connack = connack;
    this.#aliases.clear();
    this.#backoff?.reset();
    const keepalive = (properties.serverKeepAlive ?? connect.keepalive) * 1000;
    this.#pongDue = 0;
    if (keepalive > 0) this.#arm(keepalive, () => this.#keepalive(keepalive));
    else this.#arm(-1);
    this.#resume(connack.sessionPresent);
    const reconnect = this.#established;
    this.#established = true;
    const first = this.#first;
    this.#first = undefined;
    first?.settle();
    const event: ConnectEvent = {
      connack,
      reasonCode: connack.reasonCode,
      sessionPresent: connack.sessionPresent,
      reconnect,
    };
    if (connack.properties !== undefined) event.properties = connack.properties;
    this.#call(this.onConnect, event);
    this.#flush();
  }

  /**
   * After a CONNACK. Session present: PUBREL again for released QoS 2 messages; PUBLISH again,
   * with DUP, for the others (in `#flush`, in the order first sent). No session: released QoS 2
   * messages are delivered (the server took them at PUBREC), the others go again as new messages,
   * and with `resubscribe` the granted subscriptions are restored first.
   */
  #resume(sessionPresent: boolean): void {
    this.#outstanding = 0;
    // No session: the server will not send PUBREL, nor again the QoS 2 messages not acknowledged.
    if (!sessionPresent) this.#received.clear();
    const held = [...this.#inflight.values()];
    if (!sessionPresent && this.#settings.resubscribe) {
      for (const kept of this.#subscriptions.values()) {
        if (this.#inflight.get(kept.packet.packetId!) !== kept) this.#assign(kept);
      }
    }
    for (const operation of held) {
      const packet = operation.packet;
      if (!sessionPresent && (operation.stage === RELEASED || operation.dropped)) {
        // Released: the server took it at PUBREC. Given up: not published again.
        if (operation.stage === UNSENT) this.#unsent--;
        this.#inflight.delete(packet.packetId!);
        operation.settle(undefined, { mid: packet.packetId!, reasonCode: 0 });
        continue;
      }
      if (operation.stage === RELEASED) {
        this.#outstanding++;
        this.#send({ type: "pubrel", packetId: packet.packetId!, reasonCode: 0 });
        continue;
      }
      if (operation.stage === SENT) this.#unsent++;
      if (packet.type === "publish") {
        packet.dup = sessionPresent && (packet.dup || operation.stage === SENT);
      }
      operation.stage = UNSENT;
      if (!sessionPresent) { // after the restored subscriptions, in the order first sent
        this.#inflight.delete(packet.packetId!);
        this.#inflight.set(packet.packetId!, operation);
      }
    }
  }

  #keepalive(interval: number): void {
    const now = performance.now();
    if (this.#pongDue !== 0 && now >= this.#pongDue) {
      const error = new TimeoutError(`No PINGRESP within ${interval / 1000} s: connection lost`);
      return this.#end(this.#connection, error, 0x8d);
    }
    // Nothing sent, or (as MqttClient does) nothing received, for the interval: a client that
    // keeps publishing still finds out that the server went silent.
    if (this.#pongDue === 0 && now - Math.min(this.#lastSent, this.#lastReceived) >= interval) {
      this.#send({ type: "pingreq" });
      this.#pongDue = now + interval;
    }
    const next = (this.#pongDue || Math.min(this.#lastSent, this.#lastReceived) + interval) - now;
    this.#arm(Math.max(next, 1), () => this.#keepalive(interval));
  }

  /** A received PUBLISH: to `onMessage` and the matching streams, acknowledged once taken. */
  #deliver(packet: PublishPacket): void {
    const alias = packet.properties?.topicAlias;
    if (alias !== undefined) {
      const properties: Properties = { ...packet.properties };
      delete properties.topicAlias; // it means nothing off this connection
      if (Object.keys(properties).length > 0) packet.properties = properties;
      else delete packet.properties;
      const maximum = this.#settings.connect.properties?.topicAliasMaximum ?? 0;
      const topic = packet.topic || this.#aliases.get(alias);
      if (alias < 1 || alias > maximum || topic === undefined) {
        const problem = topic === undefined ? "never set" : `outside 1–${maximum}`;
        return this.#fault(
          new ProtocolError(`The server used topic alias ${alias}, ${problem}`, {
            reasonCode: 0x94,
          }),
        );
      }
      this.#aliases.set(alias, packet.topic = topic);
    }
    if (packet.qos === 2) {
      const seen = this.#received.get(packet.packetId!);
      if (seen === true) { // a resend of one we acknowledged
        return this.#send({ type: "pubrec", packetId: packet.packetId!, reasonCode: 0 });
      }
      if (seen !== undefined) { // a resend of one still held, or taken while disconnected
        if (seen.done) this.#acknowledge(seen, this.#connection, seen.reasonCode);
        return;
      }
    }
    const message = new LiteMessage(packet, this.#acknowledge, this.#connection);
    if (packet.qos === 2) this.#received.set(packet.packetId!, message);
    // An onMessage that throws has not taken it: it stays unacknowledged (as on MqttClient).
    const took = this.#call(this.onMessage, { message });
    for (const [stream, filter] of this.#streams) {
      if (filter !== undefined && !topicMatches(filter, packet.topic)) continue;
      message.holders++;
      if (!stream.push(message)) message.holders--;
    }
    if (took) message.release();
  }

  /** Calls an application callback; false when it threw (surfacing later as an uncaught error). */
  #call<T>(callback: ((event: T) => void) | undefined, event: T): boolean {
    try {
      callback?.(event);
      return true;
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
      return false;
    }
  }

  /** One timer for the phase the client is in: connect timeout, keepalive or reconnect delay. */
  #arm(ms: number, callback?: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = callback === undefined ? undefined : setTimeout(callback, ms);
  }

  /**
   * The connection (or attempt) `connection` ended: with `error` when it failed, for good when
   * `final` (disconnect()) or when it will not reconnect. Reconnects after the backoff delay
   * otherwise.
   */
  #end(
    connection: number,
    error: MqttError | undefined,
    reasonCode = 0x80,
    packet?: Packet,
    final = false,
  ): void {
    if (connection !== this.#connection) return;
    this.#connection++;
    this.#abortDial?.abort();
    this.#abortDial = undefined;
    this.#transport?.close();
    this.#transport = undefined;
    this.#decoder = undefined;
    const wasConnected = this.#connack !== undefined;
    this.#connack = undefined;
    const first = this.#first;
    this.#first = undefined;
    const willReconnect = !final && this.#established && this.#backoff !== undefined;
    if (willReconnect) {
      this.#arm(this.#backoff!.next(), () => this.#dial());
    } else {
      this.#arm(-1);
      this.#established = false;
      const closed = new ConnectionClosedError(
        final ? "disconnect() was called" : "The connection ended and will not reconnect",
        error === undefined ? {} : { cause: error },
      );
      for (const operation of this.#queue) operation.settle(closed);
      this.#queue = [];
      this.#unsent = this.#outstanding = 0;
      for (const operation of this.#inflight.values()) {
        operation.settle(closed);
        operation.dropped = true;
        // A publish in flight stays (as on MqttClient) for a later connect() that resumes the
        // session: the server may hold its identifier (a QoS 2 one awaits our PUBREL).
        if (operation.packet.type !== "publish") this.#inflight.delete(operation.packet.packetId!);
        else if (operation.stage === UNSENT) this.#unsent++;
      }
      this.#received.clear();
      this.#subscriptions.clear();
      for (const stream of [...this.#streams.keys()]) stream.end();
    }
    first?.settle(error ?? new ConnectionClosedError("disconnect() was called"));
    if (wasConnected) {
      const event: DisconnectEvent = {
        reasonCode,
        willReconnect,
      };
      if (error !== undefined) event.error = error;
      if (packet?.type === "disconnect") event.packet = packet;
      this.#call(this.onDisconnect, event);
    }
  }
}

/**
 * Connects a {@link LiteClient} to `url` (`ws://` or `wss://`); resolves once the broker accepted
 * it.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@korero/mqtt/lite";
 * await using client = await connect("ws://localhost:8080/mqtt", { protocolVersion: 5 });
 * await client.publish("greetings", "hello", { qos: 1 });
 * ```
 */
export async function connect(url: string, options: LiteOptions = {}): Promise<LiteClient> {
  const client = new LiteClient({ ...options, url });
  await client.connect();
  return client;
}
