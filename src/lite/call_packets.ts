/**
 * The packets the lite client's calls send, made from their arguments: PUBLISH for `publish()`,
 * SUBSCRIBE for `subscribe()`, UNSUBSCRIBE for `unsubscribe()`; and `checked()`, which encodes a
 * packet and names the call in the codec's TypeError / RangeError for a value it refuses.
 *
 * @module
 */

import type {
  Packet,
  PublishPacket,
  SubscribePacket,
  Subscription,
  UnsubscribePacket,
} from "../codec/types.ts";
import type {
  PublishOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "../client/call_options.ts";
import { encode } from "./codec.ts";
import { validateTopicFilter } from "../topic.ts";
import { type Payload, toBytes } from "../client/payload.ts";

/**
 * Encodes `packet`; a value the codec refuses throws its TypeError / RangeError with the message
 * starting with `prefix`, which names the call or option ("publish() qos must be 0, 1 or 2").
 */
export function checked(packet: Packet, version: 4 | 5, prefix: string): Uint8Array {
  try {
    return encode(packet, version);
  } catch (error) {
    (error as Error).message = prefix + (error as Error).message;
    throw error;
  }
}

/**
 * `publish()`'s PUBLISH, a QoS 1/2 one with a stand-in packet identifier (it gets its own when
 * sent). The codec checks the topic, QoS, flags, properties and size (`checked`).
 *
 * @throws {TypeError} for a payload that is not one
 */
export function publishPacket(
  topic: string,
  payload: Payload,
  options: PublishOptions,
): PublishPacket {
  const qos = options.qos ?? 0;
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: toBytes(payload, "publish() payload"),
    qos,
    retain: options.retain ?? false,
    dup: false,
  };
  if (options.properties !== undefined) packet.properties = options.properties;
  if (qos !== 0) packet.packetId = 1; // checked with a stand-in, given its own when sent
  return packet;
}

/**
 * `subscribe()`'s SUBSCRIBE: each filter (a string, or `{ topicFilter, qos, … }` overriding the
 * shared `options`) checked. The codec checks QoS and the MQTT 5 options (and refuses those
 * before MQTT 5).
 *
 * @throws {TypeError | RangeError} for no filter, or a filter that is not one
 */
export function subscribePacket(
  filterOrList: string | (string | SubscribeRequest)[],
  options: SubscribeOptions,
): SubscribePacket {
  const list = Array.isArray(filterOrList) ? filterOrList : [filterOrList];
  if (list.length === 0) throw new RangeError("subscribe() needs at least one topic filter");
  const { properties, signal: _, ...shared } = options;
  const subscriptions = list.map((item, i): Subscription => {
    const request = typeof item === "string" ? { topicFilter: item } : item;
    validateTopicFilter(request.topicFilter, `subscribe() filter ${i}`);
    return { ...shared, ...request, qos: request.qos ?? shared.qos ?? 0 };
  });
  const packet: SubscribePacket = { type: "subscribe", packetId: 1, subscriptions };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/**
 * `unsubscribe()`'s UNSUBSCRIBE, each filter checked.
 *
 * @throws {TypeError | RangeError} for no filter, or a filter that is not one
 */
export function unsubscribePacket(
  filters: string | string[],
  options: UnsubscribeOptions,
): UnsubscribePacket {
  const topicFilters = Array.isArray(filters) ? filters : [filters];
  if (topicFilters.length === 0) {
    throw new RangeError("unsubscribe() needs at least one topic filter");
  }
  topicFilters.forEach((filter, i) => validateTopicFilter(filter, `unsubscribe() filter ${i}`));
  const packet: UnsubscribePacket = { type: "unsubscribe", packetId: 1, topicFilters };
  if (options.properties !== undefined) packet.properties = options.properties;
  return packet;
}
