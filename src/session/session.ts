/**
 * The MQTT session state machine: connection lifecycle, keepalive, reconnect, session resume,
 * outgoing and incoming QoS flows. Pure: inputs carry `now`, randomness is injected, outputs are
 * drained {@link SessionAction}s, and deadlines are returned by `nextDeadline()`.
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
 * Session resume and its difference from paho-mqtt are documented in `resume.ts`.
 *
 * @module
 */

import { onPuback, onPubcomp, onPubrec, onSubOrUnsuback } from "./acks.ts";
import { encodePacket, PacketDecoder } from "../codec/mod.ts";
import { isValidReasonCode, reasonCodeName } from "../codec/reason_codes.ts";
import type { ConnackPacket, ConnectPacket, DisconnectPacket, Packet } from "../codec/types.ts";
import type { Properties, Subscription } from "../codec/types.ts";
import {
  ConnectionClosedError,
  MalformedPacketError,
  MqttError,
  ProtocolError,
  TimeoutError,
} from "../errors.ts";
import { connackRefusal } from "./connack.ts";
import { Incoming } from "./incoming.ts";
import { KeepAlive } from "./keepalive.ts";
import { DEFAULT_LIMITS, type ServerLimits, serverLimits } from "./limits.ts";
import { Outgoing } from "./outgoing.ts";
import { Backoff } from "./reconnect.ts";
import { discardSessionState, resumeSession } from "./resume.ts";
import type {
  DisconnectRequest,
  LogLevel,
  OutgoingMessage,
  SessionAction,
  SessionApi,
  SessionOptions,
  SessionState,
  Token,
} from "./types.ts";
import { WireCodec } from "./wire.ts";
import { hex } from "./_hex.ts";

/** Where the current transport is: none, open requested, CONNECT sent, CONNACK accepted. */
type Link = "none" | "opening" | "handshake" | "up";

/** The pure MQTT session. See the module documentation for the lifecycle. */
export class Session implements SessionApi {
  readonly #options: SessionOptions;
  readonly #wire: WireCodec;
  #actions: SessionAction[] = [];
  #now = 0;
  #state: SessionState = "idle";
  #link: Link = "none";
  /** Incremented whenever the link changes, so a packet loop notices it ended. */
  #generation = 0;
  /** A connection of the current `connect()` succeeded: losses now lead to reconnects. */
  #established = false;
  /** Any CONNACK ever accepted (for `clean: "first"`). */
  #everConnected = false;
  #connectTokens = new Set<Token>();
  #connectDeadline: number | undefined;
  #reconnectAt: number | undefined;
  readonly #backoff: Backoff | undefined;
  readonly #keepalive = new KeepAlive();
  #decoder: PacketDecoder | undefined;
  #limits: ServerLimits = { ...DEFAULT_LIMITS };
  readonly #outgoing: Outgoing;
  readonly #incoming: Incoming;
  #clientId: string;
  #connack: ConnackPacket | undefined;
  #sentClean = false;
  #connectSentAt = 0;

  constructor(options: SessionOptions, random: () => number) {
    this.#options = options;
    this.#wire = new WireCodec(options.protocolVersion);
    this.#clientId = options.clientId;
    this.#backoff = options.reconnect === false
      ? undefined
      : new Backoff(options.reconnect, random);
    this.#outgoing = new Outgoing({
      options,
      wire: this.#wire,
      now: () => this.#now,
      state: () => this.#state,
      connected: () => this.#link === "up",
      limits: () => this.#limits,
      write: (bytes, urgent) => this.#write(bytes, urgent === true),
      emit: (action) => this.#actions.push(action),
      log: (level, message) => this.#log(level, message),
    });
    this.#incoming = new Incoming({
      options,
      wire: this.#wire,
      write: (bytes, urgent) => this.#write(bytes, urgent === true),
      emit: (action) => this.#actions.push(action),
      fail: (error) => this.#fail(error),
    });
  }

  /** Coarse state: idle, connecting (first attempt), connected, reconnecting, closed. */
  get state(): SessionState {
    return this.#state;
  }

  get clientId(): string {
    return this.#clientId;
  }

  // ---------------------------------------------------------------- inputs

  connect(token: Token, now: number): void {
    this.#now = now;
    switch (this.#state) {
      case "connected":
        this.#emit({ type: "resolve", token, value: this.#connack });
        return;
      case "connecting":
        this.#connectTokens.add(token);
        return;
      case "reconnecting":
        // Joins the next attempt; while waiting out a backoff delay, attempts it now.
        this.#connectTokens.add(token);
        if (this.#link === "none") {
          this.#reconnectAt = undefined;
          this.#open();
        }
        return;
      case "idle":
      case "closed":
        this.#established = false;
        this.#backoff?.reset();
        this.#state = "connecting";
        this.#connectTokens.add(token);
        this.#open();
    }
  }

  transportOpened(now: number): void {
    this.#now = now;
    if (this.#link !== "opening") return;
    const o = this.#options;
    const v = o.protocolVersion;
    const maximumPacketSize = v === 5 ? o.properties?.maximumPacketSize : undefined;
    this.#decoder = new PacketDecoder(
      maximumPacketSize === undefined
        ? { protocolVersion: v }
        : { protocolVersion: v, maximumPacketSize },
    );
    const clean = o.clean === "first" ? !this.#everConnected : o.clean;
    this.#sentClean = clean;
    const packet: ConnectPacket = {
      type: "connect",
      protocolVersion: v,
      clientId: this.#clientId,
      clean,
      keepalive: o.keepalive,
    };
    if (o.username !== undefined) packet.username = o.username;
    if (o.password !== undefined) packet.password = o.password;
    if (o.will !== undefined) packet.will = o.will;
    if (o.properties !== undefined && v === 5) packet.properties = o.properties;
    this.#link = "handshake";
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet, v);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.#attemptFailed(
        new MqttError(`CONNECT could not be encoded: ${text}`, { cause: error }),
        true,
      );
      return;
    }
    this.#write(bytes);
    this.#connectSentAt = now;
    this.#log("debug", `CONNECT sent (clean ${clean}, keepalive ${o.keepalive} s)`);
  }

  transportClosed(now: number, error?: Error): void {
    this.#now = now;
    if (this.#link === "none") return;
    const why = error === undefined ? "" : `: ${error.message}`;
    if (this.#link === "up") {
      const lost = new ConnectionClosedError(`Connection lost${why}`, { cause: error });
      this.#connectionLost(lost, undefined, false);
    } else {
      const what = this.#link === "opening"
        ? "Could not open the connection"
        : "Connection closed before CONNACK";
      this.#attemptFailed(new ConnectionClosedError(`${what}${why}`, { cause: error }), false);
    }
  }

  receive(chunk: Uint8Array, now: number): void {
    this.#now = now;
    if (this.#link !== "handshake" && this.#link !== "up") return;
    this.#keepalive.received(now);
    let packets: Packet[];
    try {
      packets = (this.#decoder as PacketDecoder).push(chunk);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.#fail(
        error instanceof MqttError
          ? error
          : new MalformedPacketError(`Undecodable bytes: ${text}`, { cause: error }),
      );
      return;
    }
    const generation = this.#generation;
    for (const packet of packets) {
      this.#handle(packet);
      if (this.#generation !== generation) return;
    }
    this.#outgoing.pump();
  }

  handleTimer(now: number): void {
    this.#now = now;
    if (this.#connectDeadline !== undefined && now >= this.#connectDeadline) {
      const ms = this.#options.connectTimeout;
      this.#attemptFailed(new TimeoutError(`No CONNACK within ${ms} ms (connectTimeout)`), true);
    }
    if (this.#reconnectAt !== undefined && now >= this.#reconnectAt && this.#link === "none") {
      this.#reconnectAt = undefined;
      this.#open();
    }
    if (this.#link === "up") {
      const due = this.#keepalive.due(now);
      if (due === "ping") {
        this.#write(this.#wire.encode({ type: "pingreq" }, undefined), true);
        this.#keepalive.pingSent(now);
      } else if (due === "timeout") {
        const seconds = this.#keepalive.interval / 1000;
        const error = new ConnectionClosedError(
          `No PINGRESP within ${seconds} s of PINGREQ (keepalive)`,
          { reasonCode: 0x8d },
        );
        this.#connectionLost(error, undefined, true);
      }
    }
    this.#outgoing.expire(now);
  }

  nextDeadline(): number | undefined {
    let next = this.#connectDeadline;
    const consider = (at: number | undefined) => {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    };
    consider(this.#reconnectAt);
    if (this.#link === "up") consider(this.#keepalive.deadline());
    consider(this.#outgoing.pending.nextDeadline());
    return next;
  }

  publish(token: Token, message: OutgoingMessage, now: number): void {
    this.#now = now;
    this.#outgoing.publish(token, message);
  }

  sendQoS0(message: OutgoingMessage, now: number): boolean {
    this.#now = now;
    return this.#outgoing.sendQoS0(message);
  }

  subscribe(
    token: Token,
    subscriptions: Subscription[],
    properties: Properties | undefined,
    now: number,
  ): void {
    this.#now = now;
    this.#outgoing.subscribe(token, subscriptions, properties);
  }

  unsubscribe(
    token: Token,
    topicFilters: string[],
    properties: Properties | undefined,
    now: number,
  ): void {
    this.#now = now;
    this.#outgoing.unsubscribe(token, topicFilters, properties);
  }

  disconnect(token: Token, request: DisconnectRequest, now: number): void {
    const expiry = request.properties?.sessionExpiryInterval;
    if (
      this.#options.protocolVersion === 5 && expiry !== undefined && expiry !== 0 &&
      (this.#options.properties?.sessionExpiryInterval ?? 0) === 0
    ) {
      throw new RangeError(
        `disconnect properties.sessionExpiryInterval ${expiry} cannot be set: the CONNECT had a Session Expiry Interval of 0 [MQTT-3.14.2-2]`,
      );
    }
    this.#now = now;
    const wasUp = this.#link === "up";
    let bytes: Uint8Array | undefined;
    if (wasUp) {
      const packet: DisconnectPacket = { type: "disconnect", reasonCode: 0 };
      if (this.#options.protocolVersion === 5) {
        packet.reasonCode = request.reasonCode ?? 0;
        if (request.properties !== undefined) packet.properties = request.properties;
      }
      bytes = this.#wire.encode(packet, this.#limits.maximumPacketSize); // throws on bad input
    }
    if (bytes !== undefined) this.#write(bytes);
    if (this.#link !== "none") this.#close();
    this.#reconnectAt = undefined;
    const error = new ConnectionClosedError("The client disconnected");
    this.#rejectConnectTokens(error);
    this.#state = "closed";
    if (wasUp) this.#emit({ type: "disconnected", reasonCode: 0 });
    this.#outgoing.failPending(error);
    this.#log("info", "Disconnected by the client");
    this.#emit({ type: "resolve", token, value: undefined });
  }

  cancel(token: Token, reason: unknown, now: number): void {
    this.#now = now;
    if (this.#connectTokens.delete(token)) {
      this.#emit({ type: "reject", token, error: reason });
      if (this.#connectTokens.size === 0 && this.#state === "connecting") {
        // Nobody waits for the first connect any more: give it up.
        if (this.#link !== "none") this.#close();
        this.#state = "closed";
        this.#log("info", "Connect cancelled");
        this.#outgoing.failPending(
          new ConnectionClosedError("Connect was cancelled", { cause: reason }),
        );
      }
      return;
    }
    this.#outgoing.cancel(token, reason);
  }

  drain(): SessionAction[] {
    const actions = this.#actions;
    this.#actions = [];
    return actions;
  }

  // ---------------------------------------------------------------- incoming packets

  #handle(packet: Packet): void {
    if (this.#link === "handshake") {
      if (packet.type === "connack") return this.#onConnack(packet);
      const hint = packet.type === "auth" ? " (enhanced authentication is not supported)" : "";
      return this.#fail(
        new ProtocolError(
          `Expected CONNACK, received ${packet.type.toUpperCase()}${hint} [MQTT-3.2.0-1]`,
        ),
      );
    }
    const out = this.#outgoing;
    switch (packet.type) {
      case "publish":
        return this.#incoming.onPublish(packet);
      case "puback":
        return onPuback(out, packet);
      case "pubrec":
        return onPubrec(out, packet);
      case "pubrel":
        return this.#incoming.onPubrel(packet);
      case "pubcomp":
        return onPubcomp(out, packet);
      case "suback":
      case "unsuback":
        return onSubOrUnsuback(out, packet);
      case "pingresp":
        return this.#keepalive.pongReceived();
      case "disconnect":
        return this.#onServerDisconnect(packet);
      default:
        return this.#fail(
          new ProtocolError(`Unexpected ${packet.type.toUpperCase()} from the server`),
        );
    }
  }

  #onConnack(connack: ConnackPacket): void {
    const v = this.#options.protocolVersion;
    const refusal = connackRefusal(connack, v);
    if (refusal !== undefined) return this.#attemptFailed(refusal, true);
    const sessionPresent = connack.sessionPresent;
    if (this.#sentClean && sessionPresent) {
      return this.#fail(
        new ProtocolError(
          "CONNACK has Session Present 1 in answer to a clean start ([MQTT-3.2.2-2] in MQTT 5)",
        ),
      );
    }
    this.#connectDeadline = undefined;
    this.#link = "up";
    this.#state = "connected";
    this.#established = true;
    const reconnect = this.#everConnected;
    this.#everConnected = true;
    this.#backoff?.reset();
    this.#connack = connack;
    const limits = v === 5 ? serverLimits(connack) : { ...DEFAULT_LIMITS };
    this.#limits = limits;
    const out = this.#outgoing;
    out.outbound.window = Math.min(this.#options.maxInflight, limits.receiveMaximum);
    const assigned = connack.properties?.assignedClientIdentifier;
    if (assigned !== undefined) this.#clientId = assigned;
    // Server Keep Alive replaces ours [MQTT-3.2.2-21].
    const keepalive = connack.properties?.serverKeepAlive ?? this.#options.keepalive;
    this.#keepalive.start(keepalive, this.#connectSentAt, this.#now); // sent: from the CONNECT
    out.aliases.reset(this.#options.topicAliases ? limits.topicAliasMaximum : 0);
    this.#emit({
      type: "connected",
      connack,
      sessionPresent,
      clientId: this.#clientId,
      reconnect,
    });
    this.#log(
      "info",
      `Connected (session present ${sessionPresent}, keepalive ${keepalive} s, window ${out.outbound.window})`,
    );
    for (const token of this.#connectTokens) {
      this.#emit({ type: "resolve", token, value: connack });
    }
    this.#connectTokens.clear();
    this.#incoming.connected(sessionPresent);
    if (sessionPresent) resumeSession(out);
    else discardSessionState(out);
    out.pump();
  }

  #onServerDisconnect(packet: DisconnectPacket): void {
    const code = packet.reasonCode;
    const reason = packet.properties?.reasonString;
    const error = new ConnectionClosedError(
      `The server disconnected: ${reasonCodeName(code, "disconnect")} (${hex(code)})${
        reason === undefined ? "" : `: ${reason}`
      }`,
      { reasonCode: code },
    );
    this.#connectionLost(error, packet, true);
  }

  // ---------------------------------------------------------------- failures and endings

  /** A protocol or decode error: DISCONNECT with its reason code (MQTT 5), then close. */
  #fail(error: MqttError): void {
    this.#log("error", `Protocol error: ${error.message}`);
    if (this.#options.protocolVersion === 5) {
      const code = isValidReasonCode(error.reasonCode, "disconnect") ? error.reasonCode : 0x82;
      const packet: DisconnectPacket = { type: "disconnect", reasonCode: code };
      this.#write(this.#wire.encode(packet, this.#limits.maximumPacketSize));
    }
    if (this.#link === "up") this.#connectionLost(error, undefined, true);
    else this.#attemptFailed(error, true);
  }

  /** A connection attempt failed (refused, timed out, closed, protocol error before CONNACK). */
  #attemptFailed(error: MqttError, closeTransport: boolean): void {
    if (closeTransport && this.#link !== "none") this.#close();
    else this.#dropLink();
    const backoff = this.#established ? this.#backoff : undefined;
    if (backoff !== undefined) {
      this.#state = "reconnecting";
      const delay = backoff.next();
      this.#reconnectAt = this.#now + delay;
      this.#emit({ type: "connectFailed", error, reconnectAt: this.#reconnectAt });
      this.#log("warn", `Connect attempt failed: ${error.message}; next attempt in ${delay} ms`);
      this.#rejectConnectTokens(error);
      return;
    }
    this.#state = "closed";
    this.#emit({ type: "connectFailed", error });
    this.#log("error", `Connect failed: ${error.message}`);
    this.#rejectConnectTokens(error);
    this.#outgoing.failPending(
      new ConnectionClosedError(`Not connected: ${error.message}`, { cause: error }),
    );
  }

  /** An established connection ended (lost, timed out, protocol error, server DISCONNECT). */
  #connectionLost(
    error: MqttError,
    packet: DisconnectPacket | undefined,
    closeTransport: boolean,
  ): void {
    if (closeTransport) this.#close();
    else this.#dropLink();
    const action: Extract<SessionAction, { type: "disconnected" }> = {
      type: "disconnected",
      reasonCode: packet?.reasonCode ?? error.reasonCode,
      error,
    };
    if (packet !== undefined) action.packet = packet;
    if (this.#backoff === undefined) {
      this.#state = "closed";
      this.#emit(action);
      this.#log("warn", `Connection lost: ${error.message}`);
      this.#outgoing.failPending(
        new ConnectionClosedError(`Connection lost: ${error.message}`, { cause: error }),
      );
      return;
    }
    this.#state = "reconnecting";
    const delay = this.#backoff.next();
    this.#reconnectAt = action.reconnectAt = this.#now + delay;
    this.#outgoing.suspend();
    this.#emit(action);
    this.#log("warn", `Connection lost: ${error.message}; reconnecting in ${delay} ms`);
  }

  #rejectConnectTokens(error: MqttError): void {
    for (const token of this.#connectTokens) this.#emit({ type: "reject", token, error });
    this.#connectTokens.clear();
  }

  // ---------------------------------------------------------------- plumbing

  #open(): void {
    this.#link = "opening";
    this.#generation++;
    const ms = this.#options.connectTimeout;
    this.#connectDeadline = ms > 0 ? this.#now + ms : undefined;
    this.#emit({ type: "open" });
    const attempt = this.#backoff?.attempt ?? 0;
    this.#log("info", this.#established ? `Reconnecting (attempt ${attempt})` : "Connecting");
  }

  #close(): void {
    this.#emit({ type: "close" });
    this.#dropLink();
  }

  #dropLink(): void {
    this.#link = "none";
    this.#generation++;
    this.#decoder = undefined;
    this.#keepalive.stop();
    this.#connectDeadline = undefined;
  }

  #write(bytes: Uint8Array, urgent = false): void {
    this.#actions.push(urgent ? { type: "write", bytes, urgent } : { type: "write", bytes });
    this.#keepalive.sent(this.#now);
  }

  #emit(action: SessionAction): void {
    this.#actions.push(action);
  }

  #log(level: LogLevel, message: string): void {
    this.#actions.push({ type: "log", level, message });
  }
}
