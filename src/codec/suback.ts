/**
 * SUBACK and UNSUBACK (MQTT 5 §3.9, §3.11; MQTT 3.1.1 §3.9, §3.11): one reason code per
 * topic filter of the request (UNSUBACK has none before MQTT 5).
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { describe, hex } from "../format.ts";
import type { Properties, ProtocolVersion, SubackPacket, UnsubackPacket } from "./types.ts";
import { propertiesSize, writeProperties } from "./_property_encode.ts";
import { readProperties } from "./_property_decode.ts";
import { Reader } from "./_reader.ts";
import { allocatePacket, type Output, packetSize } from "./_writer.ts";
import {
  checkList,
  checkPacketId,
  checkReasonCode,
  checkRemainingLength,
  expectReasonCode,
  readPacketId,
  requiresMqtt5,
} from "./_checks.ts";

// ---- SUBACK -----------------------------------------------------------------------------

function checkV3SubackCode(code: unknown, field: string): void {
  if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) {
    throw new RangeError(
      `${field} must be 0, 1, 2 or 128 (0x80) before MQTT 5, got ${describe(code)}`,
    );
  }
}

function subackRemaining(p: SubackPacket, version: ProtocolVersion, out: Output): number {
  checkPacketId(p.packetId);
  const codes = checkList(p.reasonCodes, "reasonCodes", "SUBACK", "(one per subscription)");
  for (let i = 0; i < codes.length; i++) {
    if (version === 5) checkReasonCode(codes[i], "suback", 5, `reasonCodes[${i}]`);
    else checkV3SubackCode(codes[i], `reasonCodes[${i}]`);
  }
  const remaining = 2 + propertiesSize(p.properties, 9, version, out) + codes.length;
  checkRemainingLength(remaining, "suback");
  return remaining;
}

/** Encoded size of a SUBACK in bytes. */
export function subackLength(p: SubackPacket, version: ProtocolVersion, out: Output): number {
  return packetSize(subackRemaining(p, version, out));
}

/** Encodes a SUBACK. */
export function encodeSuback(
  p: SubackPacket,
  version: ProtocolVersion,
  out: Output,
): Uint8Array {
  const remaining = subackRemaining(p, version, out);
  const buf = allocatePacket(out, 0x90, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, out.propertiesLength);
  for (const code of p.reasonCodes) buf[o++] = code;
  return buf;
}

/** Decodes the body `buf[start, end)` of a SUBACK. */
export function decodeSuback(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): SubackPacket {
  const r = new Reader(buf, start, end, "SUBACK");
  const packetId = readPacketId(r);
  const props = version === 5 ? readProperties(r, 9) : undefined;
  const reasonCodes: number[] = [];
  while (r.remaining > 0) {
    const code = r.u8("reason code");
    if (version === 5) {
      expectReasonCode(code, "suback", "(MQTT 5 §3.9.3)");
    } else if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) {
      throw new ProtocolError(
        `SUBACK return code ${hex(code)} is reserved [MQTT-3.9.3-2]`,
      );
    }
    reasonCodes.push(code);
  }
  if (reasonCodes.length === 0) {
    throw new ProtocolError("A SUBACK has no reason codes; it needs one per topic filter");
  }
  const packet: SubackPacket = { type: "suback", packetId, reasonCodes };
  if (props !== undefined) packet.properties = props;
  return packet;
}

// ---- UNSUBACK ---------------------------------------------------------------------------

function unsubackRemaining(p: UnsubackPacket, version: ProtocolVersion, out: Output): number {
  checkPacketId(p.packetId);
  if (version !== 5) {
    const codes = p.reasonCodes ?? [];
    if (!Array.isArray(codes) || codes.length !== 0) {
      throw requiresMqtt5("reasonCodes of an UNSUBACK", "empty", codes, version);
    }
    return 2 + propertiesSize(p.properties, 11, version, out);
  }
  const codes = checkList(p.reasonCodes, "reasonCodes", "UNSUBACK", "(one per topic filter)");
  for (let i = 0; i < codes.length; i++) {
    checkReasonCode(codes[i], "unsuback", 5, `reasonCodes[${i}]`);
  }
  const remaining = 2 + propertiesSize(p.properties, 11, version, out) + codes.length;
  checkRemainingLength(remaining, "unsuback");
  return remaining;
}

/** Encoded size of an UNSUBACK in bytes. */
export function unsubackLength(p: UnsubackPacket, version: ProtocolVersion, out: Output): number {
  return packetSize(unsubackRemaining(p, version, out));
}

/** Encodes an UNSUBACK. */
export function encodeUnsuback(
  p: UnsubackPacket,
  version: ProtocolVersion,
  out: Output,
): Uint8Array {
  const remaining = unsubackRemaining(p, version, out);
  const buf = allocatePacket(out, 0xb0, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) {
    o = writeProperties(buf, o, p.properties, out.propertiesLength);
    for (const code of p.reasonCodes) buf[o++] = code;
  }
  return buf;
}

/** Decodes the body `buf[start, end)` of an UNSUBACK. */
export function decodeUnsuback(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): UnsubackPacket {
  const r = new Reader(buf, start, end, "UNSUBACK");
  const packetId = readPacketId(r);
  const reasonCodes: number[] = [];
  let props: Properties | undefined;
  if (version === 5) {
    props = readProperties(r, 11);
    while (r.remaining > 0) {
      reasonCodes.push(expectReasonCode(r.u8("reason code"), "unsuback", "[MQTT-3.11.3-1]"));
    }
    if (reasonCodes.length === 0) {
      throw new ProtocolError("An UNSUBACK has no reason codes; it needs one per topic filter");
    }
  }
  r.expectEnd();
  const packet: UnsubackPacket = { type: "unsuback", packetId, reasonCodes };
  if (props !== undefined) packet.properties = props;
  return packet;
}
