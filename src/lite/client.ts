/**
 * `LiteClient`: the small MQTT client behind `@korero/mqtt/lite`, for browser and edge bundles.
 *
 * It speaks MQTT 3.1.1 and 5.0 over WebSocket, with the full client's names and semantics for what
 * it has — `connect()`, `publish()` at QoS 0/1/2 (settled on write, PUBACK, PUBCOMP), `subscribe()`,
 * `unsubscribe()`, `messages()`, `onMessage`, `onConnect`, `onDisconnect`, `disconnect()`,
 * keepalive, reconnect with session resumption and resubscribe, the broker's Receive Maximum,
 * Maximum QoS, Retain Available and Maximum Packet Size — so code written for it runs unchanged on
 * the full `MqttClient`. It leaves out what makes the full client big: TCP/TLS transports, MQTT
 * 3.1, outgoing topic aliases, request/response, the session store, `ready()` backpressure, operation
 * timeouts, proxies, several brokers, logging and the paho-style hooks.
 *
 * Its state is small. Here: the connection and its one timer (connect timeout, keepalive or
 * reconnect delay), the QoS 2 messages received and not yet released, the server's topic aliases
 * and the `messages()` streams. What it sends and waits for — the packets in flight by packet
 * identifier (in the order they were first sent), the messages waiting for room or a connection,
 * the broker's limits and the subscriptions to restore — is `Outgoing`'s (`outgoing.ts`).
 *
 * @module
 */

import type { ConnackPacket, Packet, Properties, PublishPacket } from "../codec/types.ts";
import type { AckResult, PublishResult } from "../session/messages.ts";
import type { ConnectEvent, DisconnectEvent, MessageEvent } from "../client/events.ts";
import type {
  MessagesOptions,
  PublishOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "../client/call_options.ts";
import type { Transport } from "../transport/types.ts";
import { Decoder, encode } from "./codec.ts";
import { ConnectionClosedError, MqttError, ProtocolError, TimeoutError } from "../errors.ts";
import { webSocketOpener } from "../transport/_websocket_transport.ts";
import { plainSocket } from "../transport/_websocket_create.ts";
import { MessageStream, type StreamHooks } from "../client/message_stream.ts";
import { Backoff } from "../session/reconnect.ts";
import { connackRefusal } from "../session/refusal.ts";
import { topicMatches, validateTopicFilter } from "../topic.ts";
import type { Payload } from "../client/payload.ts";
import { checkInteger } from "../checks.ts";
import { type LiteOptions, type LiteSettings, resolveLiteOptions } from "./options.ts";
import { type Acknowledge, LiteMessage, resolveTopicAlias } from "./message.ts";
import { Outgoing } from "./outgoing.ts";
import { call, connectEvent, disconnectEvent, serverDisconnected } from "./events.ts";
import { checked, publishPacket, subscribePacket, unsubscribePacket } from "./call_packets.ts";

const openWebSocket = /* @__PURE__ */ webSocketOpener(plainSocket);

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
  /** The operations sent and waiting for their acknowledgement, and the queue. */
  readonly #outgoing: Outgoing;
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
  /** QoS 2 messages received, by packet identifier: the message until its PUBREC was sent, then
   * true. A resumed session keeps the message: the server's resend is not delivered again, and
   * the PUBREC goes on the new connection once the consumers took it. */
  readonly #received = new Map<number, LiteMessage | true>();
  readonly #streams = new Map<MessageStream, string | undefined>();
  /** Topic aliases the server set on this connection (when `properties.topicAliasMaximum` allows). */
  readonly #aliases = new Map<number, string>();
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
    this.#outgoing = new Outgoing(this.#settings, {
      connected: () => this.#connack !== undefined,
      write: (bytes: Uint8Array) => this.#write(bytes),
    });
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
      const packet = publishPacket(topic, payload, options);
      // The codec checks the topic, QoS, flags, properties and size: "publish() qos must be …".
      const bytes = checked(packet, this.#version, "publish() ");
      options.signal?.throwIfAborted();
      this.#outgoing.admit(packet, bytes.length);
      if (packet.qos === 0) {
        if (this.#connack === undefined) {
          throw new ConnectionClosedError("Cannot publish at QoS 0: the client is not connected");
        }
        return this.#write(bytes).then(() => ({ mid: 0, reasonCode: 0 }), () => {
          throw new ConnectionClosedError("The connection ended before the message was written");
        });
      }
      return this.#outgoing.publish(packet, options.signal);
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
      return this.#outgoing.request(subscribePacket(filterOrList, options), options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Unsubscribes from one filter or a list; resolves with the reason codes (MQTT 5). */
  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<AckResult> {
    try {
      return this.#outgoing.request(unsubscribePacket(filters, options), options.signal);
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
    const hooks: StreamHooks = {
      detach() {},
      dropped() {},
      released: (message) => (message as LiteMessage).release(),
    };
    const stream = new MessageStream(capacity, hooks, options.signal);
    // An aborted signal ended it at once (as on MqttClient): it is not registered.
    if (!options.signal?.aborted) {
      this.#streams.set(stream, filter);
      hooks.detach = () => this.#streams.delete(stream);
    }
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
      case "pubrel": {
        const known = this.#received.delete(packet.packetId);
        const reasonCode = known || this.#version === 4 ? 0 : 0x92;
        return this.#send({ type: "pubcomp", packetId: packet.packetId, reasonCode });
      }
      case "puback":
      case "pubrec":
      case "pubcomp":
      case "suback":
      case "unsuback": {
        const error = this.#outgoing.acknowledged(packet);
        if (error !== undefined) this.#fault(error);
        return;
      }
      case "pingresp":
        this.#pongDue = 0;
        return;
      case "disconnect":
        return this.#end(this.#connection, serverDisconnected(packet), packet.reasonCode, packet);
      default:
        return this.#fault(
          new ProtocolError(`Unexpected ${packet.type} packet`),
        );
    }
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
    this.#connack = connack;
    this.#aliases.clear();
    this.#backoff?.reset();
    const keepalive = (properties.serverKeepAlive ?? connect.keepalive) * 1000;
    this.#pongDue = 0;
    if (keepalive > 0) this.#arm(keepalive, () => this.#keepalive(keepalive));
    else this.#arm(-1);
    // No session: the server will not send PUBREL, nor again the QoS 2 messages not acknowledged.
    if (!connack.sessionPresent) this.#received.clear();
    this.#outgoing.resume(connack);
    const reconnect = this.#established;
    this.#established = true;
    const first = this.#first;
    this.#first = undefined;
    first?.settle();
    call(this.onConnect, connectEvent(connack, reconnect));
    this.#outgoing.flush();
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
    const maximum = this.#settings.connect.properties?.topicAliasMaximum ?? 0;
    const wrongAlias = resolveTopicAlias(packet, this.#aliases, maximum);
    if (wrongAlias !== undefined) return this.#fault(wrongAlias);
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
    const took = call(this.onMessage, { message });
    for (const [stream, filter] of this.#streams) {
      if (filter !== undefined && !topicMatches(filter, packet.topic)) continue;
      message.holders++;
      if (!stream.push(message)) message.holders--;
    }
    if (took) message.release();
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
      this.#outgoing.abandon(closed);
      this.#received.clear();
      for (const stream of [...this.#streams.keys()]) stream.end();
    }
    first?.settle(error ?? new ConnectionClosedError("disconnect() was called"));
    if (wasConnected) {
      call(this.onDisconnect, disconnectEvent(reasonCode, willReconnect, error, packet));
    }
  }
}
