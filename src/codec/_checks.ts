/**
 * Checks shared by the packet encoders (bad arguments → TypeError / RangeError naming the
 * field) and decoders (bad bytes → MalformedPacketError / ProtocolError citing the spec).
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { MAX_REMAINING_LENGTH, PACKET_TYPE_NAMES } from "./constants.ts";
import { isValidReasonCode } from "./reason_codes.ts";
import type { PacketType, ProtocolVersion } from "./types.ts";
import { describe } from "./utf8.ts";
import type { Reader } from "./_reader.ts";
import { varintSize, writeVarint } from "./_varint.ts";
import { allocate } from "./_writer.ts";

// ---- encoding ---------------------------------------------------------------------------

/** Throws unless `value` is a packet identifier, 1..65535. */
export function checkPacketId(value: unknown, field = "packetId"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 0xffff) {
    throw new RangeError(`${field} must be an integer in 1..65535, got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is 0, 1 or 2. */
export function checkQos(value: unknown, field: string): number {
  if (value !== 0 && value !== 1 && value !== 2) {
    throw new RangeError(`${field} must be 0, 1 or 2, got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(value: unknown, field: string): void {
  if (typeof value !== "boolean") {
    throw new TypeError(`${field} must be a boolean, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a Uint8Array (at most `max` bytes when given). */
export function checkBytes(value: unknown, field: string, max?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${field} must be a Uint8Array, got ${describe(value)}`);
  }
  if (max !== undefined && value.length > max) {
    throw new RangeError(`${field} must be at most ${max} bytes, got ${value.length} bytes`);
  }
  return value;
}

/** Throws unless `value` is an integer in `min..max`. */
export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${field} must be an integer in ${min}..${max}, got ${describe(value)}`);
  }
  return value;
}

/**
 * Throws unless `code` is a reason code the packet may carry: any code MQTT 5 lists for the
 * packet, and only 0 before MQTT 5 (where the packet has no reason code).
 */
export function checkReasonCode(
  code: unknown,
  packetType: PacketType,
  version: ProtocolVersion,
  field = "reasonCode",
): number {
  if (version !== 5) {
    if (code !== 0) {
      throw new RangeError(
        `${field} of a ${packetType.toUpperCase()} must be 0 before MQTT 5, got ${describe(code)}`,
      );
    }
    return 0;
  }
  if (typeof code !== "number" || !isValidReasonCode(code, packetType)) {
    throw new RangeError(
      `${field} ${describe(code)} is not a valid ${packetType.toUpperCase()} reason code`,
    );
  }
  return code;
}

/** Throws a RangeError if a packet body is too long for the Remaining Length. */
export function checkRemainingLength(remaining: number, packetType: PacketType): void {
  if (remaining > MAX_REMAINING_LENGTH) {
    throw new RangeError(
      `The ${packetType.toUpperCase()} would be ${remaining} bytes after its fixed header, ` +
        `more than the maximum remaining length of 268435455`,
    );
  }
}

/** Total encoded size of a packet whose Remaining Length is `remaining`. */
export function packetSize(remaining: number): number {
  return 1 + varintSize(remaining) + remaining;
}

/** Allocates the packet buffer and writes the fixed header; the body starts at `length - remaining`. */
export function allocatePacket(firstByte: number, remaining: number): Uint8Array {
  const buf = allocate(1 + varintSize(remaining) + remaining);
  buf[0] = firstByte;
  writeVarint(buf, 1, remaining);
  return buf;
}

// ---- decoding ---------------------------------------------------------------------------

/** Reads a non-zero Packet Identifier. */
export function readPacketId(r: Reader): number {
  const id = r.u16("packet identifier");
  if (id === 0) {
    throw new ProtocolError(
      `A ${r.packet} has packet identifier 0; it must be non-zero [MQTT-2.2.1-3]`,
    );
  }
  return id;
}

/** Throws a ProtocolError unless MQTT 5 allows `code` in `packetType`. */
export function expectReasonCode(code: number, packetType: PacketType, spec: string): number {
  if (!isValidReasonCode(code, packetType)) {
    throw new ProtocolError(
      `Reason code 0x${code.toString(16).padStart(2, "0")} is not valid in a ` +
        `${packetType.toUpperCase()} ${spec}`,
    );
  }
  return code;
}

/** Fixed-header flags each packet type requires, index = type number ([MQTT-2.1.3-1]). */
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/**
 * Checks the first byte of a fixed header: a known packet type for `version` and the
 * required flag bits. Returns the type number.
 */
export function checkFirstByte(firstByte: number, version: ProtocolVersion): number {
  const type = firstByte >> 4;
  if (type === 0 || (type === 15 && version !== 5)) {
    throw new MalformedPacketError(
      `Packet type ${type} is reserved${type === 15 ? " before MQTT 5" : ""} (first byte ` +
        `0x${firstByte.toString(16).padStart(2, "0")})`,
    );
  }
  const required = REQUIRED_FLAGS[type]!;
  const flags = firstByte & 0x0f;
  if (required >= 0 && flags !== required) {
    const name = PACKET_TYPE_NAMES[type]!.toUpperCase();
    throw new MalformedPacketError(
      `The fixed header flags of a ${name} must be 0b${required.toString(2).padStart(4, "0")}, ` +
        `got 0b${flags.toString(2).padStart(4, "0")} [MQTT-2.1.3-1]`,
    );
  }
  if (type === 3 && (flags & 0b0110) === 0b0110) {
    throw new MalformedPacketError(`A PUBLISH must not have QoS 3 [MQTT-3.3.1-4]`);
  }
  return type;
}
