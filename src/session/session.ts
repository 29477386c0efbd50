/**
 * The MQTT session state machine: connection lifecycle, keepalive, reconnect, and the routing
 * of packets to the flows (`outbox.ts` for what we send, `publish_in.ts` for what we receive).
 * Pure: inputs carry `now`, randomness is injected, outputs go through one {@link Effects} sink
 * and are drained as {@link SessionAction}s, and deadlines are returned by `nextDeadline()`.
 * Only this file changes the connection status and decides what a fault does.
 *
 * Connection lifecycle, as the driver sees it:
 *
 * - `connect()` emits `open`. The driver answers `transportOpened` (the session writes CONNECT)
 *   or `transportClosed(error)` (the attempt failed).
 * - The session emits `close` whenever it decides to end the transport (refused CONNACK, connect
 *   timeout, protocol error, keepalive timeout, server DISCONNECT, `disconnect()`, cancelled
 *   connect). After `close` it ignores every event until its next `open`; the driver must not
 *   forward events of a transport it was told to close. When the transport ends by itself the
 *   driver reports `transportClosed` and the session emits no `close`.
 * - A failed attempt emits `connectFailed`. If it was the first attempt after `connect()` the
 *   session closes (no retry). Once a connection of this `connect()` succeeded, every loss emits
 *   `disconnected` with `reconnectAt`, and every failed reconnect attempt `connectFailed` with
 *   the next `reconnectAt`, until `disconnect()` (when `reconnect` is not `false`).
 *
 * @module
 */

import type { ConnackPacket, Packet, Properties, Subscription } from "../codec/types.ts";
import {
  ConnectionClosedError,
  MalformedPacketError,
  MqttError,
  ProtocolError,
} from "../errors.ts";
import { TimeoutError } from "../errors.ts";
import {
  admitConnect,
  admitDisconnect,
  admitPublish,
  admitSubscribe,
  admitUnsubscribe,
} from "./admission.ts";
import {
  connackFault,
  connectionDecoder,
  connectPacket,
  faultDisconnect,
  keepaliveTimeout,
  serverDisconnectError,
} from "./connection.ts";
import { Effects } from "./effects.ts";
import { KeepAlive } from "./keepalive.ts";
import { DEFAULT_LIMITS, type Link, serverLimits } from "./limits.ts";
import { Outbox, type OutgoingAck } from "./outbox.ts";
import { PublishIn } from "./publish_in.ts";
import { Backoff } from "./reconnect.ts";
import type { PacketDecoder } from "../codec/mod.ts";
import type {
  DisconnectRequest,
  OutgoingMessage,
  SessionAction,
  SessionApi,
  SessionOptions,
  SessionState,
  Token,
} from "./types.ts";
import { STATUS, type Status, statusAfter } from "./status.ts";

/** The pure MQTT session. See the module documentation for the lifecycle. */
export class Session implements SessionApi {
  readonly #options: SessionOptions;
  readonly #fx: Effects;
  #status: Status = "idle";
  /** What the flows are told about the connection; replaced whenever it changes. */
  #link: Link = { state: "idle", up: false, limits: DEFAULT_LIMITS };
  /** Any CONNACK ever accepted (for `clean: "first"` and the `reconnect` flag). */
  #everConnected = false;
  #connectTokens = new Set<Token>();
  #connectDeadline: number | undefined;
  #reconnectAt: number | undefined;
  readonly #backoff: Backoff | undefined;
  readonly #keepalive = new KeepAlive();
  #decoder: PacketDecoder | undefined;
  readonly #outbox: Outbox;
  readonly #publishIn: PublishIn;
  #clientId: string;
  #connack: ConnackPacket | undefined;
  #sentClean = false;
  #connectSentAt = 0;

  /** @throws {RangeError} when `options` make a CONNECT their protocol version forbids */
  constructor(options: SessionOptions, random: () => number) {
    admitConnect(options);
    this.#options = options;
    this.#fx = new Effects(options.protocolVersion);
    this.#clientId = options.clientId;
    this.#backoff = options.reconnect === false
      ? undefined
      : new Backoff(options.reconnect, random);
    this.#outbox = new Outbox(options);
    this.#publishIn = new PublishIn(options);
  }

  /** Coarse state: idle, connecting (first attempt), connected, reconnecting, closed. */
  get state(): SessionState {
    return STATUS[this.#status].state;
  }

  /** The client identifier in use: the configured one, or the one the server assigned. */
  get clientId(): string {
    return this.#clientId;
  }

  // ---------------------------------------------------------------- inputs

  connect(token: Token, now: number): void {
    this.#fx.now = now;
    const state = this.state;
    if (state === "connected") return this.#fx.resolve(token, this.#connack);
    this.#connectTokens.add(token);
    if (state === "connecting") return;
    if (state === "reconnecting") {
      // Joins the next attempt; while waiting out a backoff delay, attempts it now.
      if (this.#status === "reconnecting/waiting") this.#open();
      return;
    }
    this.#backoff?.reset();
    this.#open();
  }

  transportOpened(now: number): void {
    const fx = this.#fx;
    fx.now = now;
    if (STATUS[this.#status].phase !== "opening") return;
    this.#decoder = connectionDecoder(this.#options);
    const o = this.#options;
    const clean = o.clean === "first" ? !this.#everConnected : o.clean;
    this.#sentClean = clean;
    this.#setStatus(statusAfter(this.#status, "handshake"));
    try {
      fx.send(connectPacket(o, this.#clientId, clean));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const failure = new MqttError(`CONNECT could not be encoded: ${text}`, { cause: error });
      return this.#attemptFailed(failure, true);
    }
    this.#connectSentAt = now;
    fx.log("debug", `CONNECT sent (clean ${clean}, keepalive ${o.keepalive} s)`);
  }

  transportClosed(now: number, error?: Error): void {
    this.#fx.now = now;
    const phase = STATUS[this.#status].phase;
    if (phase === "none") return;
    const why = error === undefined ? "" : `: ${error.message}`;
    if (phase === "up") {
      const lost = new ConnectionClosedError(`Connection lost${why}`, { cause: error });
      return this.#connectionLost(lost, undefined, false);
    }
    const what = phase === "opening"
      ? "Could not open the connection"
      : "Connection closed before CONNACK";
    this.#attemptFailed(new ConnectionClosedError(`${what}${why}`, { cause: error }), false);
  }

  receive(chunk: Uint8Array, now: number): void {
    this.#fx.now = now;
    if (!this.#reading()) return;
    this.#keepalive.received(now);
    let packets: Packet[];
    try {
      packets = (this.#decoder as PacketDecoder).push(chunk);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return this.#fail(
        error instanceof MqttError
          ? error
          : new MalformedPacketError(`Undecodable bytes: ${text}`, { cause: error }),
      );
    }
    for (const packet of packets) {
      const fault = this.#handle(packet);
      if (fault !== undefined) return this.#fail(fault);
      if (!this.#reading()) return; // the packet ended the connection
    }
    this.#outbox.pump(this.#fx, this.#link);
  }

  handleTimer(now: number): void {
    const fx = this.#fx;
    fx.now = now;
    if (this.#connectDeadline !== undefined && now >= this.#connectDeadline) {
      const ms = this.#options.connectTimeout;
      this.#attemptFailed(new TimeoutError(`No CONNACK within ${ms} ms (connectTimeout)`), true);
    }
    if (this.#reconnectAt !== undefined && now >= this.#reconnectAt) this.#open();
    if (this.#status === "connected") {
      this.#keepalive.sent(fx.lastWrite);
      const due = this.#keepalive.due(now);
      if (due === "ping") {
        fx.send({ type: "pingreq" }, undefined, true);
        this.#keepalive.pingSent(now);
      } else if (due === "timeout") {
        const error = keepaliveTimeout(this.#keepalive.interval / 1000);
        this.#connectionLost(error, undefined, true);
      }
    }
    this.#outbox.expire(fx, this.#link);
  }

  nextDeadline(): number | undefined {
    let next = this.#connectDeadline;
    const consider = (at: number | undefined) => {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    };
    consider(this.#reconnectAt);
    if (this.#status === "connected") {
      this.#keepalive.sent(this.#fx.lastWrite);
      consider(this.#keepalive.deadline());
    }
    consider(this.#outbox.nextDeadline());
    return next;
  }

  publish(token: Token, message: OutgoingMessage, now: number): void {
    const o = this.#options;
    admitPublish(message, o.protocolVersion, this.#link.limits, o.topicAliases);
    this.#fx.now = now;
    this.#outbox.publish(this.#fx, token, message, this.#link);
  }

  sendQoS0(message: OutgoingMessage, now: number): boolean {
    if (message.qos !== 0) throw new RangeError("sendQoS0 takes QoS 0 messages only");
    const o = this.#options;
    admitPublish(message, o.protocolVersion, this.#link.limits, o.topicAliases);
    this.#fx.now = now;
    return this.#outbox.sendQoS0(this.#fx, message, this.#link);
  }

  subscribe(
    token: Token,
    subscriptions: Subscription[],
    properties: Properties | undefined,
    now: number,
  ): void {
    admitSubscribe(subscriptions, properties, this.#options.protocolVersion, this.#link.limits);
    this.#fx.now = now;
    this.#outbox.subscribe(this.#fx, token, subscriptions, properties, this.#link);
  }

  unsubscribe(
    token: Token,
    topicFilters: string[],
    properties: Properties | undefined,
    now: number,
  ): void {
    admitUnsubscribe(topicFilters, properties, this.#options.protocolVersion, this.#link.limits);
    this.#fx.now = now;
    this.#outbox.unsubscribe(this.#fx, token, topicFilters, properties, this.#link);
  }

  disconnect(token: Token, request: DisconnectRequest, now: number): void {
    const o = this.#options;
    admitDisconnect(request, o.protocolVersion, o.properties?.sessionExpiryInterval);
    const fx = this.#fx;
    fx.now = now;
    const wasUp = this.#status === "connected";
    if (wasUp) {
      const reasonCode = request.reasonCode ?? 0;
      const packet = request.properties === undefined
        ? { type: "disconnect" as const, reasonCode }
        : { type: "disconnect" as const, reasonCode, properties: request.properties };
      fx.send(packet, this.#link.limits.maximumPacketSize); // throws on bad input
    }
    if (STATUS[this.#status].phase !== "none") this.#close();
    const error = new ConnectionClosedError("The client disconnected");
    this.#rejectConnectTokens(error);
    this.#setStatus("closed");
    if (wasUp) fx.emit({ type: "disconnected", reasonCode: 0 });
    this.#outbox.failAll(fx, error);
    fx.log("info", "Disconnected by the client");
    fx.resolve(token, undefined);
  }

  cancel(token: Token, reason: unknown, now: number): void {
    const fx = this.#fx;
    fx.now = now;
    if (!this.#connectTokens.delete(token)) {
      this.#outbox.cancel(fx, token, reason, this.#link);
      return;
    }
    fx.reject(token, reason);
    if (this.#connectTokens.size > 0 || this.state !== "connecting") return;
    // Nobody waits for the first connect any more: give it up.
    if (STATUS[this.#status].phase !== "none") this.#close();
    this.#setStatus("closed");
    fx.log("info", "Connect cancelled");
    this.#outbox.failAll(fx, new ConnectionClosedError("Connect was cancelled", { cause: reason }));
  }

  drain(): SessionAction[] {
    return this.#fx.drain();
  }

  // ---------------------------------------------------------------- incoming packets

  /** Handles one packet; returns the protocol fault that must end the connection, if any. */
  #handle(packet: Packet): MqttError | undefined {
    const fx = this.#fx;
    if (this.#status !== "connected") {
      if (packet.type === "connack") return this.#onConnack(packet);
      const hint = packet.type === "auth" ? " (enhanced authentication is not supported)" : "";
      return new ProtocolError(
        `Expected CONNACK, received ${packet.type.toUpperCase()}${hint} [MQTT-3.2.0-1]`,
      );
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
        this.#outbox.onAck(fx, packet as OutgoingAck);
        return undefined;
      case "pingresp":
        this.#keepalive.pongReceived();
        return undefined;
      case "disconnect":
        return this.#connectionLost(serverDisconnectError(packet), packet, true);
      default:
        return new ProtocolError(`Unexpected ${packet.type.toUpperCase()} from the server`);
    }
  }

  #onConnack(connack: ConnackPacket): MqttError | undefined {
    const fx = this.#fx;
    const v = this.#options.protocolVersion;
    const fault = connackFault(connack, v, this.#sentClean);
    if (fault instanceof ProtocolError) return fault;
    if (fault !== undefined) return this.#attemptFailed(fault, true);
    const sessionPresent = connack.sessionPresent;
    const reconnect = this.#everConnected;
    this.#everConnected = true;
    this.#backoff?.reset();
    this.#connack = connack;
    const limits = v === 5 ? serverLimits(connack) : DEFAULT_LIMITS;
    this.#connectDeadline = undefined;
    this.#setStatus("connected", limits);
    const window = this.#outbox.connected(limits);
    const assigned = connack.properties?.assignedClientIdentifier;
    if (assigned !== undefined) this.#clientId = assigned;
    // Server Keep Alive replaces ours [MQTT-3.2.2-21].
    const keepalive = connack.properties?.serverKeepAlive ?? this.#options.keepalive;
    this.#keepalive.start(keepalive, this.#connectSentAt, fx.now); // sent: from the CONNECT
    const clientId = this.#clientId;
    fx.emit({ type: "connected", connack, sessionPresent, clientId, reconnect });
    fx.log(
      "info",
      `Connected (session present ${sessionPresent}, keepalive ${keepalive} s, window ${window})`,
    );
    for (const token of this.#connectTokens) fx.resolve(token, connack);
    this.#connectTokens.clear();
    this.#publishIn.connected(sessionPresent);
    this.#outbox.resume(fx, sessionPresent, this.#link);
    return undefined;
  }

  // ---------------------------------------------------------------- failures and endings

  /** A protocol or decode fault: DISCONNECT with its reason code (MQTT 5), then close. */
  #fail(error: MqttError): void {
    this.#fx.log("error", `Protocol error: ${error.message}`);
    if (this.#options.protocolVersion === 5) {
      this.#fx.send(faultDisconnect(error), this.#link.limits.maximumPacketSize);
    }
    if (this.#status === "connected") this.#connectionLost(error, undefined, true);
    else this.#attemptFailed(error, true);
  }

  /** A connection attempt failed (refused, timed out, closed, protocol error before CONNACK). */
  #attemptFailed(error: MqttError, closeTransport: boolean): undefined {
    const fx = this.#fx;
    this.#endTransport(closeTransport);
    if (this.state === "reconnecting" && this.#backoff !== undefined) {
      const delay = this.#backoff.next();
      this.#reconnectAt = fx.now + delay;
      fx.emit({ type: "connectFailed", error, reconnectAt: this.#reconnectAt });
      fx.log("warn", `Connect attempt failed: ${error.message}; next attempt in ${delay} ms`);
      this.#rejectConnectTokens(error);
      return;
    }
    this.#setStatus("closed");
    fx.emit({ type: "connectFailed", error });
    fx.log("error", `Connect failed: ${error.message}`);
    this.#rejectConnectTokens(error);
    const closed = new ConnectionClosedError(`Not connected: ${error.message}`, { cause: error });
    this.#outbox.failAll(fx, closed);
  }

  /** An established connection ended (lost, timed out, protocol error, server DISCONNECT). */
  #connectionLost(
    error: MqttError,
    packet: DisconnectPacketOrNone,
    closeTransport: boolean,
  ): undefined {
    const fx = this.#fx;
    this.#endTransport(closeTransport);
    const action: Extract<SessionAction, { type: "disconnected" }> = {
      type: "disconnected",
      reasonCode: packet?.reasonCode ?? error.reasonCode,
      error,
    };
    if (packet !== undefined) action.packet = packet;
    if (this.#backoff === undefined) {
      this.#setStatus("closed");
      fx.emit(action);
      fx.log("warn", `Connection lost: ${error.message}`);
      const closed = new ConnectionClosedError(`Connection lost: ${error.message}`, {
        cause: error,
      });
      this.#outbox.failAll(fx, closed);
      return;
    }
    const delay = this.#backoff.next();
    this.#reconnectAt = action.reconnectAt = fx.now + delay;
    this.#outbox.suspend();
    fx.emit(action);
    fx.log("warn", `Connection lost: ${error.message}; reconnecting in ${delay} ms`);
  }

  #rejectConnectTokens(error: MqttError): void {
    for (const token of this.#connectTokens) this.#fx.reject(token, error);
    this.#connectTokens.clear();
  }

  // ---------------------------------------------------------------- plumbing

  /** Whether the session reads from the current transport (CONNECT sent, or connected). */
  #reading(): boolean {
    const phase = STATUS[this.#status].phase;
    return phase === "handshake" || phase === "up";
  }

  #open(): void {
    const fx = this.#fx;
    this.#reconnectAt = undefined;
    this.#setStatus(statusAfter(this.#status, "opening"));
    const ms = this.#options.connectTimeout;
    this.#connectDeadline = ms > 0 ? fx.now + ms : undefined;
    fx.emit({ type: "open" });
    const reconnecting = this.state === "reconnecting";
    const attempt = this.#backoff?.attempt ?? 0;
    fx.log("info", reconnecting ? `Reconnecting (attempt ${attempt})` : "Connecting");
  }

  #close(): void {
    this.#endTransport(true);
  }

  /** The transport is gone (closed by us when `close`): the session waits or is done. */
  #endTransport(close: boolean): void {
    if (close && STATUS[this.#status].phase !== "none") this.#fx.emit({ type: "close" });
    const established = this.state === "connected" || this.state === "reconnecting";
    this.#setStatus(established && this.#backoff !== undefined ? "reconnecting/waiting" : "closed");
    this.#decoder = undefined;
    this.#keepalive.stop();
    this.#connectDeadline = undefined;
  }

  #setStatus(status: Status, limits = this.#link.limits): void {
    this.#status = status;
    if (status !== "reconnecting/waiting") this.#reconnectAt = undefined;
    const { state, phase } = STATUS[status];
    this.#link = { state, up: phase === "up", limits };
  }
}

type DisconnectPacketOrNone = Extract<Packet, { type: "disconnect" }> | undefined;
