/**
 * What the lite client's callbacks get — the `onConnect` and `onDisconnect` events, the error a
 * server's DISCONNECT ends the connection with — and `call()`, which calls an application callback
 * without letting it throw into the client.
 *
 * @module
 */

import type { ConnackPacket, DisconnectPacket, Packet } from "../codec/types.ts";
import type { ConnectEvent, DisconnectEvent } from "../client/events.ts";
import { MqttError } from "../errors.ts";
import { specName } from "../codec/reason_codes.ts";
import { hex } from "../format.ts";

/** Calls an application callback; false when it threw (surfacing later as an uncaught error). */
export function call<T>(callback: ((event: T) => void) | undefined, event: T): boolean {
  try {
    callback?.(event);
    return true;
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
    return false;
  }
}

/** The {@link ConnectEvent} of an accepted CONNACK; `reconnect`: whether one was accepted before. */
export function connectEvent(connack: ConnackPacket, reconnect: boolean): ConnectEvent {
  const event: ConnectEvent = {
    connack,
    reasonCode: connack.reasonCode,
    sessionPresent: connack.sessionPresent,
    reconnect,
  };
  if (connack.properties !== undefined) event.properties = connack.properties;
  return event;
}

/**
 * The {@link DisconnectEvent} of a connection that ended: with `error` when it failed, with the
 * server's DISCONNECT `packet` when it sent one.
 */
export function disconnectEvent(
  reasonCode: number,
  willReconnect: boolean,
  error: MqttError | undefined,
  packet: Packet | undefined,
): DisconnectEvent {
  const event: DisconnectEvent = {
    reasonCode,
    willReconnect,
  };
  if (error !== undefined) event.error = error;
  if (packet?.type === "disconnect") event.packet = packet;
  return event;
}

/** The error a server's DISCONNECT ends the connection with: its reason code, named, and reason. */
export function serverDisconnected(packet: DisconnectPacket): MqttError {
  const code = packet.reasonCode;
  const reason = packet.properties?.reasonString;
  return new MqttError(
    `The server disconnected: ${specName(code, "disconnect")} (${hex(code)})` +
      (reason === undefined ? "" : `: ${reason}`),
    { reasonCode: code },
  );
}
