/**
 * The connection lifecycle: the one owner of the session's {@link Status}. It opens
 * transports, accepts or refuses CONNACKs, keeps the connection alive, and decides what a lost
 * connection, a failed attempt or a protocol fault leads to: a reconnect after a backoff delay,
 * or the end of the session. The diagram is in `status.ts`.
 *
 * The driver's side: `open` asks for a transport, answered by `transportOpened` (the session
 * writes CONNECT) or `transportClosed(error)`. After `close` the session ignores every event
 * until its next `open`; a transport that ends by itself is reported with `transportClosed` and
 * gets no `close`. A failed attempt emits `connectFailed`; the first attempt of a `connect()` is
 * not retried (unless `retryFirstConnect`: then it is, and the `connect()` callers keep
 * waiting). Once a connection of this `connect()` succeeded, every loss emits `disconnected`
 * and every failed attempt `connectFailed`, both with `reconnectAt`, until `disconnect()` (unless
 * `reconnect` is `false`). `reconnect()` drops the connection (or the attempt under way) without
 * DISCONNECT and opens a new one at once.
 *
 * @module
 */

import type { ConnackPacket, DisconnectPacket } from "../codec/types.ts";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  MqttError,
  ProtocolError,
} from "../errors.ts";
import { Attempts } from "./connection.ts";
import { faultDisconnect, keepaliveTimeout } from "./connection_end.ts";
import type { Effects } from "./effects.ts";
import { KeepAlive } from "./keepalive.ts";
import { DEFAULT_LIMITS, type Link, serverLimits } from "./limits.ts";
import type { Outbox } from "./outbox.ts";
import type { PublishIn } from "./publish_in.ts";
import { STATUS, type Status, statusAfter, type TransportPhase } from "./status.ts";
import type { SessionAction, SessionOptions } from "./types.ts";

/** Status, attempts and keepalive of one session. */
export class Lifecycle {
  readonly #options: SessionOptions;
  #status: Status = "idle";
  /** What the flows are told about the connection; replaced whenever it changes. */
  #link: Link = { state: "idle", up: false, limits: DEFAULT_LIMITS };
  /** Connection attempts: waiting callers, deadlines, backoff, client id, last CONNACK. */
  readonly attempts: Attempts;
  readonly #keepalive = new KeepAlive();

  constructor(options: SessionOptions, random: () => number) {
    this.#options = options;
    this.attempts = new Attempts(options, random);
  }

  /** The connection as the flows see it. */
  get link(): Link {
    return this.#link;
  }

  /** Where the transport is. */
  get phase(): TransportPhase {
    return STATUS[this.#status].phase;
  }

  /** Whether packets are read from the transport (CONNECT sent, or connected). */
  get reading(): boolean {
    const phase = this.phase;
    return phase === "handshake" || phase === "up";
  }

  /** Asks the driver for a transport (first attempt, reconnect, or `connect()` while waiting). */
  open(fx: Effects): void {
    this.#setStatus(statusAfter(this.#status, "opening"));
    const line = this.attempts.opening(fx.now, this.#link.state === "reconnecting");
    fx.emit({ type: "open", attempt: this.attempts.attempt });
    fx.log("info", line);
  }

  /** The transport opened: writes CONNECT (an unencodable one fails the attempt). */
  opened(fx: Effects, outbox: Outbox): void {
    this.#setStatus(statusAfter(this.#status, "handshake"));
    const packet = this.attempts.connect(fx.now);
    try {
      fx.send(packet);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const failure = new MqttError(`CONNECT could not be encoded: ${text}`, { cause: error });
      return this.attemptFailed(fx, failure, true, outbox);
    }
    fx.log("debug", `CONNECT sent (clean ${packet.clean}, keepalive ${packet.keepalive} s)`);
  }

  /** Bytes arrived at `fx.now` (the keepalive counts silence from the last ones). */
  received(now: number): void {
    this.#keepalive.received(now);
  }

  /** A PINGRESP arrived. */
  pong(): void {
    this.#keepalive.pongReceived();
  }

  /** A CONNACK arrived; returns the protocol fault it is, if it is one. */
  connack(
    fx: Effects,
    connack: ConnackPacket,
    outbox: Outbox,
    publishIn: PublishIn,
  ): ProtocolError | undefined {
    const attempts = this.attempts;
    const fault = attempts.fault(connack);
    if (fault instanceof ProtocolError) return fault;
    if (fault !== undefined) {
      const refused = fault instanceof ConnectionRefusedError ? connack : undefined;
      return this.attemptFailed(fx, fault, true, outbox, refused);
    }
    const { sessionPresent } = connack;
    const reconnect = attempts.accepted(connack);
    const limits = this.#options.protocolVersion === 5 ? serverLimits(connack) : DEFAULT_LIMITS;
    this.#setStatus("connected", limits);
    const window = outbox.connected(limits);
    // Server Keep Alive replaces ours [MQTT-3.2.2-21].
    const keepalive = connack.properties?.serverKeepAlive ?? this.#options.keepalive;
    this.#keepalive.start(keepalive, attempts.sentAt, fx.now); // sent: from the CONNECT
    const clientId = attempts.clientId;
    fx.emit({ type: "connected", connack, sessionPresent, clientId, reconnect });
    fx.log(
      "info",
      `Connected (session present ${sessionPresent}, keepalive ${keepalive} s, window ${window})`,
    );
    attempts.resolveAll(fx, connack);
    publishIn.connected(sessionPresent);
    outbox.resume(fx, sessionPresent, this.#link);
    return undefined;
  }

  /** Handles what is due at `fx.now`: CONNACK timeout, next attempt, PINGREQ or its timeout. */
  timer(fx: Effects, outbox: Outbox): void {
    const now = fx.now;
    // A timed-out attempt may schedule the next one for now (a zero backoff delay): then it
    // opens in this same call.
    if (this.attempts.due(now) === "timeout") {
      this.attemptFailed(fx, this.attempts.timeout(), true, outbox);
    }
    if (this.attempts.due(now) === "retry") this.open(fx);
    if (this.#status !== "connected") return;
    const keepalive = this.#keepalive;
    keepalive.sent(fx.lastWrite);
    const ping = keepalive.due(now);
    if (ping === "ping") {
      fx.send({ type: "pingreq" }, undefined, true);
      keepalive.pingSent(now);
    } else if (ping === "timeout") {
      this.connectionLost(
        fx,
        keepaliveTimeout(keepalive.pongWait, keepalive.interval),
        undefined,
        true,
        outbox,
      );
    }
  }

  /** The earliest of the CONNACK deadline, the next attempt and the keepalive. */
  deadline(lastWrite: number): number | undefined {
    const next = this.attempts.deadline();
    if (this.#status !== "connected") return next;
    this.#keepalive.sent(lastWrite);
    const ping = this.#keepalive.deadline();
    return next === undefined ? ping : ping === undefined ? next : Math.min(next, ping);
  }

  /** A protocol or decode fault: DISCONNECT with its reason code (MQTT 5), then close. */
  fail(fx: Effects, error: MqttError, outbox: Outbox): void {
    fx.log("error", `Protocol error: ${error.message}`);
    if (this.#options.protocolVersion === 5) {
      fx.send(faultDisconnect(error), this.#link.limits.maximumPacketSize);
    }
    if (this.#status === "connected") this.connectionLost(fx, error, undefined, true, outbox);
    else this.attemptFailed(fx, error, true, outbox);
  }

  /**
   * A connection attempt failed (refused with CONNACK `refused`, timed out, closed, protocol
   * error before CONNACK). A reconnect is retried, and so is the first connect with
   * `retryFirstConnect` (whose callers keep waiting); without a retry the session closes.
   */
  attemptFailed(
    fx: Effects,
    error: MqttError,
    closeTransport: boolean,
    outbox: Outbox,
    refused?: ConnackPacket,
  ): undefined {
    const attempts = this.attempts;
    const first = this.#link.state === "connecting";
    const keepWaiting = this.#options.retryFirstConnect === true;
    const retry = attempts.reconnects && (!first || keepWaiting);
    const waiting = first ? "connecting/waiting" : "reconnecting/waiting";
    this.close(fx, retry ? waiting : "closed", closeTransport);
    const action: Extract<SessionAction, { type: "connectFailed" }> = {
      type: "connectFailed",
      error,
    };
    if (refused !== undefined) action.connack = refused;
    if (retry) {
      const delay = attempts.retry(fx.now);
      action.reconnectAt = fx.now + delay;
      fx.emit(action);
      fx.log("warn", `Connect attempt failed: ${error.message}; next attempt in ${delay} ms`);
      if (!keepWaiting) attempts.rejectAll(fx, error);
      return;
    }
    fx.emit(action);
    fx.log("error", `Connect failed: ${error.message}`);
    attempts.rejectAll(fx, error);
    outbox.failAll(
      fx,
      new ConnectionClosedError(`Not connected: ${error.message}`, { cause: error }),
    );
  }

  /** An established connection ended (lost, timed out, protocol error, server DISCONNECT). */
  connectionLost(
    fx: Effects,
    error: MqttError,
    packet: DisconnectPacket | undefined,
    closeTransport: boolean,
    outbox: Outbox,
  ): undefined {
    const retry = this.attempts.reconnects;
    this.close(fx, retry ? "reconnecting/waiting" : "closed", closeTransport);
    const action: Extract<SessionAction, { type: "disconnected" }> = {
      type: "disconnected",
      reasonCode: packet?.reasonCode ?? error.reasonCode,
      error,
    };
    if (packet !== undefined) action.packet = packet;
    if (!retry) {
      fx.emit(action);
      fx.log("warn", `Connection lost: ${error.message}`);
      outbox.failAll(
        fx,
        new ConnectionClosedError(`Connection lost: ${error.message}`, { cause: error }),
      );
      return;
    }
    const delay = this.attempts.retry(fx.now);
    action.reconnectAt = fx.now + delay;
    outbox.suspend();
    fx.emit(action);
    fx.log("warn", `Connection lost: ${error.message}; reconnecting in ${delay} ms`);
  }

  /**
   * `reconnect()`: drops the connection without DISCONNECT (`disconnected` with `reconnectAt`
   * now; the outbox keeps its work for the next connection), or gives up the attempt under way,
   * and opens a new transport at once. The reconnect policy does not matter here.
   */
  reconnect(fx: Effects, outbox: Outbox): void {
    const phase = this.phase;
    if (phase === "up") {
      this.close(fx, "reconnecting/waiting");
      outbox.suspend();
      fx.emit({ type: "disconnected", reasonCode: 0, reconnectAt: fx.now });
    } else if (phase !== "none") {
      const first = this.#link.state === "connecting";
      this.close(fx, first ? "connecting/waiting" : "reconnecting/waiting");
    }
    fx.log("info", "Reconnecting at once (reconnect())");
    this.open(fx);
  }

  /**
   * Leaves the current transport for `status`: emits `close` when `closeTransport` and one is
   * open (or being opened); a transport that ended by itself needs none.
   */
  close(
    fx: Effects,
    status: "closed" | `${"connecting" | "reconnecting"}/waiting`,
    closeTransport = true,
  ): void {
    if (closeTransport && this.phase !== "none") fx.emit({ type: "close" });
    this.#setStatus(status);
    this.#keepalive.stop();
    this.attempts.ended();
  }

  #setStatus(status: Status, limits = this.#link.limits): void {
    this.#status = status;
    if (!status.endsWith("/waiting")) this.attempts.reconnectAt = undefined;
    const { state, phase } = STATUS[status];
    this.#link = { state, up: phase === "up", limits };
  }
}
