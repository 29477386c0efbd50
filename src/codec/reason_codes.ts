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
import { PACKET_TYPE_NAMES, PacketTypeNumber } from "./constants.ts";

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

// The packets of a row, as bits `1 << type number` (so one row is three small values).
const CONNACK = 1 << PacketTypeNumber.connack;
const PUBACK = 1 << PacketTypeNumber.puback;
const PUBREC = 1 << PacketTypeNumber.pubrec;
const PUBREL = 1 << PacketTypeNumber.pubrel;
const PUBCOMP = 1 << PacketTypeNumber.pubcomp;
const SUBACK = 1 << PacketTypeNumber.suback;
const UNSUBACK = 1 << PacketTypeNumber.unsuback;
const DISCONNECT = 1 << PacketTypeNumber.disconnect;
const AUTH = 1 << PacketTypeNumber.auth;
const ACKS = PUBACK | PUBREC;
const FAILS = CONNACK | ACKS | SUBACK | UNSUBACK | DISCONNECT;

/**
 * Every code with its name per packet context: [code, name, packets]. A code with several
 * names (0x00) lists its generic name first.
 */
const ROWS: readonly (readonly [code: number, name: string, packets: number])[] = [
  [0x00, "Success", CONNACK | ACKS | PUBREL | PUBCOMP | UNSUBACK | AUTH],
  [0x00, "Normal disconnection", DISCONNECT],
  [0x00, "Granted QoS 0", SUBACK],
  [0x01, "Granted QoS 1", SUBACK],
  [0x02, "Granted QoS 2", SUBACK],
  [0x04, "Disconnect with Will Message", DISCONNECT],
  [0x10, "No matching subscribers", ACKS],
  [0x11, "No subscription existed", UNSUBACK],
  [0x18, "Continue authentication", AUTH],
  [0x19, "Re-authenticate", AUTH],
  [0x80, "Unspecified error", FAILS],
  [0x81, "Malformed Packet", CONNACK | DISCONNECT],
  [0x82, "Protocol Error", CONNACK | DISCONNECT],
  [0x83, "Implementation specific error", FAILS],
  [0x84, "Unsupported Protocol Version", CONNACK],
  [0x85, "Client Identifier not valid", CONNACK],
  [0x86, "Bad User Name or Password", CONNACK],
  [0x87, "Not authorized", FAILS],
  [0x88, "Server unavailable", CONNACK],
  [0x89, "Server busy", CONNACK | DISCONNECT],
  [0x8a, "Banned", CONNACK],
  [0x8b, "Server shutting down", DISCONNECT],
  [0x8c, "Bad authentication method", CONNACK | DISCONNECT],
  [0x8d, "Keep Alive timeout", DISCONNECT],
  [0x8e, "Session taken over", DISCONNECT],
  [0x8f, "Topic Filter invalid", SUBACK | UNSUBACK | DISCONNECT],
  [0x90, "Topic Name invalid", CONNACK | ACKS | DISCONNECT],
  [0x91, "Packet Identifier in use", ACKS | SUBACK | UNSUBACK],
  [0x92, "Packet Identifier not found", PUBREL | PUBCOMP],
  [0x93, "Receive Maximum exceeded", DISCONNECT],
  [0x94, "Topic Alias invalid", DISCONNECT],
  [0x95, "Packet too large", CONNACK | DISCONNECT],
  [0x96, "Message rate too high", DISCONNECT],
  [0x97, "Quota exceeded", CONNACK | ACKS | SUBACK | DISCONNECT],
  [0x98, "Administrative action", DISCONNECT],
  [0x99, "Payload format invalid", CONNACK | ACKS | DISCONNECT],
  [0x9a, "Retain not supported", CONNACK | DISCONNECT],
  [0x9b, "QoS not supported", CONNACK | DISCONNECT],
  [0x9c, "Use another server", CONNACK | DISCONNECT],
  [0x9d, "Server moved", CONNACK | DISCONNECT],
  [0x9e, "Shared Subscriptions not supported", SUBACK | DISCONNECT],
  [0x9f, "Connection rate exceeded", CONNACK | DISCONNECT],
  [0xa0, "Maximum connect time", DISCONNECT],
  [0xa1, "Subscription Identifiers not supported", SUBACK | DISCONNECT],
  [0xa2, "Wildcard Subscriptions not supported", SUBACK | DISCONNECT],
];

/**
 * The reason code table: every code with its name per packet context. (Built from the rows
 * above; `@__PURE__` lets a bundle that does not use it leave it out.)
 */
export const REASON_CODE_TABLE: readonly ReasonCodeDefinition[] = /* @__PURE__ */ ROWS.map(
  ([code, name, packets]) => ({
    code,
    name,
    packets: PACKET_TYPE_NAMES.filter((_, type) => (packets & (1 << type)) !== 0) as PacketType[],
  }),
);

/** For each code, the packets that may carry it (bits `1 << type number`). */
const PACKETS_OF = new Uint16Array(256);
for (const [code, , packets] of ROWS) PACKETS_OF[code]! |= packets;

/**
 * paho-mqtt 2.x's names (`str(ReasonCode)`) for the 17 codes where its wording differs from the
 * spec's: 14 are the spec's name in sentence case ("Malformed packet" for "Malformed Packet"),
 * 3 say it in other words; every other code has the same name in both. Source: the `names`
 * table of paho's `reasoncodes.py`.
 */
export const PAHO_REASON_CODE_NAMES: Readonly<Record<number, string>> = /* @__PURE__ */ (() => {
  const names: Record<number, string> = {
    0x11: "No subscription found",
    0x9e: "Shared subscription not supported",
    0xa2: "Wildcard subscription not supported",
  };
  const sentenceCase = [
    0x04,
    0x81,
    0x82,
    0x84,
    0x85,
    0x86,
    0x8d,
    0x8f,
    0x90,
    0x91,
    0x92,
    0x93,
    0x94,
    0xa1,
  ];
  for (const code of sentenceCase) {
    const spec = specName(code);
    names[code] = spec[0] + spec.slice(1).toLowerCase();
  }
  return names;
})();

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
  return specName(code, packetType);
}

/**
 * The spec's name of `code` in `packetType` (else its generic name), or "Unknown …": what
 * {@link reasonCodeName} returns without options. The session names codes with it, so a bundle
 * that never asks for paho's wording leaves that table out.
 */
export function specName(code: number, packetType?: PacketType): string {
  const bit = packetType === undefined ? 0 : 1 << PacketTypeNumber[packetType];
  let generic: string | undefined;
  for (const [c, name, packets] of ROWS) {
    if (c !== code) continue;
    if ((packets & bit) !== 0) return name;
    generic ??= name;
  }
  return generic ?? `Unknown reason code ${hex(code)}`;
}

/** Whether `code` is a failure (0x80 and above). */
export function isFailure(code: number): boolean {
  return code >= 0x80;
}

/** Whether MQTT 5 allows `code` in a packet of type `packetType`. */
export function isValidReasonCode(code: number, packetType: PacketType): boolean {
  return ((PACKETS_OF[code] ?? 0) & (1 << PacketTypeNumber[packetType])) !== 0;
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
  0: 0x00, // Success
  1: 0x84, // Unsupported Protocol Version
  2: 0x85, // Client Identifier not valid
  3: 0x88, // Server unavailable
  4: 0x86, // Bad User Name or Password
  5: 0x87, // Not authorized
};
