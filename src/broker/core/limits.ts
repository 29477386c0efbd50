/**
 * The limits a broker announces in its MQTT 5 CONNACK and enforces on every connection, with
 * their defaults and checks.
 *
 * @module
 */

import { checkBoolean, checkInteger } from "../../checks.ts";
import { MAX_PACKET_SIZE } from "../../codec/constants.ts";
import type { QoS } from "../../codec/types.ts";

/**
 * What the broker allows. All but `maxQueuedMessages` are announced to MQTT 5 clients in
 * CONNACK (`serverKeepAlive` when set).
 */
export interface BrokerLimits {
  /**
   * Unacknowledged incoming QoS 1/2 PUBLISH a client may have outstanding (Receive Maximum);
   * one more is answered with DISCONNECT 0x93.
   * @default 65535
   */
  receiveMaximum?: number;
  /**
   * The largest packet the broker accepts, in bytes; a larger one is answered with
   * DISCONNECT 0x95.
   * @default 268435460 (the protocol maximum)
   */
  maximumPacketSize?: number;
  /**
   * The highest topic alias a client may use (0 = none).
   * @default 100
   */
  topicAliasMaximum?: number;
  /**
   * The highest QoS the broker accepts and grants.
   * @default 2
   */
  maximumQoS?: QoS;
  /**
   * Whether retained messages are stored.
   * @default true
   */
  retainAvailable?: boolean;
  /**
   * Whether topic filters may hold `+` and `#`.
   * @default true
   */
  wildcardSubscriptionAvailable?: boolean;
  /**
   * Whether `$share/{group}/{filter}` subscriptions are allowed.
   * @default true
   */
  sharedSubscriptionAvailable?: boolean;
  /**
   * Whether SUBSCRIBE may carry a subscription identifier.
   * @default true
   */
  subscriptionIdentifierAvailable?: boolean;
  /**
   * A keepalive (seconds) imposed on every MQTT 5 client instead of the one it asked for
   * (Server Keep Alive); absent = the client's own. Older clients keep their own.
   */
  serverKeepAlive?: number;
  /**
   * Messages held per session for a client that is offline or whose window is full; a
   * message beyond them is dropped (and logged).
   * @default 1000
   */
  maxQueuedMessages?: number;
}

/** {@link BrokerLimits} with every default applied. */
export interface ResolvedLimits {
  receiveMaximum: number;
  maximumPacketSize: number;
  topicAliasMaximum: number;
  maximumQoS: QoS;
  retainAvailable: boolean;
  wildcardSubscriptionAvailable: boolean;
  sharedSubscriptionAvailable: boolean;
  subscriptionIdentifierAvailable: boolean;
  serverKeepAlive: number | undefined;
  maxQueuedMessages: number;
}

/**
 * Checks `limits` and applies the defaults.
 *
 * @throws {TypeError | RangeError} a field of the wrong type or out of range; the message
 *   names it.
 */
export function resolveLimits(limits: BrokerLimits = {}): ResolvedLimits {
  const int = (name: keyof BrokerLimits, fallback: number, min: number, max: number) => {
    const value = limits[name];
    return value === undefined ? fallback : checkInteger(value, `options.${name}`, min, max);
  };
  const bool = (name: keyof BrokerLimits) => {
    const value = limits[name];
    return value === undefined ? true : checkBoolean(value, `options.${name}`);
  };
  const keepAlive = limits.serverKeepAlive;
  return {
    receiveMaximum: int("receiveMaximum", 65535, 1, 65535),
    maximumPacketSize: int("maximumPacketSize", MAX_PACKET_SIZE, 2, MAX_PACKET_SIZE),
    topicAliasMaximum: int("topicAliasMaximum", 100, 0, 65535),
    maximumQoS: int("maximumQoS", 2, 0, 2) as QoS,
    retainAvailable: bool("retainAvailable"),
    wildcardSubscriptionAvailable: bool("wildcardSubscriptionAvailable"),
    sharedSubscriptionAvailable: bool("sharedSubscriptionAvailable"),
    subscriptionIdentifierAvailable: bool("subscriptionIdentifierAvailable"),
    serverKeepAlive: keepAlive === undefined
      ? undefined
      : checkInteger(keepAlive, "options.serverKeepAlive", 0, 65535),
    maxQueuedMessages: int("maxQueuedMessages", 1000, 0, Number.MAX_SAFE_INTEGER),
  };
}
