/**
 * `encodePacket` and `encodedLength`: packet object → bytes, for MQTT 3.1, 3.1.1 and 5.0.
 * Each packet is validated and sized in one pass, then written into one buffer of its exact
 * size in a second.
 *
 * @module
 */

import type { Packet, ProtocolVersion } from "./types.ts";
import { connectLength, encodeConnect } from "./connect.ts";
import { connackLength, encodeConnack } from "./connack.ts";
import { encodePublish, publishLength } from "./publish.ts";
import { ackLength, encodeAck } from "./ack.ts";
import {
  encodeSubscribe,
  encodeUnsubscribe,
  subscribeLength,
  unsubscribeLength,
} from "./subscribe.ts";
import { encodeSuback, encodeUnsuback, subackLength, unsubackLength } from "./suback.ts";
import {
  authLength,
  disconnectLength,
  encodeAuth,
  encodeDisconnect,
  encodePing,
} from "./control.ts";
import { describe } from "../format.ts";
import { checkProtocolVersion } from "./_checks.ts";
import { Output } from "./_writer.ts";

/**
 * Encodes one packet for `protocolVersion` into a new buffer of exactly its size, which it
 * owns: `byteOffset` is 0 and `buffer.byteLength` is the packet's length, so the caller may
 * keep, transfer or reuse it. (A connection's hot path uses a {@link PacketEncoder} instead.)
 *
 * @throws {TypeError | RangeError} the packet object would not be a valid packet; the
 *   message names the field (for CONNECT, `packet.protocolVersion` must equal
 *   `protocolVersion`).
 */
export function encodePacket(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
  return encodeWith(packet, protocolVersion, new Output());
}

/**
 * The number of bytes {@link encodePacket} would produce, without allocating or writing
 * (it validates the packet the same way). Use it to check a peer's Maximum Packet Size
 * before encoding; `encodePacket(packet, v).length` gives the same number.
 *
 * @throws {TypeError | RangeError} as {@link encodePacket}.
 */
export function encodedLength(packet: Packet, protocolVersion: ProtocolVersion): number {
  const out = new Output();
  checkProtocolVersion(protocolVersion);
  switch (packet?.type) {
    case "publish":
      return publishLength(packet, protocolVersion, out);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return ackLength(packet, protocolVersion, out);
    case "connect":
      return connectLength(packet, protocolVersion, out);
    case "connack":
      return connackLength(packet, protocolVersion, out);
    case "subscribe":
      return subscribeLength(packet, protocolVersion, out);
    case "suback":
      return subackLength(packet, protocolVersion, out);
    case "unsubscribe":
      return unsubscribeLength(packet, protocolVersion, out);
    case "unsuback":
      return unsubackLength(packet, protocolVersion, out);
    case "pingreq":
    case "pingresp":
      return 2;
    case "disconnect":
      return disconnectLength(packet, protocolVersion, out);
    case "auth":
      return authLength(packet, protocolVersion, out);
    default:
      throw unknownType(packet);
  }
}

/** Validates and encodes `packet` into a buffer from `out` (shared by both encoders). */
export function encodeWith(
  packet: Packet,
  protocolVersion: ProtocolVersion,
  out: Output,
): Uint8Array {
  checkProtocolVersion(protocolVersion);
  switch (packet?.type) {
    case "publish":
      return encodePublish(packet, protocolVersion, out);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return encodeAck(packet, protocolVersion, out);
    case "connect":
      return encodeConnect(packet, protocolVersion, out);
    case "connack":
      return encodeConnack(packet, protocolVersion, out);
    case "subscribe":
      return encodeSubscribe(packet, protocolVersion, out);
    case "suback":
      return encodeSuback(packet, protocolVersion, out);
    case "unsubscribe":
      return encodeUnsubscribe(packet, protocolVersion, out);
    case "unsuback":
      return encodeUnsuback(packet, protocolVersion, out);
    case "pingreq":
    case "pingresp":
      return encodePing(packet, out);
    case "disconnect":
      return encodeDisconnect(packet, protocolVersion, out);
    case "auth":
      return encodeAuth(packet, protocolVersion, out);
    default:
      throw unknownType(packet);
  }
}

function unknownType(packet: unknown): TypeError {
  const type = typeof packet === "object" && packet !== null
    ? describe((packet as { type?: unknown }).type)
    : describe(packet);
  return new TypeError(`packet.type must be an MQTT packet type, got ${type}`);
}
