/**
 * Options of `publish`, `subscribe` and `unsubscribe`, and their checks. Everything is checked
 * before the session sees the call, so a bad argument queues nothing.
 *
 * @module
 */

import type { Properties, ProtocolVersion, QoS, Subscription } from "../codec/types.ts";
import type { OutgoingMessage } from "../session/types.ts";
import { parseSharedFilter, validateTopicFilter } from "../topic.ts";
import {
  checkBoolean,
  checkInteger,
  checkObject,
  checkProperties,
  checkQoS,
  describe,
} from "./_validate.ts";

/** Options of `publish`. */
export interface PublishOptions {
  /** @default 0 */
  qos?: QoS;
  /** Ask the broker to keep it as the topic's retained message. @default false */
  retain?: boolean;
  /** MQTT 5 properties: `messageExpiryInterval`, `contentType`, `responseTopic`, `userProperties`, … */
  properties?: Properties;
  /** Aborting gives up: not sent if it has not been yet; the promise rejects with the reason. */
  signal?: AbortSignal;
}

/** One filter of a `subscribe` list, with options that override the shared ones. */
export interface SubscribeRequest {
  topicFilter: string;
  /** Maximum QoS to receive at. */
  qos?: QoS;
  /** MQTT 5: do not receive own publications. */
  noLocal?: boolean;
  /** MQTT 5: keep the retain flag as published. */
  retainAsPublished?: boolean;
  /** MQTT 5: 0 = send retained messages, 1 = only for a new subscription, 2 = never. */
  retainHandling?: 0 | 1 | 2;
}

/** Options of `subscribe`; the first four apply to every filter without its own value. */
export interface SubscribeOptions {
  /** @default 0 */
  qos?: QoS;
  /** MQTT 5. @default false */
  noLocal?: boolean;
  /** MQTT 5. @default false */
  retainAsPublished?: boolean;
  /** MQTT 5. @default 0 */
  retainHandling?: 0 | 1 | 2;
  /** MQTT 5 SUBSCRIBE properties: `subscriptionIdentifier`, `userProperties`. */
  properties?: Properties;
  /** Aborting gives up: the promise rejects with the reason. */
  signal?: AbortSignal;
}

/** Options of `unsubscribe`. */
export interface UnsubscribeOptions {
  /** MQTT 5 UNSUBSCRIBE properties: `userProperties`. */
  properties?: Properties;
  /** Aborting gives up: the promise rejects with the reason. */
  signal?: AbortSignal;
}

const EMPTY = new Uint8Array(0);

/** Checks publish options; returns the message without topic and payload (filled by the caller). */
export function checkPublishOptions(
  options: PublishOptions,
  version: ProtocolVersion,
): OutgoingMessage {
  checkObject(options, "publish options");
  const message: OutgoingMessage = {
    topic: "",
    payload: EMPTY,
    qos: options.qos === undefined ? 0 : checkQoS(options.qos, "publish options.qos"),
    retain: options.retain === undefined
      ? false
      : checkBoolean(options.retain, "publish options.retain"),
  };
  const properties = checkProperties(options.properties, "publish options.properties", version);
  if (properties !== undefined) {
    if (properties.subscriptionIdentifier !== undefined) {
      throw new RangeError(
        "publish options.properties.subscriptionIdentifier is only sent by servers [MQTT-3.3.4-6]",
      );
    }
    message.properties = properties;
  }
  checkSignal(options.signal, "publish options.signal");
  return message;
}

/** Checks a subscribe call; returns the subscriptions and the properties. */
export function checkSubscriptions(
  filterOrList: unknown,
  options: SubscribeOptions,
  version: ProtocolVersion,
): [Subscription[], Properties | undefined] {
  checkObject(options, "subscribe options");
  const shared = { qos: 0 as QoS, ...entry(options, "subscribe options", version) };
  const list = typeof filterOrList === "string" ? [filterOrList] : filterOrList;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `subscribe filters must be a string or an array, got ${describe(filterOrList)}`,
    );
  }
  if (list.length === 0) throw new RangeError("subscribe filters must not be an empty array");
  const subscriptions = list.map((item: unknown, i): Subscription => {
    const field = `subscribe filters[${i}]`;
    let subscription: Subscription;
    if (typeof item === "string") {
      validateTopicFilter(item, field);
      subscription = { ...shared, topicFilter: item };
    } else {
      checkObject(item, field);
      const request = item as SubscribeRequest;
      validateTopicFilter(request.topicFilter, `${field}.topicFilter`);
      subscription = {
        ...shared,
        ...entry(request, field, version),
        topicFilter: request.topicFilter,
      };
    }
    if (subscription.noLocal === true && parseSharedFilter(subscription.topicFilter)) {
      throw new RangeError(
        `${field}: noLocal cannot be set on the shared subscription ${
          describe(subscription.topicFilter)
        } [MQTT-3.8.3-4]`,
      );
    }
    return trim(subscription);
  });
  const properties = checkProperties(options.properties, "subscribe options.properties", version);
  const id = properties?.subscriptionIdentifier;
  if (id !== undefined) {
    checkInteger(id, "subscribe options.properties.subscriptionIdentifier", 1, 268_435_455);
  }
  checkSignal(options.signal, "subscribe options.signal");
  return [subscriptions, properties];
}

/** Checks an unsubscribe call; returns the filters and the properties. */
export function checkTopicFilters(
  filters: unknown,
  options: UnsubscribeOptions,
  version: ProtocolVersion,
): [string[], Properties | undefined] {
  checkObject(options, "unsubscribe options");
  const list = typeof filters === "string" ? [filters] : filters;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `unsubscribe filters must be a string or an array, got ${describe(filters)}`,
    );
  }
  if (list.length === 0) throw new RangeError("unsubscribe filters must not be an empty array");
  list.forEach((filter, i) => validateTopicFilter(filter, `unsubscribe filters[${i}]`));
  const properties = checkProperties(options.properties, "unsubscribe options.properties", version);
  checkSignal(options.signal, "unsubscribe options.signal");
  return [list as string[], properties];
}

type Entry = Partial<Omit<Subscription, "topicFilter">>;

/** The per-filter fields of `source` that are set, checked. */
function entry(
  source: SubscribeOptions | SubscribeRequest,
  field: string,
  version: ProtocolVersion,
): Entry {
  const out: Entry = {};
  if (source.qos !== undefined) out.qos = checkQoS(source.qos, `${field}.qos`);
  if (source.noLocal !== undefined) out.noLocal = checkBoolean(source.noLocal, `${field}.noLocal`);
  if (source.retainAsPublished !== undefined) {
    out.retainAsPublished = checkBoolean(source.retainAsPublished, `${field}.retainAsPublished`);
  }
  if (source.retainHandling !== undefined) {
    out.retainHandling = checkInteger(source.retainHandling, `${field}.retainHandling`, 0, 2) as
      | 0
      | 1
      | 2;
  }
  if (version !== 5) {
    for (const name of ["noLocal", "retainAsPublished", "retainHandling"] as const) {
      if (out[name]) throw new RangeError(`${field}.${name} needs protocolVersion 5`);
    }
  }
  return out;
}

/** Leaves out the MQTT 5 options that have their default value. */
function trim(subscription: Subscription): Subscription {
  if (subscription.noLocal === false) delete subscription.noLocal;
  if (subscription.retainAsPublished === false) delete subscription.retainAsPublished;
  if (subscription.retainHandling === 0) delete subscription.retainHandling;
  return subscription;
}

function checkSignal(signal: unknown, field: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${field} must be an AbortSignal, got ${describe(signal)}`);
  }
}
