/**
 * The connection flow's packets: the CONNECT the session opens with, what a CONNACK means
 * (refused, accepted, or a protocol error), and the errors for a connection that ends — a server
 * DISCONNECT, a missing PINGRESP, a protocol fault of ours to report in a DISCONNECT.
 *
 * A refusing CONNACK becomes a {@link ConnectionRefusedError}. MQTT 5 reason codes are used as
 * they are; MQTT 3.1/3.1.1 return codes 1..5 map to their MQTT 5 equivalents (0x84, 0x85, 0x88,
 * 0x86, 0x87) and keep their 3.1.1 names ("Connection refused: not authorised").
 *
 * @module
 */

import { PacketDecoder } from "../codec/mod.ts";
import { isValidReasonCode, reasonCodeName } from "../codec/reason_codes.ts";
import type {
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  ProtocolVersion,
} from "../codec/types.ts";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  type MqttError,
  ProtocolError,
} from "../errors.ts";
import type { SessionOptions } from "./types.ts";
import { hex } from "./_hex.ts";

/** The CONNECT for `options`, with the client id in use and the clean flag of this attempt. */
export function connectPacket(
  options: SessionOptions,
  clientId: string,
  clean: boolean,
): ConnectPacket {
  const v = options.protocolVersion;
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion: v,
    clientId,
    clean,
    keepalive: options.keepalive,
  };
  if (options.username !== undefined) packet.username = options.username;
  if (options.password !== undefined) packet.password = options.password;
  if (options.will !== undefined) packet.will = options.will;
  if (options.properties !== undefined && v === 5) packet.properties = options.properties;
  return packet;
}

/** The streaming decoder of one connection, bounded by our Maximum Packet Size (MQTT 5). */
export function connectionDecoder(options: SessionOptions): PacketDecoder {
  const v = options.protocolVersion;
  const maximumPacketSize = v === 5 ? options.properties?.maximumPacketSize : undefined;
  return new PacketDecoder(
    maximumPacketSize === undefined
      ? { protocolVersion: v }
      : { protocolVersion: v, maximumPacketSize },
  );
}

const V3_REFUSALS: readonly (readonly [number, string])[] = [
  [0x00, "Connection accepted"],
  [0x84, "Connection refused: unacceptable protocol version"],
  [0x85, "Connection refused: identifier rejected"],
  [0x88, "Connection refused: server unavailable"],
  [0x86, "Connection refused: bad user name or password"],
  [0x87, "Connection refused: not authorised"],
];

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

/** The error for a refusing `connack`, or undefined when it accepts the connection. */
export function connackRefusal(
  connack: ConnackPacket,
  protocolVersion: ProtocolVersion,
): ConnectionRefusedError | undefined {
  const code = connack.reasonCode;
  if (protocolVersion === 5) {
    if (code < 0x80) return undefined;
    const name = reasonCodeName(code, "connack");
    const reason = connack.properties?.reasonString;
    const detail = reason === undefined ? "" : `: ${reason}`;
    return new ConnectionRefusedError(
      `Connection refused by the server: ${name} (${hex(code)})${detail}`,
      { reasonCode: code, reasonName: name },
    );
  }
  if (code === 0) return undefined;
  const [reasonCode, reasonName] = V3_REFUSALS[code] ??
    [0x80, `Connection refused: unknown return code ${code}`];
  return new ConnectionRefusedError(`${reasonName} (return code ${code})`, {
    reasonCode,
    reasonName,
  });
}

/** The error for a DISCONNECT the server sent. */
export function serverDisconnectError(packet: DisconnectPacket): ConnectionClosedError {
  const code = packet.reasonCode;
  const reason = packet.properties?.reasonString;
  return new ConnectionClosedError(
    `The server disconnected: ${reasonCodeName(code, "disconnect")} (${hex(code)})${
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

/** The error for a PINGREQ that got no PINGRESP within `seconds`. */
export function keepaliveTimeout(seconds: number): ConnectionClosedError {
  return new ConnectionClosedError(`No PINGRESP within ${seconds} s of PINGREQ (keepalive)`, {
    reasonCode: 0x8d,
  });
}
