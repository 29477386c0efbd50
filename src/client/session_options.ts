/**
 * The MQTT session part of a client's options: client identifier, clean start, keepalive,
 * credentials, will, reconnect policy and the limits of the send queue, resolved into the
 * session's {@link SessionOptions}.
 *
 * @module
 */

import type { ProtocolVersion, Will } from "../codec/types.ts";
import { admitConnect } from "../session/admission.ts";
import { utf8Length } from "../codec/utf8.ts";
import type { SessionOptions } from "../session/types.ts";
import { validateTopicName } from "../topic.ts";
import type { UrlParts } from "./broker_url.ts";
import type { ClientOptions } from "./options.ts";
import type { WillOptions } from "./will_options.ts";
import {
  checkBoolean,
  checkInteger,
  checkObject,
  checkProperties,
  checkQoS,
  checkString,
  describe,
  MAX_TIMER,
  toBytes,
} from "./_validate.ts";
import {
  booleanOption,
  generateClientId,
  integerOption,
  resolveReconnect,
} from "./option_values.ts";

/**
 * The session options of `o` (user and password may come from the `url`), every default
 * filled in.
 *
 * @throws {TypeError | RangeError} when one of those options is invalid
 */
export function resolveSession(
  o: ClientOptions,
  url: UrlParts | undefined,
  version: ProtocolVersion,
  random: () => number,
): SessionOptions {
  const clean = o.clean ?? true;
  if (clean !== true && clean !== false && clean !== "first") {
    throw new TypeError(`options.clean must be true, false or "first", got ${describe(clean)}`);
  }
  let clientId: string;
  if (o.clientId === undefined) clientId = generateClientId(random);
  else {
    clientId = checkString(o.clientId, "options.clientId");
    utf8Length(clientId, "options.clientId");
  }
  // Before MQTT 5 the server assigns no identifier: a clean session gets a generated one (a
  // persistent one is refused by admitConnect, [MQTT-3.1.3-7]).
  if (clientId === "" && version !== 5 && clean === true) clientId = generateClientId(random);
  const session: SessionOptions = {
    protocolVersion: version,
    clientId,
    clean,
    keepalive: o.keepalive === undefined
      ? 60
      : checkInteger(o.keepalive, "options.keepalive", 0, 65_535),
    reconnect: resolveReconnect(o.reconnect),
    retryFirstConnect: booleanOption(o.retryFirstConnect, "retryFirstConnect", false),
    connectTimeout: integerOption(o.connectTimeout, "connectTimeout", 30_000, 1, MAX_TIMER),
    operationTimeout: integerOption(o.operationTimeout, "operationTimeout", 0, 0, MAX_TIMER),
    maxInflight: integerOption(o.maxInflight, "maxInflight", 65_535, 1, 65_535),
    maxQueued: integerOption(o.maxQueued, "maxQueued", 10_000, 0, Number.MAX_SAFE_INTEGER),
    maxQueuedBytes: integerOption(
      o.maxQueuedBytes,
      "maxQueuedBytes",
      64 * 1024 * 1024,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    queueFull: o.queueFull ?? "wait",
    queueQoS0Offline: booleanOption(o.queueQoS0Offline, "queueQoS0Offline", false),
    resubscribe: booleanOption(o.resubscribe, "resubscribe", true),
    topicAliases: booleanOption(o.topicAliases, "topicAliases", false),
    qos2Delivery: o.qos2Delivery ?? "publish",
    disconnectTimeout: integerOption(o.disconnectTimeout, "disconnectTimeout", 1000, 0, MAX_TIMER),
    trace: booleanOption(o.trace, "trace", false),
  };
  if (session.qos2Delivery !== "publish" && session.qos2Delivery !== "pubrel") {
    throw new RangeError(
      `options.qos2Delivery must be "publish" or "pubrel", got ${describe(o.qos2Delivery)}`,
    );
  }
  if (session.queueFull !== "wait" && session.queueFull !== "reject") {
    throw new RangeError(
      `options.queueFull must be "wait" or "reject", got ${describe(o.queueFull)}`,
    );
  }
  const username = o.username ?? url?.username;
  if (username !== undefined) {
    utf8Length(checkString(username, "options.username"), "options.username");
    session.username = username;
  }
  const password = o.password ?? url?.password;
  if (password !== undefined) session.password = toPassword(password, "options.password");
  if (o.will !== undefined) session.will = resolveWill(o.will);
  const properties = checkProperties(o.properties, "options.properties");
  if (properties !== undefined) session.properties = properties;
  admitConnect(session); // the protocol's rules on a CONNECT, as the session applies them
  return session;
}

/**
 * A will as the session takes it; `name` names it in errors (`options.will`, `setWill will`).
 *
 * @throws {TypeError | RangeError} when `will` is invalid
 */
export function resolveWill(will: WillOptions, name = "options.will"): Will {
  checkObject(will, name);
  validateTopicName(will.topic, `${name}.topic`);
  const resolved: Will = {
    topic: will.topic,
    payload: will.payload === undefined
      ? new Uint8Array(0)
      : toBytes(will.payload, `${name}.payload`),
    qos: will.qos === undefined ? 0 : checkQoS(will.qos, `${name}.qos`),
    retain: will.retain === undefined ? false : checkBoolean(will.retain, `${name}.retain`),
  };
  if (resolved.payload.length > 65_535) {
    throw new RangeError(
      `${name}.payload must be at most 65,535 bytes, got ${resolved.payload.length}`,
    );
  }
  const properties = checkProperties(will.properties, `${name}.properties`);
  if (properties !== undefined) resolved.properties = properties;
  return resolved;
}

/**
 * A password as bytes, at most 65,535 of them; errors name `field` and never show the value.
 *
 * @throws {TypeError | RangeError} for another type, or too many bytes
 */
export function toPassword(value: unknown, field: string): Uint8Array {
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    const type = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw new TypeError(`${field} must be a string or a Uint8Array, got ${type}`);
  }
  const bytes = toBytes(value, field);
  if (bytes.length > 65_535) {
    throw new RangeError(`${field} must be at most 65,535 bytes, got ${bytes.length}`);
  }
  return bytes;
}
