/**
 * MQTT 5 properties (MQTT 5 §2.2.2): one table, {@link PROPERTY_TABLE}, says for every property
 * its identifier, its camelCase name in `Properties`, its wire type, the packets (and the will)
 * that may carry it, where it may repeat and which values it may take. The property encoder and
 * decoder (`_property_codec.ts`) are driven by this table alone.
 *
 * @module
 */

import type { Properties } from "./types.ts";

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
export type PropertyContext =
  | "connect"
  | "connack"
  | "publish"
  | "puback"
  | "pubrec"
  | "pubrel"
  | "pubcomp"
  | "subscribe"
  | "suback"
  | "unsubscribe"
  | "unsuback"
  | "disconnect"
  | "auth"
  | "will";

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

/** Every MQTT 5 property (MQTT 5 §2.2.2.2, Table 2-4). */
export const PROPERTY_TABLE: readonly PropertyDefinition[] = [
  {
    id: 0x01,
    name: "payloadFormatIndicator",
    section: "3.3.2.3.2",
    type: "boolean",
    packets: MESSAGE,
    repeatableIn: [],
  },
  {
    id: 0x02,
    name: "messageExpiryInterval",
    section: "3.3.2.3.3",
    type: "uint32",
    packets: MESSAGE,
    repeatableIn: [],
  },
  {
    id: 0x03,
    name: "contentType",
    section: "3.3.2.3.9",
    type: "string",
    packets: MESSAGE,
    repeatableIn: [],
  },
  {
    id: 0x08,
    name: "responseTopic",
    section: "3.3.2.3.5",
    type: "string",
    packets: MESSAGE,
    repeatableIn: [],
  },
  {
    id: 0x09,
    name: "correlationData",
    section: "3.3.2.3.6",
    type: "binary",
    packets: MESSAGE,
    repeatableIn: [],
  },
  {
    id: 0x0b,
    name: "subscriptionIdentifier",
    section: "3.3.2.3.8",
    type: "varint",
    packets: ["publish", "subscribe"],
    repeatableIn: ["publish"],
    min: 1,
  },
  {
    id: 0x11,
    name: "sessionExpiryInterval",
    section: "3.1.2.11.2",
    type: "uint32",
    packets: ["connect", "connack", "disconnect"],
    repeatableIn: [],
  },
  {
    id: 0x12,
    name: "assignedClientIdentifier",
    section: "3.2.2.3.7",
    type: "string",
    packets: ["connack"],
    repeatableIn: [],
  },
  {
    id: 0x13,
    name: "serverKeepAlive",
    section: "3.2.2.3.14",
    type: "uint16",
    packets: ["connack"],
    repeatableIn: [],
  },
  {
    id: 0x15,
    name: "authenticationMethod",
    section: "3.1.2.11.9",
    type: "string",
    packets: ["connect", "connack", "auth"],
    repeatableIn: [],
  },
  {
    id: 0x16,
    name: "authenticationData",
    section: "3.1.2.11.10",
    type: "binary",
    packets: ["connect", "connack", "auth"],
    repeatableIn: [],
  },
  {
    id: 0x17,
    name: "requestProblemInformation",
    section: "3.1.2.11.7",
    type: "boolean",
    packets: ["connect"],
    repeatableIn: [],
  },
  {
    id: 0x18,
    name: "willDelayInterval",
    section: "3.1.3.2.2",
    type: "uint32",
    packets: ["will"],
    repeatableIn: [],
  },
  {
    id: 0x19,
    name: "requestResponseInformation",
    section: "3.1.2.11.6",
    type: "boolean",
    packets: ["connect"],
    repeatableIn: [],
  },
  {
    id: 0x1a,
    name: "responseInformation",
    section: "3.2.2.3.15",
    type: "string",
    packets: ["connack"],
    repeatableIn: [],
  },
  {
    id: 0x1c,
    name: "serverReference",
    section: "3.2.2.3.16",
    type: "string",
    packets: ["connack", "disconnect"],
    repeatableIn: [],
  },
  {
    id: 0x1f,
    name: "reasonString",
    section: "3.2.2.3.9",
    type: "string",
    packets: REASON_STRING,
    repeatableIn: [],
  },
  {
    id: 0x21,
    name: "receiveMaximum",
    section: "3.1.2.11.3",
    type: "uint16",
    packets: ["connect", "connack"],
    repeatableIn: [],
    min: 1,
  },
  {
    id: 0x22,
    name: "topicAliasMaximum",
    section: "3.1.2.11.5",
    type: "uint16",
    packets: ["connect", "connack"],
    repeatableIn: [],
  },
  {
    id: 0x23,
    name: "topicAlias",
    section: "3.3.2.3.4",
    type: "uint16",
    packets: ["publish"],
    repeatableIn: [],
    min: 1,
  },
  {
    id: 0x24,
    name: "maximumQoS",
    section: "3.2.2.3.4",
    type: "byte",
    packets: ["connack"],
    repeatableIn: [],
    min: 0,
    max: 1,
  },
  {
    id: 0x25,
    name: "retainAvailable",
    section: "3.2.2.3.5",
    type: "boolean",
    packets: ["connack"],
    repeatableIn: [],
  },
  {
    id: 0x26,
    name: "userProperties",
    section: "3.1.2.11.8",
    type: "stringPair",
    packets: ALL,
    repeatableIn: ALL,
  },
  {
    id: 0x27,
    name: "maximumPacketSize",
    section: "3.1.2.11.4",
    type: "uint32",
    packets: ["connect", "connack"],
    repeatableIn: [],
    min: 1,
  },
  {
    id: 0x28,
    name: "wildcardSubscriptionAvailable",
    section: "3.2.2.3.11",
    type: "boolean",
    packets: ["connack"],
    repeatableIn: [],
  },
  {
    id: 0x29,
    name: "subscriptionIdentifierAvailable",
    section: "3.2.2.3.12",
    type: "boolean",
    packets: ["connack"],
    repeatableIn: [],
  },
  {
    id: 0x2a,
    name: "sharedSubscriptionAvailable",
    section: "3.2.2.3.13",
    type: "boolean",
    packets: ["connack"],
    repeatableIn: [],
  },
];

/** The table row of a property, by identifier or by name. */
export function propertyDefinition(idOrName: number | string): PropertyDefinition | undefined {
  return PROPERTY_TABLE.find((def) =>
    (typeof idOrName === "number" ? def.id : def.name) === idOrName
  );
}
