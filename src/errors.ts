/**
 * The error vocabulary of korero.
 *
 * Bad arguments are reported with the built-in `TypeError` / `RangeError` before anything is
 * sent. Everything that goes wrong on the wire or at the broker is an {@link MqttError}
 * carrying the MQTT 5 reason code that best describes it (also for MQTT 3.1.1 connections).
 *
 * @example
 * ```ts
 * import { connect, MqttError, ReasonCode } from "@korero/mqtt";
 * const client = await connect("mqtt://localhost");
 * try {
 *   await client.publish("a/b", "x", { qos: 1 });
 * } catch (error) {
 *   if (error instanceof MqttError && error.reasonCode === ReasonCode.NotAuthorized) {
 *     // the broker refused it
 *   }
 * }
 * ```
 * @module
 */

/** Options accepted by every {@link MqttError} constructor. */
export interface MqttErrorOptions {
  /** The MQTT 5 reason code (0x80 and above for failures). */
  reasonCode?: number;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every protocol, broker and network failure. */
export class MqttError extends Error {
  /** `"MqttError"`, a literal so the name survives minification. */
  override get name(): string {
    return "MqttError";
  }

  /** The MQTT 5 reason code describing the failure, e.g. `0x87` Not authorized. */
  readonly reasonCode: number;

  /** An error with `message`; `options.reasonCode` defaults to 0x80 Unspecified error. */
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reasonCode = options.reasonCode ?? 0x80;
  }
}

/** Bytes that are not a valid MQTT packet (reason code 0x81, or 0x95 for an oversize packet). */
export class MalformedPacketError extends MqttError {
  /** `"MalformedPacketError"`, a literal so the name survives minification. */
  override get name(): string {
    return "MalformedPacketError";
  }

  /** A malformed-packet error; `options.reasonCode` defaults to 0x81 Malformed Packet. */
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, { ...options, reasonCode: options.reasonCode ?? 0x81 });
  }
}

/** A well-formed packet that breaks a protocol rule (reason code 0x82 unless more specific). */
export class ProtocolError extends MqttError {
  /** `"ProtocolError"`, a literal so the name survives minification. */
  override get name(): string {
    return "ProtocolError";
  }

  /** A protocol error; `options.reasonCode` defaults to 0x82 Protocol Error. */
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, { ...options, reasonCode: options.reasonCode ?? 0x82 });
  }
}

/** The broker answered CONNECT with a failure CONNACK. */
export class ConnectionRefusedError extends MqttError {
  /** `"ConnectionRefusedError"`, a literal so the name survives minification. */
  override get name(): string {
    return "ConnectionRefusedError";
  }

  /** The human-readable name of the reason code, e.g. "Not authorized". */
  readonly reasonName: string;

  /** A refusal with the CONNACK's reason code and its name. */
  constructor(message: string, options: MqttErrorOptions & { reasonName: string }) {
    super(message, options);
    this.reasonName = options.reasonName;
  }
}

/**
 * The connection closed (network failure, server DISCONNECT, keepalive timeout or a local
 * `disconnect()`) before an operation could complete.
 */
export class ConnectionClosedError extends MqttError {
  /** `"ConnectionClosedError"`, a literal so the name survives minification. */
  override get name(): string {
    return "ConnectionClosedError";
  }
}

/** An operation did not complete within its timeout (reason code 0x80 Unspecified error). */
export class TimeoutError extends MqttError {
  /** `"TimeoutError"`, a literal so the name survives minification. */
  override get name(): string {
    return "TimeoutError";
  }
}

/** A bounded queue is full and the operation was rejected (reason code 0x97 Quota exceeded). */
export class QueueFullError extends MqttError {
  /** `"QueueFullError"`, a literal so the name survives minification. */
  override get name(): string {
    return "QueueFullError";
  }

  /** A queue-full error; `options.reasonCode` defaults to 0x97 Quota exceeded. */
  constructor(message: string, options: MqttErrorOptions = {}) {
    super(message, { ...options, reasonCode: options.reasonCode ?? 0x97 });
  }
}

/**
 * A TLS handshake failed: the server's certificate was not trusted (unknown CA, a name that does
 * not match, expired) or the server refused the client's. Reason code 0x80 Unspecified error;
 * `cause` is the runtime's error and the message names `host:port` and the runtime's reason, e.g.
 * `TLS handshake with 127.0.0.1:8883 failed: invalid peer certificate: UnknownIssuer`.
 *
 * The socket transports (Deno, Bun, Node) reject with it when they open, or close with it when
 * the server refuses the client's certificate after the handshake (TLS 1.3); `connect()` and
 * `onConnectFail` then report this error itself, on every runtime.
 */
export class TlsError extends MqttError {
  /** `"TlsError"`, a literal so the name survives minification. */
  override get name(): string {
    return "TlsError";
  }
}

/**
 * The WebSocket handshake failed: the server answered the upgrade with an HTTP status other than
 * 101 (`status`, e.g. 401 for a refused token, where the runtime says which: Deno, Bun and the
 * `ws` package do, Node's global `WebSocket` and browsers do not), or the connection failed
 * before an answer. Reason code 0x80.
 */
export class WebSocketError extends MqttError {
  /** `"WebSocketError"`, a literal so the name survives minification. */
  override get name(): string {
    return "WebSocketError";
  }

  /** The HTTP status the server answered the upgrade with, when the runtime tells it. */
  readonly status: number | undefined;

  /** A failed handshake; `status` when known. */
  constructor(message: string, options: MqttErrorOptions & { status?: number } = {}) {
    super(message, { reasonCode: 0x80, ...options });
    this.status = options.status;
  }
}
