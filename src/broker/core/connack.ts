/**
 * The CONNACKs the broker sends: success with the MQTT 5 limits it announces, refusals (an
 * MQTT 5 reason code, or the nearest MQTT 3.1.1 return code), and the answer to a CONNECT that
 * could not be decoded.
 *
 * @module
 */

import type { ConnackPacket, Properties } from "../../codec/types.ts";
import type { ResolvedLimits } from "./limits.ts";

/** The CONNACK accepting a connection; on MQTT 5 it announces `limits` and `extra`. */
export function connackSuccess(
  limits: ResolvedLimits,
  sessionPresent: boolean,
  v5: boolean,
  extra: Properties,
): ConnackPacket {
  const packet: ConnackPacket = { type: "connack", sessionPresent, reasonCode: 0 };
  if (!v5) return packet;
  const properties: Properties = {
    receiveMaximum: limits.receiveMaximum,
    maximumPacketSize: limits.maximumPacketSize,
    topicAliasMaximum: limits.topicAliasMaximum,
    retainAvailable: limits.retainAvailable,
    wildcardSubscriptionAvailable: limits.wildcardSubscriptionAvailable,
    sharedSubscriptionAvailable: limits.sharedSubscriptionAvailable,
    subscriptionIdentifierAvailable: limits.subscriptionIdentifierAvailable,
    ...extra,
  };
  if (limits.maximumQoS < 2) properties.maximumQoS = limits.maximumQoS as 0 | 1;
  if (limits.serverKeepAlive !== undefined) properties.serverKeepAlive = limits.serverKeepAlive;
  packet.properties = properties;
  return packet;
}

/** MQTT 5 CONNACK reason codes → the MQTT 3.1.1 return code closest in meaning. */
const V3_RETURN_CODES: Record<number, number> = {
  0x84: 1, // unacceptable protocol version
  0x85: 2, // identifier rejected
  0x88: 3, // server unavailable
  0x89: 3,
  0x86: 4, // bad user name or password
  0x87: 5, // not authorized
};

/** The CONNACK refusing a connection with MQTT 5 `reasonCode`. */
export function connackRefusal(reasonCode: number, v5: boolean): ConnackPacket {
  return {
    type: "connack",
    sessionPresent: false,
    reasonCode: v5 ? reasonCode : V3_RETURN_CODES[reasonCode] ?? 5,
  };
}

/**
 * The answer to a CONNECT that could not be decoded, by the protocol level its header states:
 * an MQTT 5 CONNACK with `reasonCode`; the bytes of the MQTT 3.1.1 CONNACK refusing the protocol
 * version when that is what was wrong (0x84); otherwise nothing.
 */
export function unreadableConnectAnswer(
  bytes: Uint8Array,
  reasonCode: number,
): ConnackPacket | Uint8Array | undefined {
  const level = connectLevel(bytes);
  if (reasonCode === 0x84 && level !== 5) return new Uint8Array([0x20, 2, 0, 1]);
  if (level === 5) return { type: "connack", sessionPresent: false, reasonCode };
  return undefined;
}

/** The protocol level a CONNECT in `bytes` states, if its header is there. */
function connectLevel(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0x10) return undefined;
  let pos = 1;
  while (pos < 5 && ((bytes[pos] ?? 0) & 0x80) !== 0) pos++;
  pos++;
  const nameLength = ((bytes[pos] ?? 0) << 8) | (bytes[pos + 1] ?? 0);
  return bytes[pos + 2 + nameLength];
}
