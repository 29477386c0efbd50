/**
 * Application messages as the client delivers them.
 *
 * @module
 */

import type { Properties, PublishPacket, QoS } from "../codec/types.ts";

/** A message received from the broker. */
export interface Message {
  /** The topic it was published to (a topic alias already resolved). */
  topic: string;
  /** The payload bytes; see {@link payloadText} for text. */
  payload: Uint8Array;
  /** The QoS it was delivered with. */
  qos: QoS;
  /** Whether the broker sent it as a retained message (e.g. on subscribe). */
  retain: boolean;
  /** Whether this may be a redelivery of an earlier attempt. */
  dup: boolean;
  /** MQTT 5 properties: `contentType`, `responseTopic`, `userProperties`, … */
  properties?: Properties;
}

const decoder = new TextDecoder();

/**
 * The payload of `message` decoded as UTF-8 (invalid sequences become U+FFFD).
 *
 * @example
 * ```ts
 * import { connect, payloadText } from "@korero/mqtt";
 * const client = await connect("mqtt://localhost");
 * const seen: string[] = [];
 * client.onMessage = ({ message }) => seen.push(`${message.topic}: ${payloadText(message)}`);
 * ```
 */
export function payloadText(message: Pick<Message, "payload">): string {
  return decoder.decode(message.payload);
}

/** The {@link Message} view of a received PUBLISH. */
export function messageOf(packet: PublishPacket): Message {
  const message: Message = {
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
  };
  if (packet.properties !== undefined) message.properties = packet.properties;
  return message;
}
