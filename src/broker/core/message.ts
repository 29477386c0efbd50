/**
 * The broker's application messages: what a PUBLISH (or a will) carries on its way from the
 * publisher to subscribers, retained storage and offline queues.
 *
 * @module
 */

import type { Properties, PublishPacket, QoS, Will } from "../../codec/types.ts";

/** One application message as the broker keeps it. */
export interface BrokerMessage {
  /** The topic name it was published to (a topic alias resolved). */
  readonly topic: string;
  /** The payload. */
  readonly payload: Uint8Array;
  /** The QoS it was published with. */
  readonly qos: QoS;
  /** The retain flag it was published with. */
  readonly retain: boolean;
  /** The properties forwarded to subscribers (no alias, identifiers or expiry). */
  readonly properties: Properties | undefined;
  /** When it expires (ms, the broker's clock), from its Message Expiry Interval. */
  readonly expiresAt: number | undefined;
  /** The client identifier of the publisher (for no-local), or "" for the broker itself. */
  readonly origin: string;
}

/** The properties a broker forwards unchanged (MQTT 5 §3.3.2.3). */
const FORWARDED = [
  "payloadFormatIndicator",
  "contentType",
  "responseTopic",
  "correlationData",
  "userProperties",
] as const;

/** A message from a PUBLISH (its topic already resolved) received at `now`. */
export function messageFromPublish(
  packet: PublishPacket,
  topic: string,
  origin: string,
  now: number,
): BrokerMessage {
  return build(topic, packet.payload, packet.qos, packet.retain, packet.properties, origin, now);
}

/** The message a will becomes when it is published at `now`. */
export function messageFromWill(will: Will, origin: string, now: number): BrokerMessage {
  return build(will.topic, will.payload, will.qos, will.retain, will.properties, origin, now);
}

function build(
  topic: string,
  payload: Uint8Array,
  qos: QoS,
  retain: boolean,
  source: Properties | undefined,
  origin: string,
  now: number,
): BrokerMessage {
  let properties: Properties | undefined;
  if (source !== undefined) {
    for (const name of FORWARDED) {
      if (source[name] !== undefined) (properties ??= {})[name] = source[name] as never;
    }
  }
  const expiry = source?.messageExpiryInterval;
  return {
    topic,
    payload,
    qos,
    retain,
    properties,
    expiresAt: expiry === undefined ? undefined : now + expiry * 1000,
    origin,
  };
}

/**
 * The Message Expiry Interval to forward at `now` (whole seconds left, at least 1), `undefined`
 * for a message that never expires, or -1 for one that has expired.
 */
export function remainingExpiry(message: BrokerMessage, now: number): number | undefined {
  if (message.expiresAt === undefined) return undefined;
  const left = message.expiresAt - now;
  return left <= 0 ? -1 : Math.max(1, Math.ceil(left / 1000));
}

/** Whether `message` has expired at `now`. */
export function expired(message: BrokerMessage, now: number): boolean {
  return message.expiresAt !== undefined && message.expiresAt <= now;
}
