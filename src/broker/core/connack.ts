/**
 * The CONNACKs the broker sends: success with the MQTT 5 limits it announces, and refusals
 * (an MQTT 5 reason code, or the nearest MQTT 3.1.1 return code).
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
