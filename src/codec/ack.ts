/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (MQTT 5 §3.4–3.7): a packet identifier, and in MQTT 5
 * an optional reason code and properties. PUBREL carries the fixed-header flags 0b0010.
 *
 * @module
 */

import type { Properties, ProtocolVersion, PubAckPacket } from "./types.ts";
import { propertiesSize, writeProperties } from "./_property_encode.ts";
import { readProperties } from "./_property_decode.ts";
import { Reader } from "./_reader.ts";
import { allocatePacket, type Output, packetSize } from "./_writer.ts";
import { checkPacketId, checkReasonCode, expectReasonCode, readPacketId } from "./_checks.ts";

type AckType = PubAckPacket["type"];

const FIRST_BYTE: Readonly<Record<AckType, number>> = {
  puback: 0x40,
  pubrec: 0x50,
  pubrel: 0x62,
  pubcomp: 0x70,
};
const TYPE_NUMBER: Readonly<Record<AckType, number>> = {
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
};
const SPEC: Readonly<Record<AckType, string>> = {
  puback: "[MQTT-3.4.2-1]",
  pubrec: "[MQTT-3.5.2-1]",
  pubrel: "[MQTT-3.6.2-1]",
  pubcomp: "[MQTT-3.7.2-1]",
};

/** Validates an ack (its `type` is one of the four, by dispatch) and returns its Remaining Length. */
function ackRemaining(p: PubAckPacket, version: ProtocolVersion, out: Output): number {
  checkPacketId(p.packetId);
  const code = checkReasonCode(p.reasonCode ?? 0, p.type, version);
  const props = propertiesSize(p.properties, TYPE_NUMBER[p.type], version, out);
  // Reason code and property length may be left out when they are 0 (MQTT 5 §3.4.2.1).
  if (props <= 1) return version === 5 && code !== 0 ? 3 : 2;
  return 3 + props;
}

/** Encoded size of a PUBACK / PUBREC / PUBREL / PUBCOMP in bytes. */
export function ackLength(p: PubAckPacket, version: ProtocolVersion, out: Output): number {
  return packetSize(ackRemaining(p, version, out));
}

/** Encodes a PUBACK, PUBREC, PUBREL or PUBCOMP (by `p.type`) into a buffer from `out`. */
export function encodeAck(p: PubAckPacket, version: ProtocolVersion, out: Output): Uint8Array {
  const remaining = ackRemaining(p, version, out);
  const buf = allocatePacket(out, FIRST_BYTE[p.type], remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (remaining > 2) {
    buf[o++] = p.reasonCode;
    if (remaining > 3) writeProperties(buf, o, p.properties, out.propertiesLength);
  }
  return buf;
}

/** Bytes of an acknowledgement's short form: a packet identifier only (success, no properties). */
export const SHORT_ACK_LENGTH = 4;

/**
 * Writes the short form of a PUBACK, PUBREC, PUBREL or PUBCOMP — what {@link encodeAck} makes of
 * one with reason code 0 and no properties — into `buf` at `at`, for a writer gathering many
 * (the session's acknowledgements). `packetId` must be 1–65535 (unchecked).
 */
export function writeShortAck(buf: Uint8Array, at: number, type: AckType, packetId: number): void {
  buf[at] = FIRST_BYTE[type];
  buf[at + 1] = 2;
  buf[at + 2] = packetId >>> 8;
  buf[at + 3] = packetId & 0xff;
}

/** Decodes the body `buf[start, end)` of a PUBACK / PUBREC / PUBREL / PUBCOMP. */
export function decodeAck(
  type: AckType,
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): PubAckPacket {
  if (end - start === 2) {
    // The short form (every acknowledgement of MQTT 3.1.1, most of MQTT 5): no reader and no
    // packet name to make per acknowledgement. Identifier 0 takes the path below, which throws.
    const packetId = (buf[start]! << 8) | buf[start + 1]!;
    if (packetId !== 0) return { type, packetId, reasonCode: 0 };
  }
  const r = new Reader(buf, start, end, type.toUpperCase());
  const packetId = readPacketId(r);
  let reasonCode = 0;
  let props: Properties | undefined;
  if (version === 5 && r.remaining > 0) {
    reasonCode = expectReasonCode(r.u8("reason code"), type, SPEC[type]);
    if (r.remaining > 0) props = readProperties(r, TYPE_NUMBER[type]);
  }
  r.expectEnd();
  const packet: PubAckPacket = { type, packetId, reasonCode };
  if (props !== undefined) packet.properties = props;
  return packet;
}
