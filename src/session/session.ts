/**
 * The MQTT session state machine. Pure: inputs carry `now`, randomness is injected, outputs go
 * through one {@link Effects} sink and are drained as {@link SessionAction}s, and deadlines are
 * returned by `nextDeadline()`. The session admits operations (`admission.ts`) and routes each
 * input: to the lifecycle (`lifecycle.ts`: status, attempts, keepalive, faults), to the outbox
 * (`outbox.ts`: what we send) or to `publish_in.ts` (what we receive). The calls that only start
 * or end things are elsewhere: `connect_calls.ts` (connect, reconnect, cancel), `disconnection.ts`
 * (disconnect, ack) and `restore.ts`.
 *
 * @module
 */

import type { ClientInboundPacket } from "../codec/client_codec.ts";
import type { StreamDecoder } from "../codec/_stream_decoder.ts";
import type { Properties, Subscription, Will } from "../codec/types.ts";
import { type MqttError, ProtocolError } from "../errors.ts";
import {
  admitConnect,
  admitDisconnect,
  admitPublish,
  admitSubscribe,
  admitUnsubscribe,
} from "./admission.ts";
import { callCancel, callConnect, callReconnect } from "./connect_calls.ts";
import { connectionDecoder } from "./connection.ts";
import {
  expectedConnackError,
  serverDisconnectError,
  transportClosedError,
  undecodableError,
} from "./connection_end.ts";
import { acknowledge, type Disconnection } from "./disconnection.ts";
import type { Effects } from "./effects.ts";
import { traceLine } from "./trace.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Outbox } from "./outbox.ts";
import type { SavedSession } from "./persistence.ts";
import type { PublishIn } from "./publish_in.ts";
import { checkRestore, restoreSession } from "./restore.ts";
import { type SessionParts, sessionParts } from "./session_parts.ts";
import type {
  DisconnectRequest,
  MessageMaker,
  OutgoingMessage,
  SessionAction,
  SessionApi,
  SessionOptions,
  SessionState,
  Token,
} from "./types.ts";
import type { OutgoingAck } from "./work.ts";

/** The pure MQTT session; see `lifecycle.ts` for the connection lifecycle. */
export class Session implements SessionApi {
  readonly #options: SessionOptions;
  readonly #fx: Effects;
  readonly #life: Lifecycle;
  readonly #outbox: Outbox;
  readonly #publishIn: PublishIn;
  #decoder: StreamDecoder<ClientInboundPacket> | undefined;
  readonly #disconnection: Disconnection;
  #restored = false;
  /** The same parts, as `connect_calls.ts`, `disconnection.ts` and `restore.ts` take them. */
  readonly #parts: SessionParts;

  /**
   * A session for `options`; `random` returns numbers in [0, 1) for the reconnect jitter;
   * `messages` makes the objects messages are delivered as (plain objects by default).
   *
   * @throws {RangeError} when `options` make a CONNECT their protocol version forbids
   */
  constructor(options: SessionOptions, random: () => number, messages?: MessageMaker) {
    admitConnect(options);
    const parts = this.#parts = sessionParts(options, random, messages);
    this.#options = options;
    this.#fx = parts.fx;
    this.#life = parts.life;
    this.#outbox = parts.outbox;
    this.#publishIn = parts.publishIn;
    this.#disconnection = parts.disconnection;
  }

  /** Coarse state: idle, connecting (until a first CONNACK), connected, reconnecting, closed. */
  get state(): SessionState {
    return this.#life.link.state;
  }

  /** The client identifier in use: the configured one, or the one the server assigned. */
  get clientId(): string {
    return this.#life.attempts.clientId;
  }

  get hasRoom(): boolean {
    return this.#outbox.hasRoom(this.#life.link);
  }

  get outgoing(): number {
    return this.#outbox.outgoing;
  }

  get windowFull(): boolean {
    return !this.#outbox.windowOpen;
  }

  connect(token: Token, now: number): void {
    this.#fx.now = now;
    callConnect(this.#fx, token, this.#parts);
  }

  transportOpened(now: number): void {
    this.#fx.now = now;
    if (this.#life.phase !== "opening") return;
    this.#decoder = connectionDecoder(this.#options);
    this.#life.opened(this.#fx, this.#outbox);
  }

  transportClosed(now: number, error?: Error): void {
    const fx = this.#fx;
    fx.now = now;
    const phase = this.#life.phase;
    if (phase === "none") return;
    const failure = transportClosedError(phase, error);
    if (phase !== "up") return this.#life.attemptFailed(fx, failure, false, this.#outbox);
    this.#life.connectionLost(fx, failure, undefined, false, this.#outbox);
    this.#disconnection.continue(fx, this.#parts); // a disconnect() waiting ends too
  }

  receive(chunk: Uint8Array, now: number): void {
    const fx = this.#fx;
    fx.now = now;
    const life = this.#life;
    if (!life.reading) return;
    life.received(now);
    let packets: ClientInboundPacket[];
    try {
      packets = this.#decoder!.push(chunk);
    } catch (error) {
      packets = [];
      life.fail(fx, undecodableError(error), this.#outbox);
    }
    for (const packet of packets) {
      if (fx.trace) fx.log("debug", traceLine("Received", packet));
      const fault = this.#handle(packet);
      if (fault !== undefined) life.fail(fx, fault, this.#outbox);
      if (!life.reading) break; // the packet ended the connection
    }
    if (life.reading) this.#outbox.pump(fx, life.link);
    this.#disconnection.continue(fx, this.#parts); // a disconnect() waiting may end now
  }

  handleTimer(now: number): void {
    this.#fx.now = now;
    this.#life.timer(this.#fx, this.#outbox);
    this.#outbox.expire(this.#fx, this.#life.link);
    this.#disconnection.continue(this.#fx, this.#parts);
  }

  nextDeadline(): number | undefined {
    // (Called after every input and call: two comparisons, no array to iterate.)
    const next = earlier(this.#life.deadline(this.#fx.lastWrite), this.#outbox.nextDeadline());
    return earlier(next, this.#disconnection.deadline);
  }

  /** See {@link SessionApi.publish}. @throws {RangeError} when admission refuses it */
  publish(token: Token, message: OutgoingMessage, now: number): void {
    const o = this.#options;
    const link = this.#life.link;
    admitPublish(message, o.protocolVersion, link.limits, o.topicAliases);
    this.#fx.now = now;
    this.#outbox.publish(this.#fx, token, message, link);
  }

  sendQoS0(message: OutgoingMessage, now: number): boolean {
    if (message.qos !== 0) throw new RangeError("sendQoS0 takes QoS 0 messages only");
    const o = this.#options;
    const link = this.#life.link;
    admitPublish(message, o.protocolVersion, link.limits, o.topicAliases);
    this.#fx.now = now;
    return this.#outbox.sendQoS0(this.#fx, message, link);
  }

  /** See {@link SessionApi.subscribe}. @throws {RangeError} when admission refuses it */
  subscribe(
    token: Token,
    subscriptions: Subscription[],
    properties: Properties | undefined,
    now: number,
  ): void {
    const link = this.#life.link;
    admitSubscribe(subscriptions, properties, this.#options.protocolVersion, link.limits);
    this.#fx.now = now;
    this.#outbox.subscribe(this.#fx, token, subscriptions, properties, link);
  }

  /** See {@link SessionApi.unsubscribe}. @throws {RangeError} when admission refuses it */
  unsubscribe(
    token: Token,
    topicFilters: string[],
    properties: Properties | undefined,
    now: number,
  ): void {
    const link = this.#life.link;
    admitUnsubscribe(topicFilters, properties, this.#options.protocolVersion, link.limits);
    this.#fx.now = now;
    this.#outbox.unsubscribe(this.#fx, token, topicFilters, properties, link);
  }

  disconnect(token: Token, request: DisconnectRequest, now: number): void {
    const o = this.#options;
    admitDisconnect(request, o.protocolVersion, o.properties?.sessionExpiryInterval);
    this.#fx.now = now;
    this.#disconnection.request(this.#fx, token, request, this.#parts);
  }

  /** See {@link SessionApi.ack}. @throws {RangeError} for a code a PUBACK/PUBREC cannot carry */
  ack(receipt: number, reasonCode: number, now: number): boolean {
    this.#fx.now = now;
    return acknowledge(this.#fx, receipt, reasonCode, this.#parts);
  }

  reconnect(token: Token, now: number): void {
    this.#fx.now = now;
    callReconnect(this.#fx, token, this.#parts);
  }

  /** See {@link SessionApi.setCredentials}. @throws {RangeError} when the version forbids them */
  setCredentials(username: string | undefined, password: Uint8Array | undefined): void {
    this.#life.attempts.settings.setCredentials(username, password);
  }

  /** See {@link SessionApi.setWill}. @throws {RangeError} when the version forbids it */
  setWill(will: Will | undefined): void {
    this.#life.attempts.settings.setWill(will);
  }

  cancel(token: Token, reason: unknown, now: number): void {
    this.#fx.now = now;
    callCancel(this.#fx, token, reason, this.#parts);
  }

  restore(saved: SavedSession): void {
    checkRestore(this.#options, this.state, this.#restored);
    this.#restored = true;
    restoreSession(saved, this.#parts);
  }

  drain(): SessionAction[] {
    return this.#fx.drain();
  }

  /** Handles one packet; returns the protocol fault that must end the connection, if any. */
  #handle(packet: ClientInboundPacket): MqttError | undefined {
    const fx = this.#fx;
    if (this.state !== "connected") {
      if (packet.type === "connack") {
        return this.#life.connack(fx, packet, this.#outbox, this.#publishIn);
      }
      return expectedConnackError(packet.type);
    }
    switch (packet.type) {
      case "publish":
        return this.#publishIn.onPublish(fx, packet);
      case "pubrel":
        this.#publishIn.onPubrel(fx, packet);
        return undefined;
      case "puback":
      case "pubrec":
      case "pubcomp":
      case "suback":
      case "unsuback":
        return this.#outbox.onAck(fx, packet as OutgoingAck);
      case "pingresp":
        this.#life.pong();
        return undefined;
      case "disconnect": {
        const error = serverDisconnectError(packet, this.#options.protocolVersion);
        if (error instanceof ProtocolError) return error;
        return this.#life.connectionLost(fx, error, packet, true, this.#outbox);
      }
      default:
        return new ProtocolError(`Unexpected ${packet.type.toUpperCase()} from the server`);
    }
  }
}

/** The earlier of two optional times. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || (b !== undefined && b < a) ? b : a;
}
