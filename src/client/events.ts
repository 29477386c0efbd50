/**
 * What the callbacks of `MqttClient` receive: one object per call.
 *
 * @module
 */

import type { ConnackPacket, DisconnectPacket, Properties } from "../codec/types.ts";
import type { MqttError } from "../errors.ts";
import type { LogLevel, SessionAction } from "../session/types.ts";
import type { Message } from "./message.ts";

/** What `onConnect` receives: the CONNACK of a successful (re)connection. */
export interface ConnectEvent {
  /** The broker's CONNACK. */
  connack: ConnackPacket;
  /** Whether the broker resumed a stored session. */
  sessionPresent: boolean;
  /** The CONNACK's MQTT 5 properties (limits, assigned client id, …). */
  properties?: Properties;
  /** `true` for every connection after the first. */
  reconnect: boolean;
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
    sessionPresent: action.sessionPresent,
    reconnect: action.reconnect,
  };
  if (action.connack.properties !== undefined) event.properties = action.connack.properties;
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
