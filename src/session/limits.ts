/**
 * What the server allows, as announced in its CONNACK (MQTT 5 §3.2.2.3), and the checks that
 * `publish()` and `subscribe()` run against it before anything is queued. Absent properties take
 * their spec defaults; on MQTT 3.1/3.1.1 every limit stays at its permissive default.
 *
 * @module
 */

import type { ConnackPacket, QoS, Subscription } from "../codec/types.ts";
import type { Properties } from "../codec/types.ts";
import type { OutgoingMessage } from "./types.ts";

/** Limits of the server for the current (or last) connection. */
export interface ServerLimits {
  /** Receive Maximum: QoS 1/2 PUBLISH the server accepts unacknowledged. Default 65,535. */
  receiveMaximum: number;
  /** Maximum QoS. Default 2. */
  maximumQoS: QoS;
  /** Retain Available. Default true. */
  retainAvailable: boolean;
  /** Maximum Packet Size in bytes; undefined = no limit beyond the protocol's. */
  maximumPacketSize: number | undefined;
  /** Topic Alias Maximum. Default 0 (no aliases). */
  topicAliasMaximum: number;
  /** Wildcard Subscription Available. Default true. */
  wildcardSubscriptionAvailable: boolean;
  /** Subscription Identifiers Available. Default true. */
  subscriptionIdentifierAvailable: boolean;
  /** Shared Subscription Available. Default true. */
  sharedSubscriptionAvailable: boolean;
}

/** The limits before any CONNACK, and on MQTT 3.1/3.1.1. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  receiveMaximum: 65_535,
  maximumQoS: 2,
  retainAvailable: true,
  maximumPacketSize: undefined,
  topicAliasMaximum: 0,
  wildcardSubscriptionAvailable: true,
  subscriptionIdentifierAvailable: true,
  sharedSubscriptionAvailable: true,
};

/** The limits announced by `connack` (defaults for absent properties). */
export function serverLimits(connack: ConnackPacket): ServerLimits {
  const p = connack.properties;
  if (p === undefined) return { ...DEFAULT_LIMITS };
  return {
    receiveMaximum: p.receiveMaximum ?? 65_535,
    maximumQoS: p.maximumQoS ?? 2,
    retainAvailable: p.retainAvailable ?? true,
    maximumPacketSize: p.maximumPacketSize,
    topicAliasMaximum: p.topicAliasMaximum ?? 0,
    wildcardSubscriptionAvailable: p.wildcardSubscriptionAvailable ?? true,
    subscriptionIdentifierAvailable: p.subscriptionIdentifierAvailable ?? true,
    sharedSubscriptionAvailable: p.sharedSubscriptionAvailable ?? true,
  };
}

/**
 * Why `message` cannot be published under `limits`, as [message, MQTT 5 reason code], or
 * undefined when it can. Covers QoS and retain; the packet size is checked by the caller.
 */
export function publishViolation(
  limits: ServerLimits,
  message: OutgoingMessage,
): [string, number] | undefined {
  if (message.qos > limits.maximumQoS) {
    return [
      `publish qos ${message.qos} is above the server's Maximum QoS ${limits.maximumQoS} [MQTT-3.2.2-11]`,
      0x9b,
    ];
  }
  if (message.retain && !limits.retainAvailable) {
    return [
      "publish retain is not available: the server sent Retain Available 0 [MQTT-3.2.2-14]",
      0x9a,
    ];
  }
  const alias = message.properties?.topicAlias;
  if (alias !== undefined && (alias < 1 || alias > limits.topicAliasMaximum)) {
    return [
      `publish properties.topicAlias ${alias} is outside 1..${limits.topicAliasMaximum}, the server's Topic Alias Maximum [MQTT-3.2.2-17]`,
      0x94,
    ];
  }
  return undefined;
}

/** Throws RangeError when `publishViolation` finds one. */
export function checkPublish(limits: ServerLimits, message: OutgoingMessage): void {
  const violation = publishViolation(limits, message);
  if (violation !== undefined) throw new RangeError(violation[0]);
}

/**
 * Throws RangeError when a subscription needs a feature the server said it lacks: wildcards,
 * shared subscriptions (`$share/…`) or subscription identifiers (MQTT 5 §3.2.2.3.11–13).
 */
export function checkSubscribe(
  limits: ServerLimits,
  subscriptions: readonly Subscription[],
  properties: Properties | undefined,
): void {
  for (const { topicFilter } of subscriptions) {
    if (
      !limits.wildcardSubscriptionAvailable &&
      (topicFilter.includes("+") || topicFilter.includes("#"))
    ) {
      throw new RangeError(
        `subscribe topic filter "${topicFilter}" has a wildcard, and the server sent Wildcard Subscription Available 0`,
      );
    }
    if (!limits.sharedSubscriptionAvailable && topicFilter.startsWith("$share/")) {
      throw new RangeError(
        `subscribe topic filter "${topicFilter}" is a shared subscription, and the server sent Shared Subscription Available 0`,
      );
    }
  }
  if (
    properties?.subscriptionIdentifier !== undefined && !limits.subscriptionIdentifierAvailable
  ) {
    throw new RangeError(
      `subscribe properties.subscriptionIdentifier ${properties.subscriptionIdentifier} cannot be sent: the server sent Subscription Identifier Available 0`,
    );
  }
}
