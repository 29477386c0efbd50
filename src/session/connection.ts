/**
 * The connection flow: the decoder of one connection, what a CONNACK means (refused, accepted,
 * or a protocol error) and the attempts' bookkeeping ({@link Attempts}). The errors a connection
 * ends with are in `connection_end.ts`.
 *
 * A refusing CONNACK becomes a `ConnectionRefusedError` (`refusal.ts`).
 *
 * @module
 */

import { clientDecoder, type ClientInboundPacket } from "../codec/client_codec.ts";
import type { StreamDecoder } from "../codec/_stream_decoder.ts";
import type { ConnackPacket, ConnectPacket, ProtocolVersion } from "../codec/types.ts";
import { MqttError, ProtocolError, TimeoutError } from "../errors.ts";
import { ConnectSettings } from "./connect_settings.ts";
import type { Effects } from "./effects.ts";
import { Backoff } from "./reconnect.ts";
import type { SessionOptions, Token } from "./types.ts";
import { connackRefusal } from "./refusal.ts";

/** The streaming decoder of one connection, bounded by our Maximum Packet Size (MQTT 5). */
export function connectionDecoder(options: SessionOptions): StreamDecoder<ClientInboundPacket> {
  const v = options.protocolVersion;
  const maximumPacketSize = v === 5 ? options.properties?.maximumPacketSize : undefined;
  return clientDecoder(
    maximumPacketSize === undefined
      ? { protocolVersion: v }
      : { protocolVersion: v, maximumPacketSize },
  );
}

/**
 * Why `connack` does not open the session: a refusal, or a protocol error (Session Present in
 * answer to a clean start, [MQTT-3.2.2-2] in MQTT 5); undefined when it accepts it.
 */
export function connackFault(
  connack: ConnackPacket,
  protocolVersion: ProtocolVersion,
  sentClean: boolean,
): MqttError | undefined {
  const refusal = connackRefusal(connack, protocolVersion);
  if (refusal !== undefined) return refusal;
  if (sentClean && connack.sessionPresent) {
    return new ProtocolError(
      "CONNACK has Session Present 1 in answer to a clean start ([MQTT-3.2.2-2] in MQTT 5)",
    );
  }
  return undefined;
}

/** The waiting callers of every `Attempts` while none waits (never added to). */
const NO_TOKENS: Set<Token> = new Set();

/**
 * The bookkeeping of connection attempts: who waits for `connect()`, the CONNACK deadline, the
 * reconnect backoff and when the next attempt is due, the attempt count, and what the attempts
 * sent and got (clean flag, credentials and will, client identifier, last CONNACK). It decides
 * nothing: the session calls it as it moves between statuses.
 */
export class Attempts {
  readonly #options: SessionOptions;
  readonly #backoff: Backoff | undefined;
  /** Callers waiting (NO_TOKENS, shared and never added to, while none is). */
  #tokens: Set<Token> = NO_TOKENS;
  #stopped = false;
  /** When the current attempt fails for want of a CONNACK. */
  #deadline: number | undefined;
  /** When the next reconnect attempt is due (only while waiting out a backoff delay). */
  reconnectAt: number | undefined;
  /** Any CONNACK ever accepted (for `clean: "first"` and the `reconnect` flag). */
  #everConnected = false;
  #sentClean = false;
  #sentAt = 0;
  /** The client identifier in use: the configured one, or the one the server assigned. */
  clientId: string;
  /** The last CONNACK accepted. */
  connack: ConnackPacket | undefined;
  /** The credentials and will the next CONNECT carries. */
  readonly settings: ConnectSettings;
  /** Attempts since `connect()` or the last accepted CONNACK, counting the one under way. */
  #attempt = 0;

  constructor(options: SessionOptions, random: () => number) {
    this.#options = options;
    if (options.retryFirstConnect === true && options.reconnect === false) {
      throw new RangeError(
        "options.retryFirstConnect needs a reconnect policy, got reconnect false",
      );
    }
    this.settings = new ConnectSettings(options);
    this.clientId = options.clientId;
    this.#backoff = options.reconnect === false
      ? undefined
      : new Backoff(options.reconnect, random);
  }

  /** The attempt under way: 1 for the first after `connect()` or after a loss, then 2, 3, … */
  get attempt(): number {
    return this.#attempt;
  }

  /** Whether losses lead to reconnects (a reconnect policy, and no `disconnect()` under way). */
  get reconnects(): boolean {
    return this.#backoff !== undefined && !this.#stopped;
  }

  /** `disconnect()` is under way: a loss from now on ends the session. */
  stop(): void {
    this.#stopped = true;
  }

  /** Callers waiting for `connect()`. */
  get waiting(): number {
    return this.#tokens.size;
  }

  /** `token` waits for the next successful CONNACK. */
  join(token: Token): void {
    if (this.#tokens === NO_TOKENS) this.#tokens = new Set();
    this.#tokens.add(token);
  }

  /** `token` no longer waits; false when it did not. */
  leave(token: Token): boolean {
    return this.#tokens.delete(token);
  }

  /** A new `connect()` series: the backoff starts over. */
  restart(): void {
    this.#stopped = false;
    this.#attempt = 0;
    this.#backoff?.reset();
  }

  /** An attempt opens at `now`: the CONNACK deadline starts; returns its log line. */
  opening(now: number, reconnecting: boolean): string {
    this.reconnectAt = undefined;
    this.#attempt++;
    const ms = this.#options.connectTimeout;
    this.#deadline = ms > 0 ? now + ms : undefined;
    if (reconnecting) return `Reconnecting (attempt ${this.#attempt})`;
    return this.#attempt === 1 ? "Connecting" : `Connecting (attempt ${this.#attempt})`;
  }

  /** The CONNECT of this attempt, sent at `now`. */
  connect(now: number): ConnectPacket {
    const o = this.#options;
    const clean = o.clean === "first" ? !this.#everConnected : o.clean;
    this.#sentClean = clean;
    this.#sentAt = now;
    return this.settings.packet(this.clientId, clean);
  }

  /** When the CONNECT was sent. */
  get sentAt(): number {
    return this.#sentAt;
  }

  /** Why `connack` does not open the session, or undefined (see {@link connackFault}). */
  fault(connack: ConnackPacket): MqttError | undefined {
    return connackFault(connack, this.#options.protocolVersion, this.#sentClean);
  }

  /** `connack` was accepted; returns whether an earlier CONNACK had been (a reconnect). */
  accepted(connack: ConnackPacket): boolean {
    const reconnect = this.#everConnected;
    this.#everConnected = true;
    this.#deadline = undefined;
    this.#attempt = 0;
    this.#backoff?.reset();
    this.connack = connack;
    const assigned = connack.properties?.assignedClientIdentifier;
    if (assigned !== undefined) this.clientId = assigned;
    return reconnect;
  }

  /** Settles every waiting `connect()` with `connack`. */
  resolveAll(fx: Effects, connack: ConnackPacket): void {
    const tokens = this.#tokens;
    this.#tokens = NO_TOKENS;
    for (const token of tokens) fx.resolve(token, connack);
  }

  /** Fails every waiting `connect()` with `error`. */
  rejectAll(fx: Effects, error: MqttError): void {
    const tokens = this.#tokens;
    this.#tokens = NO_TOKENS;
    for (const token of tokens) fx.reject(token, error);
  }

  /** The transport is gone: no CONNACK is awaited any more. */
  ended(): void {
    this.#deadline = undefined;
  }

  /** Schedules the next attempt after a backoff delay from `now`; returns the delay. */
  retry(now: number): number {
    const delay = (this.#backoff as Backoff).next();
    this.reconnectAt = now + delay;
    return delay;
  }

  /** What is due at `now`: the CONNACK deadline passed, the next attempt, or nothing. */
  due(now: number): "timeout" | "retry" | undefined {
    if (this.#deadline !== undefined && now >= this.#deadline) return "timeout";
    if (this.reconnectAt !== undefined && now >= this.reconnectAt) return "retry";
    return undefined;
  }

  /** The earlier of the CONNACK deadline and the next attempt. */
  deadline(): number | undefined {
    const a = this.#deadline;
    const b = this.reconnectAt;
    return a === undefined ? b : b === undefined ? a : Math.min(a, b);
  }

  /** The error for an attempt whose CONNACK did not come in time. */
  timeout(): TimeoutError {
    return new TimeoutError(
      `No CONNACK within ${this.#options.connectTimeout} ms (connectTimeout)`,
    );
  }
}
