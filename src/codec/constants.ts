/**
 * Wire-level constants shared by the codec: packet type numbers, protocol names and levels,
 * and size limits.
 *
 * @module
 */

import type { PacketType, ProtocolVersion } from "./types.ts";

/** MQTT control packet type numbers (the high nibble of the first byte). */
export const PacketTypeNumber = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const satisfies Record<PacketType, number>;

/** The packet type tag for each type number; index 0 is reserved and holds `undefined`. */
export const PACKET_TYPE_NAMES: readonly (PacketType | undefined)[] = [
  undefined,
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
];

/** Protocol name written in CONNECT for each protocol level. */
export const PROTOCOL_NAMES: Readonly<Record<ProtocolVersion, string>> = {
  3: "MQIsdp",
  4: "MQTT",
  5: "MQTT",
};

/** Largest value of a Variable Byte Integer, and so of the Remaining Length (MQTT 5 §1.5.5). */
export const MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

/** Largest Remaining Length of any packet. */
export const MAX_REMAINING_LENGTH: number = MAX_VARIABLE_BYTE_INTEGER;

/** Largest whole packet: 1 type byte + 4 length bytes + the maximum remaining length. */
export const MAX_PACKET_SIZE: number = 1 + 4 + MAX_REMAINING_LENGTH;

/** Largest UTF-8 string or binary field: a two-byte length prefix bounds it (MQTT 5 §1.5.4). */
export const MAX_STRING_BYTES = 65_535;

/** Largest packet identifier; identifiers are 1..65,535. */
export const MAX_PACKET_ID = 65_535;

/** Largest Four Byte Integer (intervals and Maximum Packet Size in MQTT 5 properties). */
export const MAX_UINT32 = 4_294_967_295;

/** Required fixed-header flag nibble of PUBREL, SUBSCRIBE and UNSUBSCRIBE ([MQTT-2.1.3-1]). */
export const FLAGS_0010 = 0b0010;
