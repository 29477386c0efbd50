/**
 * `decodePacket`: one complete frame (fixed header included) → packet object, and
 * {@link PACKET_DECODERS}, the table of every packet's body decoder behind it and `PacketDecoder`.
 *
 * @module
 */

import { MalformedPacketError } from "../errors.ts";
import type { Packet, ProtocolVersion } from "./types.ts";
import { decodeConnect } from "./connect.ts";
import { decodeConnack } from "./connack.ts";
import { decodePublish } from "./publish.ts";
import { decodeAck } from "./ack.ts";
import { decodeSubscribe, decodeUnsubscribe } from "./subscribe.ts";
import { decodeSuback, decodeUnsuback } from "./suback.ts";
import { decodeAuth, decodeDisconnect, decodePing } from "./control.ts";
import { checkFirstByte, checkProtocolVersion } from "./_checks.ts";
import { readVarint, VARINT_INCOMPLETE, VARINT_MALFORMED, varintSize } from "./_varint.ts";
import { describe } from "../format.ts";
import { decodeBodyWith, type DecodeTable, malformedRemainingLength } from "./_decode_table.ts";

/** Every packet type's body decoder, by type number (a client needs fewer: `client_codec.ts`). */
export const PACKET_DECODERS: DecodeTable<Packet> = [
  undefined,
  (buf, start, end) => decodeConnect(buf, start, end),
  (buf, start, end, _flags, version) => decodeConnack(buf, start, end, version),
  decodePublish,
  (buf, start, end, _flags, version) => decodeAck("puback", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeAck("pubrec", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeAck("pubrel", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeAck("pubcomp", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeSubscribe(buf, start, end, version),
  (buf, start, end, _flags, version) => decodeSuback(buf, start, end, version),
  (buf, start, end, _flags, version) => decodeUnsubscribe(buf, start, end, version),
  (buf, start, end, _flags, version) => decodeUnsuback(buf, start, end, version),
  (_buf, start, end) => decodePing("pingreq", start, end),
  (_buf, start, end) => decodePing("pingresp", start, end),
  (buf, start, end, _flags, version) => decodeDisconnect(buf, start, end, version),
  (buf, start, end) => decodeAuth(buf, start, end),
];

/**
 * Decodes exactly one complete packet. A CONNECT is read with the protocol level it states;
 * every other packet with `protocolVersion`. Binary fields and the PUBLISH payload are views
 * into `frame`.
 *
 * @throws {MalformedPacketError} bytes that are not a valid packet, including a truncated
 *   frame or bytes after its end (reason code 0x81).
 * @throws {ProtocolError} a well-formed packet that breaks a protocol rule (0x82, or 0x84
 *   for a CONNECT with an unsupported protocol level).
 */
export function decodePacket(frame: Uint8Array, protocolVersion: ProtocolVersion): Packet {
  if (!(frame instanceof Uint8Array)) {
    throw new TypeError(`frame must be a Uint8Array, got ${describe(frame)}`);
  }
  checkProtocolVersion(protocolVersion);
  if (frame.length === 0) throw new MalformedPacketError("An empty frame is not a packet");
  const firstByte = frame[0]!;
  checkFirstByte(firstByte, protocolVersion);
  const remaining = readVarint(frame, 1, frame.length);
  if (remaining === VARINT_INCOMPLETE) {
    throw new MalformedPacketError("The frame ends inside the fixed header's remaining length");
  }
  if (remaining === VARINT_MALFORMED) throw malformedRemainingLength();
  const start = 1 + varintSize(remaining);
  const end = start + remaining;
  if (end > frame.length) {
    throw new MalformedPacketError(
      `The frame is truncated: remaining length ${remaining} but only ${frame.length - start} ` +
        `byte(s) follow the fixed header`,
    );
  }
  if (end < frame.length) {
    throw new MalformedPacketError(
      `The frame has ${frame.length - end} trailing byte(s) after a complete packet`,
    );
  }
  return decodeBodyWith(PACKET_DECODERS, firstByte, frame, start, end, protocolVersion);
}
