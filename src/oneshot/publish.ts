/**
 * One-shot publishing, as paho's `paho.mqtt.publish`: connect, publish, disconnect, in one call.
 *
 * @example
 * ```ts
 * import { single } from "@korero/mqtt/publish";
 * await single("home/door", "open", { hostname: "localhost", qos: 1 }).catch(() => {});
 * ```
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";
import type { Payload } from "../client/payload.ts";
import type { PublishResult } from "../session/types.ts";
import { describe } from "../format.ts";
import { type OneShotOptions, withClient } from "./options.ts";

// The types these functions take and give (the whole client's, as in the root entry point).
export type * from "../../mod.ts";

/** One message of {@link multiple}. */
export interface OneShotMessage {
  /** The topic. */
  topic: string;
  /** The payload (empty when absent). */
  payload?: Payload;
  /**
   * Its QoS.
   * @default 0
   */
  qos?: QoS;
  /**
   * Whether the broker keeps it as the topic's retained message.
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 properties. */
  properties?: Properties;
}

/** A message as paho's tuple: `[topic, payload, qos, retain]`. */
export type OneShotTuple = [topic: string, payload?: Payload, qos?: QoS, retain?: boolean];

/** {@link single}'s options: the connection's, and the message's QoS, retain flag, properties. */
export interface SingleOptions extends OneShotOptions {
  /**
   * The message's QoS.
   * @default 0
   */
  qos?: QoS;
  /**
   * Whether the broker keeps it as the topic's retained message.
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 properties of the message. */
  properties?: Properties;
}

/**
 * Publishes `messages` in order, each once the previous one completed (written for QoS 0,
 * PUBACK / PUBCOMP for QoS 1/2), then disconnects cleanly; resolves with their results. A
 * refused connection rejects with `ConnectionRefusedError` (paho's `connack_string` as message).
 *
 * @throws {TypeError | RangeError} (as a rejection) for an empty list or a bad message
 */
export function multiple(
  messages: readonly (OneShotMessage | OneShotTuple)[],
  options: OneShotOptions = {},
): Promise<PublishResult[]> {
  try {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new TypeError(`messages must be a non-empty list, got ${describe(messages)}`);
    }
    const list = messages.map(toMessage);
    return withClient(options, true, async (client) => {
      const results: PublishResult[] = [];
      for (const m of list) {
        const publishOptions: { qos: QoS; retain: boolean; properties?: Properties } = {
          qos: m.qos ?? 0,
          retain: m.retain ?? false,
        };
        if (m.properties !== undefined) publishOptions.properties = m.properties;
        results.push(await client.publish(m.topic, m.payload, publishOptions));
      }
      return results;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Publishes one message and disconnects (paho's `publish.single`); see {@link multiple}. */
export async function single(
  topic: string,
  payload?: Payload,
  options: SingleOptions = {},
): Promise<PublishResult> {
  const { qos, retain, properties, ...connection } = options;
  const message: OneShotMessage = { topic };
  if (payload !== undefined) message.payload = payload;
  if (qos !== undefined) message.qos = qos;
  if (retain !== undefined) message.retain = retain;
  if (properties !== undefined) message.properties = properties;
  const [result] = await multiple([message], connection);
  return result!;
}

function toMessage(item: OneShotMessage | OneShotTuple, index: number): OneShotMessage {
  if (Array.isArray(item)) {
    const [topic, payload, qos, retain] = item;
    const message: OneShotMessage = { topic };
    if (payload !== undefined) message.payload = payload;
    if (qos !== undefined) message.qos = qos;
    if (retain !== undefined) message.retain = retain;
    return message;
  }
  if (typeof item !== "object" || item === null || typeof item.topic !== "string") {
    throw new TypeError(
      `messages[${index}] must be { topic, payload?, qos?, retain?, properties? } or [topic, payload?, qos?, retain?], got ${
        describe(item)
      }`,
    );
  }
  return item;
}
