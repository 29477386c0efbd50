/**
 * SUBSCRIBE and UNSUBSCRIBE: each filter checked against the broker's limits and granted (or
 * refused) on its own, SUBACK, then the retained messages the subscriptions receive (retain
 * handling 0, or 1 for a new subscription; never for a shared one).
 *
 * @module
 */

import type { QoS, SubscribePacket, UnsubscribePacket } from "../../codec/types.ts";
import { isValidTopicFilter, parseSharedFilter } from "../../topic.ts";
import type { Connection } from "./connection.ts";
import type { ResolvedLimits } from "./limits.ts";
import type { RetainedStore } from "./retained.ts";
import type { SubscriptionTable } from "./subscriptions.ts";
import type { LogLevel } from "./types.ts";

/** What a SUBSCRIBE reads and changes. */
export interface SubscribeScope {
  /** The broker's limits. */
  readonly limits: ResolvedLimits;
  /** Every subscription. */
  readonly subscriptions: SubscriptionTable;
  /** The retained messages. */
  readonly retained: RetainedStore;
  /** The broker's log. */
  readonly log: (level: LogLevel, message: string) => void;
}

/** The MQTT 5 reason code refusing `filter`, or `undefined` if it may be subscribed. */
function refusal(filter: string, limits: ResolvedLimits): number | undefined {
  if (!isValidTopicFilter(filter)) return 0x8f; // Topic Filter invalid
  const shared = parseSharedFilter(filter);
  if (shared !== undefined && !limits.sharedSubscriptionAvailable) return 0x9e;
  const inner = shared?.filter ?? filter;
  if (!limits.wildcardSubscriptionAvailable && /[+#]/.test(inner)) return 0xa2;
  return undefined;
}

/** Handles a SUBSCRIBE from `connection`. */
export function handleSubscribe(
  scope: SubscribeScope,
  connection: Connection,
  packet: SubscribePacket,
  now: number,
): void {
  const session = connection.session!;
  const v5 = connection.protocolVersion === 5;
  const limits = scope.limits;
  const identifier = packet.properties?.subscriptionIdentifier;
  if (identifier !== undefined && !limits.subscriptionIdentifierAvailable) {
    return connection.fail(0xa1, "Subscription identifiers are not supported", now);
  }
  if (Array.isArray(identifier)) {
    return connection.fail(0x82, "A SUBSCRIBE with two subscription identifiers", now);
  }
  const reasonCodes: number[] = [];
  const retained: { filter: string; qos: QoS }[] = [];
  for (const s of packet.subscriptions) {
    const refused = refusal(s.topicFilter, limits);
    if (refused !== undefined) {
      reasonCodes.push(v5 ? refused : 0x80);
      continue;
    }
    const shared = parseSharedFilter(s.topicFilter) !== undefined;
    const qos = Math.min(s.qos, limits.maximumQoS) as QoS;
    const retainHandling = s.retainHandling ?? 0;
    const isNew = scope.subscriptions.add({
      session,
      filter: s.topicFilter,
      shared,
      qos,
      noLocal: s.noLocal ?? false,
      retainAsPublished: s.retainAsPublished ?? false,
      retainHandling,
      identifier,
    });
    reasonCodes.push(qos);
    if (!shared && (retainHandling === 0 || (retainHandling === 1 && isNew))) {
      retained.push({ filter: s.topicFilter, qos });
    }
  }
  connection.send({ type: "suback", packetId: packet.packetId, reasonCodes });
  const filters = packet.subscriptions.map((s) => JSON.stringify(s.topicFilter)).join(", ");
  scope.log("debug", `"${session.clientId}" subscribed to ${filters}`);
  for (const { filter, qos } of retained) {
    for (const message of scope.retained.match(filter, now)) {
      session.deliver({
        message,
        qos: Math.min(qos, message.qos) as QoS,
        retain: true, // [MQTT-3.3.1-8]
        identifiers: identifier === undefined ? [] : [identifier],
      }, now);
    }
  }
}

/** Handles an UNSUBSCRIBE from `connection`: 0x00 or 0x11 No subscription existed per filter. */
export function handleUnsubscribe(
  subscriptions: SubscriptionTable,
  connection: Connection,
  packet: UnsubscribePacket,
): void {
  const session = connection.session!;
  const codes = packet.topicFilters.map((filter) =>
    subscriptions.remove(session, filter) ? 0 : 0x11
  );
  connection.send({
    type: "unsuback",
    packetId: packet.packetId,
    reasonCodes: connection.protocolVersion === 5 ? codes : [],
  });
}
