/**
 * MQTT 5 properties (MQTT 5 §2.2.2): one table, {@link PROPERTY_TABLE}, says for every property
 * its identifier, its camelCase name in `Properties`, its wire type, the packets (and the will)
 * that may carry it, where it may repeat and which values it may take. The property encoder and
 * decoder (`_property_encode.ts`, `_property_decode.ts`, through `_property_lookup.ts`) are driven
 * by this table alone.
 *
 * @module
 */

import type { PacketType, Properties } from "./types.ts";

/**
 * Wire type of a property value. `boolean` is a Byte restricted to 0/1 and read as a
 * boolean; `stringPair` is a UTF-8 String Pair (one per User Property entry).
 */
export type PropertyType =
  | "boolean"
  | "byte"
  | "uint16"
  | "uint32"
  | "varint"
  | "string"
  | "binary"
  | "stringPair";

/** Where a property may appear: a packet type, or the will properties of CONNECT. */
export type PropertyContext = Exclude<PacketType, "pingreq" | "pingresp"> | "will";

/** One row of {@link PROPERTY_TABLE}. */
export interface PropertyDefinition {
  /** Property identifier (one byte on the wire in MQTT 5.0). */
  readonly id: number;
  /** Key in {@link Properties}. */
  readonly name: keyof Properties;
  /** Wire type. */
  readonly type: PropertyType;
  /** MQTT 5.0 section defining it (in the first packet that carries it), for messages. */
  readonly section: string;
  /** Packets (and the will) where the property may appear. */
  readonly packets: readonly PropertyContext[];
  /** Contexts where it may appear more than once. */
  readonly repeatableIn: readonly PropertyContext[];
  /** Smallest allowed value of a numeric property. */
  readonly min?: number;
  /** Largest allowed value, when tighter than the wire type's. */
  readonly max?: number;
}

const MESSAGE = ["publish", "will"] as const;
const ALL = [
  "connect",
  "connack",
  "publish",
  "will",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "disconnect",
  "auth",
] as const;
const REASON_STRING = [
  "connack",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "suback",
  "unsuback",
  "disconnect",
  "auth",
] as const;

/** One table row; `repeatableIn` defaults to none. */
function row(
  id: number,
  name: keyof Properties,
  type: PropertyType,
  section: string,
  packets: readonly PropertyContext[],
  repeatableIn: readonly PropertyContext[] = [],
  range: { min?: number; max?: number } = {},
): PropertyDefinition {
  return { id, name, type, section, packets, repeatableIn, ...range };
}

/** Every MQTT 5 property (MQTT 5 §2.2.2.2, Table 2-4). */
export const PROPERTY_TABLE: readonly PropertyDefinition[] = [
  row(0x01, "payloadFormatIndicator", "boolean", "3.3.2.3.2", MESSAGE),
  row(0x02, "messageExpiryInterval", "uint32", "3.3.2.3.3", MESSAGE),
  row(0x03, "contentType", "string", "3.3.2.3.9", MESSAGE),
  row(0x08, "responseTopic", "string", "3.3.2.3.5", MESSAGE),
  row(0x09, "correlationData", "binary", "3.3.2.3.6", MESSAGE),
  row(
    0x0b,
    "subscriptionIdentifier",
    "varint",
    "3.3.2.3.8",
    ["publish", "subscribe"],
    ["publish"],
    { min: 1 },
  ),
  row(0x11, "sessionExpiryInterval", "uint32", "3.1.2.11.2", ["connect", "connack", "disconnect"]),
  row(0x12, "assignedClientIdentifier", "string", "3.2.2.3.7", ["connack"]),
  row(0x13, "serverKeepAlive", "uint16", "3.2.2.3.14", ["connack"]),
  row(0x15, "authenticationMethod", "string", "3.1.2.11.9", ["connect", "connack", "auth"]),
  row(0x16, "authenticationData", "binary", "3.1.2.11.10", ["connect", "connack", "auth"]),
  row(0x17, "requestProblemInformation", "boolean", "3.1.2.11.7", ["connect"]),
  row(0x18, "willDelayInterval", "uint32", "3.1.3.2.2", ["will"]),
  row(0x19, "requestResponseInformation", "boolean", "3.1.2.11.6", ["connect"]),
  row(0x1a, "responseInformation", "string", "3.2.2.3.15", ["connack"]),
  row(0x1c, "serverReference", "string", "3.2.2.3.16", ["connack", "disconnect"]),
  row(0x1f, "reasonString", "string", "3.2.2.3.9", REASON_STRING),
  row(0x21, "receiveMaximum", "uint16", "3.1.2.11.3", ["connect", "connack"], [], { min: 1 }),
  row(0x22, "topicAliasMaximum", "uint16", "3.1.2.11.5", ["connect", "connack"]),
  row(0x23, "topicAlias", "uint16", "3.3.2.3.4", ["publish"], [], { min: 1 }),
  row(0x24, "maximumQoS", "byte", "3.2.2.3.4", ["connack"], [], { min: 0, max: 1 }),
  row(0x25, "retainAvailable", "boolean", "3.2.2.3.5", ["connack"]),
  row(0x26, "userProperties", "stringPair", "3.1.2.11.8", ALL, ALL),
  row(0x27, "maximumPacketSize", "uint32", "3.1.2.11.4", ["connect", "connack"], [], { min: 1 }),
  row(0x28, "wildcardSubscriptionAvailable", "boolean", "3.2.2.3.11", ["connack"]),
  row(0x29, "subscriptionIdentifierAvailable", "boolean", "3.2.2.3.12", ["connack"]),
  row(0x2a, "sharedSubscriptionAvailable", "boolean", "3.2.2.3.13", ["connack"]),
];

/** The table row of a property, by identifier or by name. */
export function propertyDefinition(idOrName: number | string): PropertyDefinition | undefined {
  return PROPERTY_TABLE.find((def) =>
    (typeof idOrName === "number" ? def.id : def.name) === idOrName
  );
}
