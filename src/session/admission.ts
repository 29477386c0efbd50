/**
 * Admission: every protocol rule that decides whether an operation may be sent, in one place.
 * Pure functions of the operation, the protocol version and the server's limits; each throws a
 * `RangeError` that names the field and cites the rule, and queues nothing. The client checks
 * argument shapes (types, ranges, topic syntax); the session admits operations with these
 * functions before accepting them, and then encodes them without checking again.
 *
 * - Version rules: properties and the MQTT 5 subscription options need protocol version 5; so
 *   do a non-zero DISCONNECT reason code and outgoing topic aliases.
 * - Server limits from the CONNACK (MQTT 5 §3.2.2.3): Maximum QoS, Retain Available, Topic
 *   Alias Maximum, Wildcard / Shared Subscription and Subscription Identifier availability, and
 *   Maximum Packet Size.
 * - Rules of the spec on the client's own packets: [MQTT-3.1.3-7], [MQTT-3.1.2-22],
 *   [MQTT-3.3.4-6], [MQTT-3.8.3-4], [MQTT-3.14.2-2].
 *
 * @module
 */

import { checkConnectProperties, clientEncodedLength } from "../codec/client_codec.ts";
import { MAX_PACKET_SIZE } from "../codec/constants.ts";
import type {
  Packet,
  Properties,
  ProtocolVersion,
  PublishPacket,
  Subscription,
} from "../codec/types.ts";
import { MqttError } from "../errors.ts";
import { checkQoS } from "../checks.ts";
import { describe } from "../format.ts";
import type { ServerLimits } from "./limits.ts";
import type { DisconnectRequest, OutgoingMessage, SessionOptions } from "./types.ts";

const SHARED_PREFIX = "$share/";
const encoder = new TextEncoder();

/**
 * Throws unless `options` make a CONNECT the protocol version allows, with valid MQTT 5
 * properties (its own and its will's).
 */
export function admitConnect(options: SessionOptions): void {
  const v = options.protocolVersion;
  if (v !== 5) {
    if (options.properties !== undefined) needsV5("options.properties", v);
    if (options.will?.properties !== undefined) needsV5("options.will.properties", v);
    if (options.topicAliases) needsV5("options.topicAliases", v);
    if (options.clientId === "" && options.clean !== true) {
      throw new RangeError(
        `options.clientId must not be empty with a persistent session (clean: ${
          describe(options.clean)
        }) on MQTT 3.1/3.1.1 [MQTT-3.1.3-7]`,
      );
    }
    if (options.password !== undefined && options.username === undefined) {
      throw new RangeError(
        "options.password needs options.username on MQTT 3.1/3.1.1 [MQTT-3.1.2-22]",
      );
    }
  }
  if (v === 5) {
    if (options.properties !== undefined) {
      checkConnectProperties(options.properties, "connect", "options.properties");
    }
    const willProperties = options.will?.properties;
    if (willProperties !== undefined) {
      checkConnectProperties(willProperties, "will", "will.properties");
    }
  }
  if (v === 3 && encoder.encode(options.clientId).length > 23) {
    throw new RangeError(
      `options.clientId must be at most 23 bytes on MQTT 3.1, got ${describe(options.clientId)}`,
    );
  }
}

/**
 * Throws unless `message` may be published under `limits`: a QoS of 0, 1 or 2, version rules,
 * [MQTT-3.3.4-6], the `topicAliases` option, the server's limits and its Maximum Packet Size.
 */
export function admitPublish(
  message: OutgoingMessage,
  version: ProtocolVersion,
  limits: ServerLimits,
  autoAliases: boolean,
): void {
  checkQoS(message.qos, "publish options.qos");
  const properties = message.properties;
  if (properties !== undefined) {
    if (version !== 5) needsV5("publish options.properties", version);
    if (properties.subscriptionIdentifier !== undefined) {
      throw new RangeError(
        "publish options.properties.subscriptionIdentifier must be left out: only servers send it [MQTT-3.3.4-6]",
      );
    }
    if (autoAliases && properties.topicAlias !== undefined) {
      throw new RangeError(
        "publish properties.topicAlias must be left out while the topicAliases option assigns aliases",
      );
    }
  }
  const violation = publishViolation(limits, message);
  if (violation !== undefined) throw new RangeError(violation[0]);
  const max = limits.maximumPacketSize;
  // Cheap upper bound of the packet size: only near the limit (the server's, else the
  // protocol's 268,435,460 bytes) or with properties to validate is the exact size computed.
  const bound = 10 + 3 * message.topic.length + message.payload.length;
  if (properties !== undefined || bound > (max ?? MAX_PACKET_SIZE)) {
    const packet: PublishPacket = {
      type: "publish",
      topic: message.topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      dup: false,
    };
    if (message.qos > 0) packet.packetId = 1;
    if (properties !== undefined) packet.properties = properties;
    admitSize(packet, version, max);
  }
}

/**
 * Why `message` cannot be published under `limits`, as [message, MQTT 5 reason code], or
 * undefined when it can. Covers QoS, retain and the topic alias range; checked when a message is
 * accepted and again when it is sent on a connection whose CONNACK may have lowered them.
 */
export function publishViolation(
  limits: ServerLimits,
  message: OutgoingMessage,
): [string, number] | undefined {
  if (message.qos > limits.maximumQoS) {
    return [
      `publish options.qos must be at most ${limits.maximumQoS}, the server's Maximum QoS [MQTT-3.2.2-11], got ${message.qos}`,
      0x9b,
    ];
  }
  if (message.retain && !limits.retainAvailable) {
    return [
      "publish options.retain must be false: the server sent Retain Available 0 [MQTT-3.2.2-14]",
      0x9a,
    ];
  }
  const alias = message.properties?.topicAlias;
  if (alias !== undefined && (alias < 1 || alias > limits.topicAliasMaximum)) {
    return [
      `publish properties.topicAlias must be in 1..${limits.topicAliasMaximum}, the server's Topic Alias Maximum [MQTT-3.2.2-17], got ${alias}`,
      0x94,
    ];
  }
  return undefined;
}

/**
 * Throws unless `subscriptions` may be sent: the MQTT 5 options need version 5, no local is
 * not allowed on a shared subscription [MQTT-3.8.3-4], and the server must offer wildcards,
 * shared subscriptions and subscription identifiers where they are used (MQTT 5
 * §3.2.2.3.11–13); the packet must fit the server's Maximum Packet Size.
 */
export function admitSubscribe(
  subscriptions: readonly Subscription[],
  properties: Properties | undefined,
  version: ProtocolVersion,
  limits: ServerLimits,
): void {
  if (subscriptions.length === 0) {
    throw new RangeError("subscribe filters must not be an empty array");
  }
  subscriptions.forEach((s, i) => {
    const field = `subscribe filters[${i}]`;
    if (version !== 5) {
      for (const name of ["noLocal", "retainAsPublished", "retainHandling"] as const) {
        if (s[name]) needsV5(`${field}.${name}`, version);
      }
    }
    const filter = s.topicFilter;
    const shared = filter.startsWith(SHARED_PREFIX);
    if (s.noLocal === true && shared) {
      throw new RangeError(
        `${field}.noLocal must be false on the shared subscription "${filter}" [MQTT-3.8.3-4]`,
      );
    }
    if (!limits.wildcardSubscriptionAvailable && (filter.includes("+") || filter.includes("#"))) {
      throw new RangeError(
        `${field} must have no wildcard: the server sent Wildcard Subscription Available 0, got "${filter}"`,
      );
    }
    if (!limits.sharedSubscriptionAvailable && shared) {
      throw new RangeError(
        `${field} must not be a shared subscription: the server sent Shared Subscription Available 0, got "${filter}"`,
      );
    }
  });
  if (properties !== undefined) {
    if (version !== 5) needsV5("subscribe options.properties", version);
    const id = properties.subscriptionIdentifier;
    if (id !== undefined && !limits.subscriptionIdentifierAvailable) {
      throw new RangeError(
        `subscribe options.properties.subscriptionIdentifier must be left out: the server sent Subscription Identifier Available 0, got ${id}`,
      );
    }
  }
  admitSize(
    { type: "subscribe", packetId: 1, subscriptions: [...subscriptions], ...props(properties) },
    version,
    limits.maximumPacketSize,
  );
}

/** Throws unless an UNSUBSCRIBE of `topicFilters` may be sent. */
export function admitUnsubscribe(
  topicFilters: readonly string[],
  properties: Properties | undefined,
  version: ProtocolVersion,
  limits: ServerLimits,
): void {
  if (topicFilters.length === 0) {
    throw new RangeError("unsubscribe filters must not be an empty array");
  }
  if (properties !== undefined && version !== 5) {
    needsV5("unsubscribe options.properties", version);
  }
  admitSize(
    { type: "unsubscribe", packetId: 1, topicFilters: [...topicFilters], ...props(properties) },
    version,
    limits.maximumPacketSize,
  );
}

/**
 * Throws unless `request` may be sent: a reason code other than 0 and properties need MQTT 5,
 * and a non-zero Session Expiry Interval cannot follow a CONNECT that had none or 0
 * [MQTT-3.14.2-2]. `connectExpiry` is the CONNECT's Session Expiry Interval.
 */
export function admitDisconnect(
  request: DisconnectRequest,
  version: ProtocolVersion,
  connectExpiry: number | undefined,
): void {
  const code = request.reasonCode;
  if (version !== 5) {
    if (code !== undefined && code !== 0) {
      throw new RangeError(`disconnect options.reasonCode needs protocolVersion 5, got ${code}`);
    }
    if (request.properties !== undefined) needsV5("disconnect options.properties", version);
    return;
  }
  const expiry = request.properties?.sessionExpiryInterval;
  if (expiry !== undefined && expiry !== 0 && (connectExpiry ?? 0) === 0) {
    throw new RangeError(
      `disconnect options.properties.sessionExpiryInterval must be 0 after a CONNECT with a Session Expiry Interval of 0 [MQTT-3.14.2-2], got ${expiry}`,
    );
  }
}

/** Throws when `packet` would exceed the server's Maximum Packet Size `max` [MQTT-3.2.2-15]. */
export function admitSize(packet: Packet, version: ProtocolVersion, max: number | undefined): void {
  const size = clientEncodedLength(packet, version);
  if (max !== undefined && size > max) {
    throw new RangeError(
      `${packet.type} packet must be at most ${max} bytes, the server's Maximum Packet Size [MQTT-3.2.2-15], got ${size} bytes`,
    );
  }
}

/**
 * The error for `what` (e.g. `PUBLISH to "a/b"`, see `describeWork`) whose packet, encoded for
 * this connection, has `size` bytes, more than the server's Maximum Packet Size `max`.
 */
export function tooLarge(what: string, size: number, max: number): MqttError {
  return new MqttError(
    `${what} not sent: ${size} bytes exceed the server's Maximum Packet Size ${max} [MQTT-3.2.2-15]`,
    { reasonCode: 0x95 },
  );
}

/** `{ properties }` when defined, else `{}` (for exact optional properties). */
export function props(properties: Properties | undefined): { properties?: Properties } {
  return properties === undefined ? {} : { properties };
}

function needsV5(field: string, version: ProtocolVersion): never {
  throw new RangeError(`${field} needs protocolVersion 5, got protocolVersion ${version}`);
}
