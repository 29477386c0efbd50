/**
 * Checks shared by the packet encoders (bad arguments → TypeError / RangeError: "`field` must
 * be …, got …") and decoders (bad bytes → MalformedPacketError / ProtocolError citing the spec).
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { describe, hex } from "../format.ts";
import { MAX_PACKET_ID, MAX_REMAINING_LENGTH, PACKET_TYPE_NAMES } from "./constants.ts";
import { isValidReasonCode } from "./reason_codes.ts";
import type { PacketType, Properties, ProtocolVersion } from "./types.ts";
import type { Reader } from "./_reader.ts";

export { checkBoolean, checkInteger, checkQoS as checkQos } from "../checks.ts";

// ---- encoding ---------------------------------------------------------------------------

/** Throws a RangeError unless `version` is 3, 4 or 5. */
export function checkProtocolVersion(
  version: unknown,
  field = "protocolVersion",
): asserts version is ProtocolVersion {
  if (version !== 5 && version !== 4 && version !== 3) {
    throw new RangeError(`${field} must be 3, 4 or 5, got ${describe(version)}`);
  }
}

/**
 * Throws unless `value` is a packet identifier, 1..65535: a TypeError for a value that is not
 * a number, a RangeError for any other (the rule of `src/checks.ts`).
 */
export function checkPacketId(value: unknown, field = "packetId"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_PACKET_ID) {
    const message = `${field} must be an integer in 1..${MAX_PACKET_ID}, got ${describe(value)}`;
    throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
  }
  return value;
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
      `${field} must be a ${packetType.toUpperCase()} reason code (MQTT 5 §2.4), got ${
        describe(code)
      }`,
    );
  }
  return code;
}

/**
 * The one wording of a field that exists only in MQTT 5 but is set on an older version:
 * "`field` must be <absent> before MQTT 5, got <value> (protocol version <v>)".
 */
export function requiresMqtt5(
  field: string,
  absent: string,
  value: unknown,
  version: ProtocolVersion,
): RangeError {
  return new RangeError(
    `${field} must be ${absent} before MQTT 5, got ${
      describe(value)
    } (protocol version ${version})`,
  );
}

/**
 * Throws unless Authentication Data comes with an Authentication Method (MQTT 5 §3.1.2.11.10,
 * §3.15.2.2.3).
 */
export function checkAuthenticationMethod(props: Properties | undefined, field: string): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw new RangeError(
      `${field}.authenticationMethod must be set when ${field}.authenticationData is, got ` +
        `undefined (MQTT 5 §3.1.2.11.10)`,
    );
  }
}

/** Throws unless `value` is a non-empty array; `spec` cites the rule against an empty one. */
export function checkList(value: unknown, field: string, packet: string, spec: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${field} must be an array, got ${describe(value)}`);
  }
  if (value.length === 0) {
    const article = packet.startsWith("U") ? "an" : "a";
    throw new RangeError(`${field} of ${article} ${packet} must not be empty ${spec}, got []`);
  }
  return value;
}

/** Throws a RangeError if a packet body is too long for the Remaining Length. */
export function checkRemainingLength(remaining: number, packetType: PacketType): void {
  if (remaining > MAX_REMAINING_LENGTH) {
    throw new RangeError(
      `A ${packetType.toUpperCase()} must be at most ${MAX_REMAINING_LENGTH} bytes after its ` +
        `fixed header (the maximum remaining length), got ${remaining} bytes`,
    );
  }
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
      `Reason code ${hex(code)} is not valid in a ${packetType.toUpperCase()} ${spec}`,
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
        `${hex(firstByte)})`,
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
