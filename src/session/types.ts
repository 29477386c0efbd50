/**
 * The contract of the pure session state machine: its options, its inputs' value types and the
 * actions it emits. The driver (`src/client/driver.ts`) feeds inputs and performs actions.
 *
 * Inputs are method calls on {@link SessionApi}, each carrying `now` (milliseconds, any
 * monotonic origin). Outputs accumulate and are taken with `drain()`, in order. The driver
 * performs them in order; a `resolve`/`reject` that follows `write`s in the same drain is
 * delivered only after those bytes were handed to the transport (so QoS 0 settles "on write").
 *
 * @module
 */

import type {
  ConnackPacket,
  DisconnectPacket,
  Properties,
  ProtocolVersion,
  Subscription,
  Will,
} from "../codec/types.ts";
import type { MqttError } from "../errors.ts";
import type { SavedSession, StoreChange } from "./persistence.ts";

/** Opaque completion token chosen by the caller; the session settles it exactly once. */
export type Token = number;

/** Reconnect policy: `false`, or exponential backoff bounds in milliseconds. */
export type ReconnectPolicy = false | { minDelay: number; maxDelay: number };

/** Fully resolved session options (the client normalises user options into these). */
export interface SessionOptions {
  /** 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5. */
  protocolVersion: ProtocolVersion;
  /** May be "" only on MQTT 5 (the server assigns one, see `connected.clientId`). */
  clientId: string;
  /** Clean session / clean start; `"first"` = clean on the first connect only (paho's MQTT_CLEAN_START_FIRST_ONLY). */
  clean: boolean | "first";
  /** Keepalive in seconds, 0 = off. */
  keepalive: number;
  /** The CONNECT user name. */
  username?: string;
  /** The CONNECT password. */
  password?: Uint8Array;
  /** The will message, published by the server if the connection ends without DISCONNECT. */
  will?: Will;
  /** MQTT 5 CONNECT properties (sessionExpiryInterval, receiveMaximum, maximumPacketSize, topicAliasMaximum, …). */
  properties?: Properties;
  /** Whether and how soon to reconnect after a lost connection. */
  reconnect: ReconnectPolicy;
  /** Retry failed first attempts too (needs `reconnect`); `connect()` tokens wait. Absent = no. */
  retryFirstConnect?: boolean;
  /** Milliseconds from transport open request to CONNACK before the attempt fails. */
  connectTimeout: number;
  /** Milliseconds after which a pending operation rejects with TimeoutError; 0 = never. */
  operationTimeout: number;
  /** Cap on outgoing QoS 1/2 PUBLISH in flight (also capped by the server's Receive Maximum). */
  maxInflight: number;
  /** Cap on messages waiting beyond the in-flight window or while disconnected. */
  maxQueued: number;
  /** Cap on the payload bytes of those waiting messages. */
  maxQueuedBytes: number;
  /**
   * When the queue is full: `"wait"` (the publish waits for room; the waiting work is bounded by
   * `maxQueued` and `maxQueuedBytes` of its own, beyond them it is rejected too) or `"reject"`
   * (QueueFullError).
   */
  queueFull: "wait" | "reject";
  /** Queue QoS 0 publishes while disconnected (otherwise they reject with ConnectionClosedError). */
  queueQoS0Offline: boolean;
  /** Re-subscribe the subscriptions made on this client after a reconnect without a session. */
  resubscribe: boolean;
  /** Assign outgoing topic aliases automatically within the server's Topic Alias Maximum (v5). */
  topicAliases: boolean;
  /**
   * When an incoming QoS 2 message is delivered: `"publish"` (on PUBLISH; PUBREC when it is
   * acknowledged) or `"pubrel"` (paho's and libmosquitto's order: PUBREC at once, delivered on
   * PUBREL, PUBCOMP when it is acknowledged).
   */
  qos2Delivery: "publish" | "pubrel";
  /**
   * Milliseconds `disconnect()` waits for incoming QoS 2 exchanges under way (a PUBREL to
   * answer) before it sends DISCONNECT; 0 = do not wait.
   */
  disconnectTimeout: number;
  /** Log every packet sent and received at level debug, in paho's wording (no secrets). */
  trace?: boolean;
  /**
   * Emit a `store` action for every change to the state a session store keeps
   * (`persistence.ts`), and accept {@link SessionApi.restore}.
   */
  persist?: boolean;
}

export type {
  AckResult,
  InboundMessage,
  MessageMaker,
  OutgoingMessage,
  PublishResult,
} from "./messages.ts";
import type { AckResult, InboundMessage, OutgoingMessage, PublishResult } from "./messages.ts";

/** Options of `disconnect`. */
export interface DisconnectRequest {
  /** Send DISCONNECT at once, without letting incoming QoS 2 exchanges finish. */
  force?: boolean;
  /** DISCONNECT reason code (v5), default 0 Normal disconnection; 0x04 publishes the will. */
  reasonCode?: number;
  /** DISCONNECT properties (v5), e.g. sessionExpiryInterval, reasonString. */
  properties?: Properties;
}

/** Coarse state, for the client's `connected` getter and logs. */
export type SessionState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

/** Log levels carried by `log` actions. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Everything the session asks its driver to do. */
export type SessionAction =
  /**
   * Open a new transport now; report `transportOpened` (which builds the CONNECT) or
   * `transportClosed(error)`. `attempt`: 1, 2, … since `connect()` or the last CONNACK.
   */
  | { type: "open"; attempt: number }
  /**
   * Hand these bytes to the current transport: one or more whole packets (acknowledgements
   * emitted one after another come as one write). `urgent` (acknowledgements: PUBACK, PUBREC,
   * PUBREL, PUBCOMP, and PINGREQ) may be sent ahead of earlier non-urgent bytes that were not
   * handed over yet; bytes keep their order within each of the two kinds.
   */
  | { type: "write"; bytes: Uint8Array; urgent?: true }
  /** Close the current transport; the session already treats it as gone (forward no more events from it). */
  | { type: "close" }
  /**
   * A CONNACK with success arrived (first connect and every reconnect). `clientId` is the one
   * in use (the server's Assigned Client Identifier if it sent one); `reconnect` is true for
   * every accepted CONNACK after the session's first.
   */
  | {
    type: "connected";
    connack: ConnackPacket;
    sessionPresent: boolean;
    clientId: string;
    reconnect: boolean;
  }
  /**
   * One connection attempt failed (refused, timed out or network error). `reconnectAt` is when
   * the next attempt is due (absent when the session will not retry: it is then closed).
   * `connack`: the server's refusing CONNACK, when it refused.
   */
  | { type: "connectFailed"; error: MqttError; reconnectAt?: number; connack?: ConnackPacket }
  /**
   * An established connection ended. `reasonCode` is the server's DISCONNECT reason code if it
   * sent one, else the error's, else 0 (a normal `disconnect()`); `packet` is the server's
   * DISCONNECT; `reconnectAt` is when the next attempt is due (absent when the session will not
   * reconnect).
   */
  | {
    type: "disconnected";
    reasonCode: number;
    error?: MqttError;
    packet?: DisconnectPacket;
    reconnectAt?: number;
  }
  /** Deliver an application message; acknowledge it later with `ack(message.receipt, …)`. */
  | { type: "message"; message: InboundMessage }
  /**
   * Settle a token with success. `onWrite`: the success is the writing of the bytes emitted
   * before it (a QoS 0 PUBLISH); if the connection ends before they are written, the caller
   * fails the token instead.
   */
  | {
    type: "resolve";
    token: Token;
    value: ConnackPacket | PublishResult | AckResult | undefined;
    onWrite?: true;
  }
  /** Settle a token with failure. */
  | { type: "reject"; token: Token; error: unknown }
  /** A diagnostic line. */
  | { type: "log"; level: LogLevel; message: string }
  /** (With `persist`) a change for the session store, to be saved before later writes. */
  | { type: "store"; change: StoreChange };

/**
 * The session's inputs. Methods that take a token settle it later through a `resolve` or
 * `reject` action (exactly once). Methods throw `TypeError`/`RangeError` synchronously, and queue
 * nothing, when an argument cannot be sent under the negotiated limits (QoS above the server's
 * Maximum QoS, retain when Retain Available is false, a packet over the server's Maximum Packet
 * Size, wildcard subscriptions where unavailable, …).
 */
export interface SessionApi {
  /** The coarse state. */
  readonly state: SessionState;
  /** The client identifier in use: the configured one, or the one the server assigned. */
  readonly clientId: string;
  /**
   * Whether a QoS 1/2 `publish` now would be sent or queued: neither made to wait for room in
   * the queue nor refused as it is full. Changes after inputs (acknowledgements, reconnects).
   */
  readonly hasRoom: boolean;
  /**
   * Outgoing work not done yet: QoS 1/2 PUBLISH in flight (until PUBACK / PUBCOMP), and whatever
   * is queued or waiting for room (QoS 0 messages queued offline and SUBSCRIBE too).
   */
  readonly outgoing: number;
  /**
   * Whether the in-flight window is full (or resends are held back): no QoS 1/2 PUBLISH can be
   * sent until acknowledgements arrive, so what is read next is better read at once.
   */
  readonly windowFull: boolean;
  /** Start connecting (emits `open`); `token` resolves with the CONNACK or rejects with the first failure. */
  connect(token: Token, now: number): void;
  /** The transport requested by `open` is ready: the session writes CONNECT. */
  transportOpened(now: number): void;
  /** The transport closed, or could not be opened (then `error` says why). */
  transportClosed(now: number, error?: Error): void;
  /** Bytes arrived from the transport. */
  receive(chunk: Uint8Array, now: number): void;
  /** The deadline returned by `nextDeadline()` has passed. */
  handleTimer(now: number): void;
  /** When `handleTimer` is next needed, or undefined. */
  nextDeadline(): number | undefined;
  /**
   * Publish `message`; `token` settles on write (QoS 0), PUBACK (QoS 1) or PUBCOMP (QoS 2), or
   * rejects. Queued while disconnected or beyond the window (QoS 0 only with
   * `queueQoS0Offline`).
   */
  publish(token: Token, message: OutgoingMessage, now: number): void;
  /**
   * A QoS 0 publish without a token, for callers that settle QoS 0 messages by the bytes they
   * wrote: when connected and within the server's limits, emits its `write` and returns true;
   * otherwise emits nothing and returns false, and the caller uses {@link publish} (which queues
   * or rejects it). Throws like `publish`.
   */
  sendQoS0(message: OutgoingMessage, now: number): boolean;
  /** Subscribe; `token` resolves with the SUBACK's reason codes. */
  subscribe(
    token: Token,
    subscriptions: Subscription[],
    properties: Properties | undefined,
    now: number,
  ): void;
  /** Unsubscribe; `token` resolves with the UNSUBACK's reason codes. */
  unsubscribe(
    token: Token,
    topicFilters: string[],
    properties: Properties | undefined,
    now: number,
  ): void;
  /**
   * Send DISCONNECT and close; pending operations reject with ConnectionClosedError. Unless
   * `request.force`, incoming QoS 2 exchanges under way (a PUBREL to answer) may finish first,
   * for up to `disconnectTimeout`; `token` resolves once DISCONNECT was written. Throws
   * RangeError (and sends nothing) for a non-zero `sessionExpiryInterval` when the CONNECT had
   * none or 0 [MQTT-3.14.2-2].
   */
  disconnect(token: Token, request: DisconnectRequest, now: number): void;
  /**
   * Acknowledge a delivered QoS 1/2 message: PUBACK (QoS 1), PUBREC (QoS 2 delivered on
   * PUBLISH) or PUBCOMP (QoS 2 delivered on PUBREL), with `reasonCode` (MQTT 5; a failure code
   * ends the flow). Returns false, and sends nothing, for a receipt that is unknown, already
   * acknowledged, or from a connection that has ended.
   */
  ack(receipt: number, reasonCode: number, now: number): boolean;
  /** Drop the connection without DISCONNECT and connect now (see `Lifecycle.reconnect`). */
  reconnect(token: Token, now: number): void;
  /** The credentials of the next CONNECT; see `ConnectSettings.setCredentials` (RangeError). */
  setCredentials(username: string | undefined, password: Uint8Array | undefined): void;
  /** The will of the next CONNECT; see `ConnectSettings.setWill` (RangeError). */
  setWill(will: Will | undefined): void;
  /** The caller gave up on `token` (AbortSignal): reject it with `reason`; drop its work if not yet sent. */
  cancel(token: Token, reason: unknown, now: number): void;
  /**
   * (With `persist`, before the first `connect` and any call) takes back the state a store
   * saved: outgoing messages (to resend with DUP on a resumed session, or publish again),
   * incoming QoS 2 states and the granted subscriptions. Throws an Error when called later.
   */
  restore(saved: SavedSession): void;
  /** Take the actions emitted since the last drain, in order. */
  drain(): SessionAction[];
}
