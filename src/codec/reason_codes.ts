/**
 * MQTT 5 reason codes (MQTT 5 §2.4) and the MQTT 3.1/3.1.1 CONNACK return codes: their names,
 * which packets may carry them, and the map from 3.1.1 return codes to MQTT 5 reason codes.
 * (paho-mqtt's `connack_string` / `error_string` are in `paho.ts`.)
 *
 * @example
 * ```ts
 * import { isFailure, ReasonCode, reasonCodeName } from "@korero/mqtt/codec";
 * reasonCodeName(ReasonCode.NotAuthorized); // "Not authorized"
 * reasonCodeName(0x00, "disconnect"); // "Normal disconnection"
 * reasonCodeName(0x86, "connack", { style: "paho" }); // "Bad user name or password"
 * isFailure(ReasonCode.QuotaExceeded); // true
 * ```
 * @module
 */

import type { PacketType } from "./types.ts";
import { describe, hex } from "../format.ts";

/** Every MQTT 5 reason code by name. 0x00..0x02 carry several names (one per packet context). */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** One reason code's name in the packets where it may appear (MQTT 5 §2.4, Table 2-6). */
export interface ReasonCodeDefinition {
  /** The code, 0x00..0xA2. */
  readonly code: number;
  /** Its name in the spec, e.g. "Packet too large". */
  readonly name: string;
  /** The packets that may carry it with this name. */
  readonly packets: readonly PacketType[];
}

const ACKS = ["puback", "pubrec"] as const;
const FAILS = ["connack", ...ACKS, "suback", "unsuback", "disconnect"] as const;

/** The reason code table: every code with its name per packet context. */
export const REASON_CODE_TABLE: readonly ReasonCodeDefinition[] = [
  {
    code: 0x00,
    name: "Success",
    packets: ["connack", "puback", "pubrec", "pubrel", "pubcomp", "unsuback", "auth"],
  },
  { code: 0x00, name: "Normal disconnection", packets: ["disconnect"] },
  { code: 0x00, name: "Granted QoS 0", packets: ["suback"] },
  { code: 0x01, name: "Granted QoS 1", packets: ["suback"] },
  { code: 0x02, name: "Granted QoS 2", packets: ["suback"] },
  { code: 0x04, name: "Disconnect with Will Message", packets: ["disconnect"] },
  { code: 0x10, name: "No matching subscribers", packets: [...ACKS] },
  { code: 0x11, name: "No subscription existed", packets: ["unsuback"] },
  { code: 0x18, name: "Continue authentication", packets: ["auth"] },
  { code: 0x19, name: "Re-authenticate", packets: ["auth"] },
  { code: 0x80, name: "Unspecified error", packets: [...FAILS] },
  { code: 0x81, name: "Malformed Packet", packets: ["connack", "disconnect"] },
  { code: 0x82, name: "Protocol Error", packets: ["connack", "disconnect"] },
  { code: 0x83, name: "Implementation specific error", packets: [...FAILS] },
  { code: 0x84, name: "Unsupported Protocol Version", packets: ["connack"] },
  { code: 0x85, name: "Client Identifier not valid", packets: ["connack"] },
  { code: 0x86, name: "Bad User Name or Password", packets: ["connack"] },
  { code: 0x87, name: "Not authorized", packets: [...FAILS] },
  { code: 0x88, name: "Server unavailable", packets: ["connack"] },
  { code: 0x89, name: "Server busy", packets: ["connack", "disconnect"] },
  { code: 0x8a, name: "Banned", packets: ["connack"] },
  { code: 0x8b, name: "Server shutting down", packets: ["disconnect"] },
  { code: 0x8c, name: "Bad authentication method", packets: ["connack", "disconnect"] },
  { code: 0x8d, name: "Keep Alive timeout", packets: ["disconnect"] },
  { code: 0x8e, name: "Session taken over", packets: ["disconnect"] },
  { code: 0x8f, name: "Topic Filter invalid", packets: ["suback", "unsuback", "disconnect"] },
  { code: 0x90, name: "Topic Name invalid", packets: ["connack", ...ACKS, "disconnect"] },
  { code: 0x91, name: "Packet Identifier in use", packets: [...ACKS, "suback", "unsuback"] },
  { code: 0x92, name: "Packet Identifier not found", packets: ["pubrel", "pubcomp"] },
  { code: 0x93, name: "Receive Maximum exceeded", packets: ["disconnect"] },
  { code: 0x94, name: "Topic Alias invalid", packets: ["disconnect"] },
  { code: 0x95, name: "Packet too large", packets: ["connack", "disconnect"] },
  { code: 0x96, name: "Message rate too high", packets: ["disconnect"] },
  { code: 0x97, name: "Quota exceeded", packets: ["connack", ...ACKS, "suback", "disconnect"] },
  { code: 0x98, name: "Administrative action", packets: ["disconnect"] },
  { code: 0x99, name: "Payload format invalid", packets: ["connack", ...ACKS, "disconnect"] },
  { code: 0x9a, name: "Retain not supported", packets: ["connack", "disconnect"] },
  { code: 0x9b, name: "QoS not supported", packets: ["connack", "disconnect"] },
  { code: 0x9c, name: "Use another server", packets: ["connack", "disconnect"] },
  { code: 0x9d, name: "Server moved", packets: ["connack", "disconnect"] },
  { code: 0x9e, name: "Shared Subscriptions not supported", packets: ["suback", "disconnect"] },
  { code: 0x9f, name: "Connection rate exceeded", packets: ["connack", "disconnect"] },
  { code: 0xa0, name: "Maximum connect time", packets: ["disconnect"] },
  {
    code: 0xa1,
    name: "Subscription Identifiers not supported",
    packets: ["suback", "disconnect"],
  },
  {
    code: 0xa2,
    name: "Wildcard Subscriptions not supported",
    packets: ["suback", "disconnect"],
  },
];

/** name by code (first table entry), and name by `${packet}:${code}` */
const GENERIC_NAMES = new Map<number, string>();
const CONTEXT_NAMES = new Map<string, string>();
for (const { code, name, packets } of REASON_CODE_TABLE) {
  if (!GENERIC_NAMES.has(code)) GENERIC_NAMES.set(code, name);
  for (const packet of packets) CONTEXT_NAMES.set(`${packet}:${code}`, name);
}

/** Valid codes per packet, as 256-entry lookup tables for the codec. */
const VALID = new Map<PacketType, Uint8Array>();
for (const { code, packets } of REASON_CODE_TABLE) {
  for (const packet of packets) {
    let table = VALID.get(packet);
    if (table === undefined) VALID.set(packet, table = new Uint8Array(256));
    table[code] = 1;
  }
}

/**
 * paho-mqtt 2.x's names (`str(ReasonCode)`) for the 17 codes where its wording differs from the
 * spec's, mostly in capitals ("Malformed packet" for the spec's "Malformed Packet"); every other
 * code has the same name in both. Source: the `names` table of paho's `reasoncodes.py`.
 */
export const PAHO_REASON_CODE_NAMES: Readonly<Record<number, string>> = {
  0x04: "Disconnect with will message",
  0x11: "No subscription found",
  0x81: "Malformed packet",
  0x82: "Protocol error",
  0x84: "Unsupported protocol version",
  0x85: "Client identifier not valid",
  0x86: "Bad user name or password",
  0x8d: "Keep alive timeout",
  0x8f: "Topic filter invalid",
  0x90: "Topic name invalid",
  0x91: "Packet identifier in use",
  0x92: "Packet identifier not found",
  0x93: "Receive maximum exceeded",
  0x94: "Topic alias invalid",
  0x9e: "Shared subscription not supported",
  0xa1: "Subscription identifiers not supported",
  0xa2: "Wildcard subscription not supported",
};

/** Whose wording {@link reasonCodeName} uses: the MQTT 5 spec's, or paho-mqtt 2.x's. */
export type ReasonCodeNameStyle = "spec" | "paho";

/** Options of {@link reasonCodeName}. */
export interface ReasonCodeNameOptions {
  /**
   * `"spec"`: the names of MQTT 5 §2.4 ("Bad User Name or Password"); `"paho"`: paho-mqtt 2.x's
   * strings, as `str(reason_code)` prints them ("Bad user name or password"), for output that
   * must match a program ported from paho. The two differ for 17 codes
   * ({@link PAHO_REASON_CODE_NAMES}).
   * @default "spec"
   */
  style?: ReasonCodeNameStyle;
}

/**
 * The name of a reason code, in the context of `packetType` when given (0x00 is "Success",
 * "Normal disconnection" in DISCONNECT, "Granted QoS 0" in SUBACK): the spec's wording, or
 * paho-mqtt 2.x's with `{ style: "paho" }`. Unknown codes give "Unknown reason code 0x…".
 *
 * @example
 * ```ts
 * import { reasonCodeName } from "@korero/mqtt/codec";
 * reasonCodeName(0x81); // "Malformed Packet"
 * reasonCodeName(0x81, undefined, { style: "paho" }); // "Malformed packet"
 * ```
 * @throws {RangeError} when `options.style` is neither "spec" nor "paho"
 */
export function reasonCodeName(
  code: number,
  packetType?: PacketType,
  options?: ReasonCodeNameOptions,
): string {
  const style = options?.style;
  if (style === "paho") {
    const name = PAHO_REASON_CODE_NAMES[code];
    if (name !== undefined) return name;
  } else if (style !== undefined && style !== "spec") {
    throw new RangeError(`options.style must be "spec" or "paho", got ${describe(style)}`);
  }
  if (packetType !== undefined) {
    const name = CONTEXT_NAMES.get(`${packetType}:${code}`);
    if (name !== undefined) return name;
  }
  return GENERIC_NAMES.get(code) ?? `Unknown reason code ${hex(code)}`;
}

/** Whether `code` is a failure (0x80 and above). */
export function isFailure(code: number): boolean {
  return code >= 0x80;
}

/** Whether MQTT 5 allows `code` in a packet of type `packetType`. */
export function isValidReasonCode(code: number, packetType: PacketType): boolean {
  return VALID.get(packetType)?.[code] === 1;
}

/** MQTT 3.1 / 3.1.1 CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
export const ConnackReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUserNameOrPassword: 4,
  NotAuthorized: 5,
} as const;

/** The spec's description of each MQTT 3.1.1 CONNACK return code, index = code. */
export const CONNACK_RETURN_CODE_NAMES: readonly string[] = [
  "Connection accepted",
  "Connection refused, unacceptable protocol version",
  "Connection refused, identifier rejected",
  "Connection refused, server unavailable",
  "Connection refused, bad user name or password",
  "Connection refused, not authorized",
];

/** The MQTT 5 reason code equivalent to each MQTT 3.1/3.1.1 CONNACK return code. */
export const V3_CONNACK_TO_REASON_CODE: Readonly<Record<number, number>> = {
  0: ReasonCode.Success,
  1: ReasonCode.UnsupportedProtocolVersion,
  2: ReasonCode.ClientIdentifierNotValid,
  3: ReasonCode.ServerUnavailable,
  4: ReasonCode.BadUserNameOrPassword,
  5: ReasonCode.NotAuthorized,
};
