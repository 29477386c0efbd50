/**
 * What the server allows, as announced in its CONNACK (MQTT 5 §3.2.2.3). Absent properties take
 * their spec defaults; on MQTT 3.1/3.1.1 every limit stays at its permissive default. The rules
 * that apply them are in `admission.ts`.
 *
 * @module
 */

import type { ConnackPacket, QoS } from "../codec/types.ts";
import type { SessionState } from "./types.ts";

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
 * What the session's parts need to know about the connection when they handle an input: plain
 * data the session keeps current and passes along.
 */
export interface Link {
  /** The session's coarse state. */
  readonly state: SessionState;
  /** Whether a CONNACK was accepted on the current transport. */
  readonly up: boolean;
  /** The server's limits for the current (or last) connection. */
  readonly limits: ServerLimits;
}
