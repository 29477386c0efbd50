/**
 * What the callbacks of `MqttClient` receive: one object per call.
 *
 * @module
 */

import type { ConnackPacket, DisconnectPacket, Properties } from "../codec/types.ts";
import type { MqttError } from "../errors.ts";
import type { LogLevel, SessionAction } from "../session/types.ts";
import type { Message } from "./message.ts";

/**
 * What `onConnect` receives: the CONNACK of a successful (re)connection, or of a refused one
 * (`reasonCode` ≥ 0x80; `onConnectFail` follows), as paho 2 calls `on_connect` for both.
 */
export interface ConnectEvent {
  /** The broker's CONNACK. */
  connack: ConnackPacket;
  /**
   * 0 when the broker accepted the connection; else its refusal as an MQTT 5 reason code (an
   * MQTT 3.1/3.1.1 return code 1..5 becomes 0x84, 0x85, 0x88, 0x86, 0x87, as in
   * `ConnectionRefusedError.reasonCode`; `connack.reasonCode` keeps the code as sent).
   */
  reasonCode: number;
  /** Whether the broker resumed a stored session (false on a refusal). */
  sessionPresent: boolean;
  /** The CONNACK's MQTT 5 properties (limits, assigned client id, …). */
  properties?: Properties;
  /** `true` for every connection (or refusal) after the first accepted one. */
  reconnect: boolean;
}

/** What `onPreConnect` receives before each connection attempt opens its transport. */
export interface PreConnectEvent {
  /**
   * 1 for the first attempt after `connect()`, after a lost connection or after
   * `reconnect()`; 2, 3, … while attempts keep failing.
   */
  attempt: number;
}

/** What `onConnectFail` receives: why one connection attempt failed. */
export interface ConnectFailEvent {
  /** Why it failed: `ConnectionRefusedError` when the broker said no. */
  error: MqttError;
  /** Whether the client will try again (reconnect policy), or gave up. */
  willReconnect: boolean;
}

/** What `onDisconnect` receives when an established connection ended. */
export interface DisconnectEvent {
  /** The server's DISCONNECT reason code, else the error's, else 0. */
  reasonCode: number;
  /** Why the connection ended, unless it was a normal disconnect. */
  error?: MqttError;
  /** The server's DISCONNECT packet (MQTT 5), if it sent one. */
  packet?: DisconnectPacket;
  /** Whether the client will try to reconnect. */
  willReconnect: boolean;
}

/** What `onMessage` and per-filter callbacks receive. */
export interface MessageEvent {
  /** The message received. */
  message: Message;
}

/** What `onLog` receives. */
export interface LogEvent {
  /** How severe it is. */
  level: LogLevel;
  /** The log line. */
  message: string;
}

type Action<T extends SessionAction["type"]> = Extract<SessionAction, { type: T }>;

/** The {@link ConnectEvent} of a session's `connected` action. */
export function connectEvent(action: Action<"connected">): ConnectEvent {
  const event: ConnectEvent = {
    connack: action.connack,
    reasonCode: 0,
    sessionPresent: action.sessionPresent,
    reconnect: action.reconnect,
  };
  if (action.connack.properties !== undefined) event.properties = action.connack.properties;
  return event;
}

/**
 * The {@link ConnectEvent} of a `connectFailed` action for a refusing CONNACK, if it is one;
 * `reconnect`: whether a CONNACK was accepted before.
 */
export function refusedEvent(
  action: Action<"connectFailed">,
  reconnect: boolean,
): ConnectEvent | undefined {
  const connack = action.connack;
  if (connack === undefined) return undefined;
  const event: ConnectEvent = {
    connack,
    reasonCode: action.error.reasonCode,
    sessionPresent: false,
    reconnect,
  };
  if (connack.properties !== undefined) event.properties = connack.properties;
  return event;
}

/** The {@link ConnectFailEvent} of a session's `connectFailed` action. */
export function connectFailEvent(action: Action<"connectFailed">): ConnectFailEvent {
  return { error: action.error, willReconnect: action.reconnectAt !== undefined };
}

/** The {@link DisconnectEvent} of a session's `disconnected` action. */
export function disconnectEvent(action: Action<"disconnected">): DisconnectEvent {
  const event: DisconnectEvent = {
    reasonCode: action.reasonCode,
    willReconnect: action.reconnectAt !== undefined,
  };
  if (action.error !== undefined) event.error = action.error;
  if (action.packet !== undefined) event.packet = action.packet;
  return event;
}

/** What `onPublish` receives when a `publish()` settles successfully (paho's `on_publish`). */
export interface PublishEvent {
  /** The packet identifier it was sent with (0 for QoS 0). */
  mid: number;
  /** The PUBACK / PUBCOMP reason code (0 for QoS 0). */
  reasonCode: number;
  /** The acknowledgement's MQTT 5 properties. */
  properties?: Properties;
}

/** What `onSubscribe` / `onUnsubscribe` receive when the call settles successfully. */
export interface SubscribeEvent {
  /** The packet identifier of the SUBSCRIBE / UNSUBSCRIBE. */
  mid: number;
  /** One reason code per filter. */
  reasonCodes: number[];
  /** The acknowledgement's MQTT 5 properties. */
  properties?: Properties;
}
