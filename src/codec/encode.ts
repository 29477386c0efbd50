/**
 * `encodePacket` and `encodedLength`: packet object → bytes, for MQTT 3.1, 3.1.1 and 5.0, and
 * {@link PACKET_ENCODERS}, the table of every packet's encoder behind them. Each packet is
 * validated and sized in one pass, then written into one buffer of its exact size in a second.
 *
 * @module
 */

import type { Packet, PingreqPacket, PingrespPacket, ProtocolVersion } from "./types.ts";
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
import { type EncodeTable, encodeWith, lengthWith, type PacketEncoding } from "./_encode_table.ts";
import { Output } from "./_writer.ts";

const ack = { length: ackLength, encode: encodeAck };
const ping: PacketEncoding<PingreqPacket | PingrespPacket> = {
  length: () => 2,
  encode: (packet, _version, out) => encodePing(packet, out),
};

/** The encoder of every packet type, both directions (a client needs fewer: `client_codec.ts`). */
export const PACKET_ENCODERS: EncodeTable = {
  connect: { length: connectLength, encode: encodeConnect },
  connack: { length: connackLength, encode: encodeConnack },
  publish: { length: publishLength, encode: encodePublish },
  puback: ack,
  pubrec: ack,
  pubrel: ack,
  pubcomp: ack,
  subscribe: { length: subscribeLength, encode: encodeSubscribe },
  suback: { length: subackLength, encode: encodeSuback },
  unsubscribe: { length: unsubscribeLength, encode: encodeUnsubscribe },
  unsuback: { length: unsubackLength, encode: encodeUnsuback },
  pingreq: ping,
  pingresp: ping,
  disconnect: { length: disconnectLength, encode: encodeDisconnect },
  auth: { length: authLength, encode: encodeAuth },
};

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
  return encodeWith(PACKET_ENCODERS, packet, protocolVersion, new Output());
}

/**
 * The number of bytes {@link encodePacket} would produce, without allocating or writing
 * (it validates the packet the same way). Use it to check a peer's Maximum Packet Size
 * before encoding; `encodePacket(packet, v).length` gives the same number.
 *
 * @throws {TypeError | RangeError} as {@link encodePacket}.
 */
export function encodedLength(packet: Packet, protocolVersion: ProtocolVersion): number {
  return lengthWith(PACKET_ENCODERS, packet, protocolVersion);
}
