/**
 * What the lite codec's encoder (`encode.ts`) and decoder (`decode.ts`) share: the protocol's
 * limits, the packet type names, the one table of MQTT 5 properties that drives both
 * directions, which reason codes a packet may carry, and the checks' error messages.
 *
 * @module
 */

import { PACKET_TYPE_NAMES } from "../codec/constants.ts";
import { isValidReasonCode } from "../codec/reason_codes.ts";

/** Largest Remaining Length, and largest Variable Byte Integer. */
export const MAX_REMAINING = 268_435_455;
/** Largest string or binary field. */
export const MAX_STRING = 65_535;
/** Packet type tags by type number (the full codec's table). */
export const NAMES = PACKET_TYPE_NAMES;

/**
 * MQTT 5 properties: `[id, name, wire type, contexts, min, max]`. Wire types: 0 boolean,
 * 1 byte, 2 two-byte, 3 four-byte, 4 variable byte integer, 5 string, 6 binary, 7 string pair.
 * Contexts: bit `1 << packet type number`, bit 0 the will. `min` defaults to 0, `max` to the
 * wire type's largest value.
 */
export type Row = readonly [number, string, number, number, number?, number?];
export const WIRE_MAX = [1, 255, 0xffff, 0xffffffff, MAX_REMAINING];
const MESSAGE = 9; // will, PUBLISH
const TABLE: readonly Row[] = [
  [0x01, "payloadFormatIndicator", 0, MESSAGE],
  [0x02, "messageExpiryInterval", 3, MESSAGE],
  [0x03, "contentType", 5, MESSAGE],
  [0x08, "responseTopic", 5, MESSAGE],
  [0x09, "correlationData", 6, MESSAGE],
  [0x0b, "subscriptionIdentifier", 4, 0x108, 1],
  [0x11, "sessionExpiryInterval", 3, 0x4006],
  [0x12, "assignedClientIdentifier", 5, 4],
  [0x13, "serverKeepAlive", 2, 4],
  [0x15, "authenticationMethod", 5, 0x8006],
  [0x16, "authenticationData", 6, 0x8006],
  [0x17, "requestProblemInformation", 0, 2],
  [0x18, "willDelayInterval", 3, 1],
  [0x19, "requestResponseInformation", 0, 2],
  [0x1a, "responseInformation", 5, 4],
  [0x1c, "serverReference", 5, 0x4004],
  [0x1f, "reasonString", 5, 0xcaf4],
  [0x21, "receiveMaximum", 2, 6, 1],
  [0x22, "topicAliasMaximum", 2, 6],
  [0x23, "topicAlias", 2, 8, 1],
  [0x24, "maximumQoS", 1, 4, 0, 1],
  [0x25, "retainAvailable", 0, 4],
  [0x26, "userProperties", 7, 0xcfff],
  [0x27, "maximumPacketSize", 3, 6, 1],
  [0x28, "wildcardSubscriptionAvailable", 0, 4],
  [0x29, "subscriptionIdentifierAvailable", 0, 4],
  [0x2a, "sharedSubscriptionAvailable", 0, 4],
];
export const BY_ID: (Row | undefined)[] = [];
export const BY_NAME = new Map<string, Row>();
for (const row of TABLE) {
  BY_ID[row[0]] = row;
  BY_NAME.set(row[1], row);
}

/** Whether MQTT 5 allows reason code `code` in a packet of type number `type`. */
export function allowed(code: number, type: number): boolean {
  return isValidReasonCode(code, NAMES[type]!);
}

/** A value for a message: strings quoted, the rest as `String` gives them. */
function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** `field must be <want>, got <value>`: a RangeError if `range`, else a TypeError. */
export function fail(field: string, want: string, value: unknown, range: boolean): never {
  const message = `${field} must be ${want}, got ${show(value)}`;
  throw range ? new RangeError(message) : new TypeError(message);
}

export function integer(
  value: unknown,
  field: string,
  min: number,
  max: number,
  range: boolean,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `an integer in ${min}..${max}`, value, range);
  }
  return value;
}
