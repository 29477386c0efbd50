/**
 * `decodePacket`: one complete frame (fixed header included) → packet object.
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
  return decodeBody(firstByte, frame, start, end, protocolVersion);
}

/**
 * Decodes the body `buf[start, end)` of a packet whose (already checked) first byte is
 * `firstByte`. Shared by {@link decodePacket} and the streaming decoder.
 */
export function decodeBody(
  firstByte: number,
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): Packet {
  switch (firstByte >> 4) {
    case 3:
      return decodePublish(buf, start, end, firstByte & 0x0f, version);
    case 4:
      return decodeAck("puback", buf, start, end, version);
    case 5:
      return decodeAck("pubrec", buf, start, end, version);
    case 6:
      return decodeAck("pubrel", buf, start, end, version);
    case 7:
      return decodeAck("pubcomp", buf, start, end, version);
    case 1:
      return decodeConnect(buf, start, end);
    case 2:
      return decodeConnack(buf, start, end, version);
    case 8:
      return decodeSubscribe(buf, start, end, version);
    case 9:
      return decodeSuback(buf, start, end, version);
    case 10:
      return decodeUnsubscribe(buf, start, end, version);
    case 11:
      return decodeUnsuback(buf, start, end, version);
    case 12:
      return decodePing("pingreq", start, end);
    case 13:
      return decodePing("pingresp", start, end);
    case 14:
      return decodeDisconnect(buf, start, end, version);
    case 15:
      return decodeAuth(buf, start, end);
    default:
      throw new MalformedPacketError(`Packet type 0 is reserved`);
  }
}

/** The error for a Remaining Length over 4 bytes or not minimally encoded. */
export function malformedRemainingLength(): MalformedPacketError {
  return new MalformedPacketError(
    "The remaining length is longer than 4 bytes or not minimally encoded " +
      "(MQTT 5 §2.1.4, [MQTT-1.5.5-1])",
  );
}
