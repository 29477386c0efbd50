/**
 * The argument checks of the client's methods (`publish`, `subscribe`, `unsubscribe`,
 * `disconnect`, `messages`): types, ranges and topic syntax, before the session sees the call,
 * so a bad argument queues nothing. The protocol's rules (what needs MQTT 5, what the server
 * allows) are the session's admission (`src/session/admission.ts`), which also runs before
 * anything is queued.
 *
 * @module
 */

import type { Properties, QoS, Subscription } from "../codec/types.ts";
import type {
  DisconnectOptions,
  MessagesOptions,
  PublishOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "./call_options.ts";
import type { DisconnectRequest, OutgoingMessage } from "../session/types.ts";
import { validateTopicFilter } from "../topic.ts";
import {
  checkBoolean,
  checkInteger,
  checkObject,
  checkProperties,
  checkQoS,
  describe,
  MAX_UINT32,
} from "./_validate.ts";

const EMPTY = new Uint8Array(0);

/** Checks publish options; returns the message without topic and payload (filled by the caller). */
export function checkPublishOptions(options: PublishOptions): OutgoingMessage {
  checkObject(options, "publish options");
  const message: OutgoingMessage = {
    topic: "",
    payload: EMPTY,
    qos: options.qos ?? 0, // checked by the session's admission, with the other protocol rules
    retain: options.retain === undefined
      ? false
      : checkBoolean(options.retain, "publish options.retain"),
  };
  const properties = checkProperties(options.properties, "publish options.properties");
  if (properties !== undefined) message.properties = properties;
  checkSignal(options.signal, "publish options.signal");
  return message;
}

/** Checks a subscribe call; returns the subscriptions and the properties. */
export function checkSubscriptions(
  filterOrList: unknown,
  options: SubscribeOptions,
): [Subscription[], Properties | undefined] {
  checkObject(options, "subscribe options");
  const shared = { qos: 0 as QoS, ...entry(options, "subscribe options") };
  const list = typeof filterOrList === "string" ? [filterOrList] : filterOrList;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `subscribe filters must be a string or an array, got ${describe(filterOrList)}`,
    );
  }
  // An empty list is refused by the session's admission, with the other protocol rules.
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
        ...entry(request, field),
        topicFilter: request.topicFilter,
      };
    }
    return trim(subscription);
  });
  // The values of properties are checked by the codec when the session admits the call.
  const properties = checkProperties(options.properties, "subscribe options.properties");
  checkSignal(options.signal, "subscribe options.signal");
  return [subscriptions, properties];
}

/** Checks an unsubscribe call; returns the filters and the properties. */
export function checkTopicFilters(
  filters: unknown,
  options: UnsubscribeOptions,
): [string[], Properties | undefined] {
  checkObject(options, "unsubscribe options");
  const list = typeof filters === "string" ? [filters] : filters;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `unsubscribe filters must be a string or an array, got ${describe(filters)}`,
    );
  }
  // An empty list is refused by the session's admission, with the other protocol rules.
  list.forEach((filter, i) => validateTopicFilter(filter, `unsubscribe filters[${i}]`));
  const properties = checkProperties(options.properties, "unsubscribe options.properties");
  checkSignal(options.signal, "unsubscribe options.signal");
  return [list as string[], properties];
}

/** Checks disconnect options; returns the session's request. */
export function checkDisconnect(options: DisconnectOptions): DisconnectRequest {
  checkObject(options, "disconnect options");
  const request: DisconnectRequest = {};
  if (options.reasonCode !== undefined) {
    checkInteger(options.reasonCode, "disconnect options.reasonCode", 0, 255);
    request.reasonCode = options.reasonCode;
  }
  let properties = options.properties;
  if (properties !== undefined) checkObject(properties, "disconnect options.properties");
  if (options.sessionExpiryInterval !== undefined) {
    checkInteger(
      options.sessionExpiryInterval,
      "disconnect options.sessionExpiryInterval",
      0,
      MAX_UINT32,
    );
    properties = { ...properties, sessionExpiryInterval: options.sessionExpiryInterval };
  }
  if (properties !== undefined) request.properties = properties;
  if (options.force !== undefined) {
    request.force = checkBoolean(options.force, "disconnect options.force");
  }
  return request;
}

/** Checks `messages()` options; returns the buffer capacity (`fallback` when not given). */
export function checkMessagesOptions(options: MessagesOptions, fallback: number): number {
  checkObject(options, "messages() options");
  if (options.buffer === undefined) return fallback;
  return checkInteger(options.buffer, "messages() options.buffer", 1, 2_147_483_647);
}

type Entry = Partial<Omit<Subscription, "topicFilter">>;

/** The per-filter fields of `source` that are set, checked. */
function entry(source: SubscribeOptions | SubscribeRequest, field: string): Entry {
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
  return out;
}

/** Leaves out the MQTT 5 options that have their default value. */
function trim(subscription: Subscription): Subscription {
  if (subscription.noLocal === false) delete subscription.noLocal;
  if (subscription.retainAsPublished === false) delete subscription.retainAsPublished;
  if (subscription.retainHandling === 0) delete subscription.retainHandling;
  return subscription;
}

/** Checks an optional `AbortSignal` option. */
export function checkSignal(signal: unknown, field: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${field} must be an AbortSignal, got ${describe(signal)}`);
  }
}
