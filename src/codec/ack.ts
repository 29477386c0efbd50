/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (MQTT 5 §3.4–3.7): a packet identifier, and in MQTT 5
 * an optional reason code and properties. PUBREL carries the fixed-header flags 0b0010.
 *
 * @module
 */

import type { Properties, ProtocolVersion, PubAckPacket } from "./types.ts";
import {
  hasProperties,
  propertiesLength,
  readProperties,
  writeProperties,
} from "./_property_codec.ts";
import { Reader } from "./_reader.ts";
import { varintSize } from "./_varint.ts";
import {
  allocatePacket,
  checkPacketId,
  checkReasonCode,
  expectReasonCode,
  packetSize,
  readPacketId,
} from "./_checks.ts";
import { describe } from "./utf8.ts";

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

let lastPropertiesLength = 0;

function ackRemaining(p: PubAckPacket, version: ProtocolVersion): number {
  if (FIRST_BYTE[p.type] === undefined) {
    throw new TypeError(
      `type must be "puback", "pubrec", "pubrel" or "pubcomp", got ${describe(p.type)}`,
    );
  }
  checkPacketId(p.packetId);
  const code = checkReasonCode(p.reasonCode ?? 0, p.type, version);
  if (version !== 5) {
    if (hasProperties(p.properties)) {
      throw new RangeError(`properties require MQTT 5, got protocol version ${version}`);
    }
    return 2;
  }
  const props = propertiesLength(p.properties, TYPE_NUMBER[p.type], "properties");
  lastPropertiesLength = props;
  // Reason code and property length may be left out when they are 0 (MQTT 5 §3.4.2.1).
  if (props === 0) return code === 0 ? 2 : 3;
  return 3 + varintSize(props) + props;
}

/** Encoded size of a PUBACK / PUBREC / PUBREL / PUBCOMP in bytes. */
export function ackLength(p: PubAckPacket, version: ProtocolVersion): number {
  return packetSize(ackRemaining(p, version));
}

/** Encodes a PUBACK, PUBREC, PUBREL or PUBCOMP (by `p.type`). */
export function encodeAck(p: PubAckPacket, version: ProtocolVersion): Uint8Array {
  const remaining = ackRemaining(p, version);
  const buf = allocatePacket(FIRST_BYTE[p.type], remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (remaining > 2) {
    buf[o++] = p.reasonCode;
    if (remaining > 3) writeProperties(buf, o, p.properties, lastPropertiesLength);
  }
  return buf;
}

/** Decodes the body `buf[start, end)` of a PUBACK / PUBREC / PUBREL / PUBCOMP. */
export function decodeAck(
  type: AckType,
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): PubAckPacket {
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
