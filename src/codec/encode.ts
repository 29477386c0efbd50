/**
 * `encodePacket` and `encodedLength`: packet object → bytes, for MQTT 3.1, 3.1.1 and 5.0.
 *
 * @module
 */

import type { Packet, ProtocolVersion } from "./types.ts";
import { connackLength, connectLength, encodeConnack, encodeConnect } from "./connect.ts";
import { encodePublish, publishLength } from "./publish.ts";
import { ackLength, encodeAck } from "./ack.ts";
import {
  encodeSuback,
  encodeSubscribe,
  encodeUnsuback,
  encodeUnsubscribe,
  subackLength,
  subscribeLength,
  unsubackLength,
  unsubscribeLength,
} from "./subscribe.ts";
import {
  authLength,
  disconnectLength,
  encodeAuth,
  encodeDisconnect,
  encodePing,
} from "./control.ts";
import { describe } from "./utf8.ts";

/**
 * Encodes one packet for `protocolVersion` into a new buffer of exactly its size (small
 * packets are views into a shared slab: see `byteOffset`). Sizes are computed first, then
 * the buffer is allocated once and written.
 *
 * @throws {TypeError | RangeError} the packet object would not be a valid packet; the
 *   message names the field (for CONNECT, `packet.protocolVersion` must equal
 *   `protocolVersion`).
 */
export function encodePacket(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
  checkVersion(protocolVersion);
  switch (packet?.type) {
    case "publish":
      return encodePublish(packet, protocolVersion);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return encodeAck(packet, protocolVersion);
    case "connect":
      return encodeConnect(packet, protocolVersion);
    case "connack":
      return encodeConnack(packet, protocolVersion);
    case "subscribe":
      return encodeSubscribe(packet, protocolVersion);
    case "suback":
      return encodeSuback(packet, protocolVersion);
    case "unsubscribe":
      return encodeUnsubscribe(packet, protocolVersion);
    case "unsuback":
      return encodeUnsuback(packet, protocolVersion);
    case "pingreq":
    case "pingresp":
      return encodePing(packet);
    case "disconnect":
      return encodeDisconnect(packet, protocolVersion);
    case "auth":
      return encodeAuth(packet, protocolVersion);
    default:
      throw unknownType(packet);
  }
}

/**
 * The number of bytes {@link encodePacket} would produce, without allocating or writing
 * (it validates the packet the same way). Use it to check a peer's Maximum Packet Size
 * before encoding; `encodePacket(packet, v).length` gives the same number.
 */
export function encodedLength(packet: Packet, protocolVersion: ProtocolVersion): number {
  checkVersion(protocolVersion);
  switch (packet?.type) {
    case "publish":
      return publishLength(packet, protocolVersion);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return ackLength(packet, protocolVersion);
    case "connect":
      return connectLength(packet, protocolVersion);
    case "connack":
      return connackLength(packet, protocolVersion);
    case "subscribe":
      return subscribeLength(packet, protocolVersion);
    case "suback":
      return subackLength(packet, protocolVersion);
    case "unsubscribe":
      return unsubscribeLength(packet, protocolVersion);
    case "unsuback":
      return unsubackLength(packet, protocolVersion);
    case "pingreq":
    case "pingresp":
      return 2;
    case "disconnect":
      return disconnectLength(packet, protocolVersion);
    case "auth":
      return authLength(packet, protocolVersion);
    default:
      throw unknownType(packet);
  }
}

function checkVersion(version: unknown): void {
  if (version !== 5 && version !== 4 && version !== 3) {
    throw new RangeError(`protocolVersion must be 3, 4 or 5, got ${describe(version)}`);
  }
}

function unknownType(packet: unknown): TypeError {
  const type = typeof packet === "object" && packet !== null
    ? describe((packet as { type?: unknown }).type)
    : describe(packet);
  return new TypeError(`packet.type must be an MQTT packet type, got ${type}`);
}
