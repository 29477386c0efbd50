/**
 * The errors a connection ends with: a transport that closed, a server DISCONNECT, a missing
 * PINGRESP, bytes that could not be decoded, a packet other than CONNACK first, and the
 * DISCONNECT (MQTT 5) that reports a protocol fault of ours.
 *
 * @module
 */

import { isValidReasonCode, specName } from "../codec/reason_codes.ts";
import type { DisconnectPacket, ProtocolVersion } from "../codec/types.ts";
import {
  ConnectionClosedError,
  MalformedPacketError,
  MqttError,
  ProtocolError,
} from "../errors.ts";
import { hex } from "../format.ts";
import type { TransportPhase } from "./status.ts";

/**
 * The error for a transport that closed (`error`: why, from the adapter) while the connection
 * was being opened, waiting for CONNACK, or up. An adapter's own {@link MqttError} (a
 * `TlsError`) is reported as itself before CONNACK, so every runtime shows the same class.
 */
export function transportClosedError(
  phase: Exclude<TransportPhase, "none">,
  error: Error | undefined,
): MqttError {
  if (phase !== "up" && error instanceof MqttError) return error;
  const what = phase === "up"
    ? "Connection lost"
    : phase === "opening"
    ? "Could not open the connection"
    : "Connection closed before CONNACK";
  const why = error === undefined ? "" : `: ${error.message}`;
  return new ConnectionClosedError(`${what}${why}`, { cause: error });
}

/**
 * The error for a DISCONNECT the server sent; before MQTT 5 only a client sends one, so there
 * it is a protocol error.
 */
export function serverDisconnectError(
  packet: DisconnectPacket,
  version: ProtocolVersion,
): MqttError {
  if (version < 5) {
    return new ProtocolError(
      "The server sent DISCONNECT, which only a client sends before MQTT 5 (MQTT 3.1.1 §3.14)",
    );
  }
  const code = packet.reasonCode;
  const reason = packet.properties?.reasonString;
  return new ConnectionClosedError(
    `The server disconnected: ${specName(code, "disconnect")} (${hex(code)})${
      reason === undefined ? "" : `: ${reason}`
    }`,
    { reasonCode: code },
  );
}

/** The DISCONNECT (MQTT 5) that reports our protocol `error` to the server. */
export function faultDisconnect(error: MqttError): DisconnectPacket {
  const code = isValidReasonCode(error.reasonCode, "disconnect") ? error.reasonCode : 0x82;
  return { type: "disconnect", reasonCode: code };
}

/** The error for a PINGREQ after which nothing was heard within `waitMs` (keepalive `ms`). */
export function keepaliveTimeout(waitMs: number, ms: number): ConnectionClosedError {
  return new ConnectionClosedError(
    `No PINGRESP (nor any packet) within ${waitMs / 1000} s of PINGREQ (keepalive ${ms / 1000} s)`,
    { reasonCode: 0x8d },
  );
}

/** The error for bytes the decoder refused (`error`: what it threw). */
export function undecodableError(error: unknown): MqttError {
  if (error instanceof MqttError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new MalformedPacketError(`Undecodable bytes: ${text}`, { cause: error });
}

/** The error for a packet of `type` that came before the CONNACK [MQTT-3.2.0-1]. */
export function expectedConnackError(type: string): ProtocolError {
  const hint = type === "auth" ? " (enhanced authentication is not supported)" : "";
  return new ProtocolError(
    `Expected CONNACK, received ${type.toUpperCase()}${hint} [MQTT-3.2.0-1]`,
  );
}
