/**
 * Application messages as the client delivers them.
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";
import type { InboundMessage } from "../session/types.ts";

/** A message received from the broker. */
export interface Message {
  /** The topic it was published to (a topic alias already resolved). */
  readonly topic: string;
  /** The payload bytes; see {@link payloadText} for text. */
  readonly payload: Uint8Array;
  /** The QoS it was delivered with. */
  readonly qos: QoS;
  /** Whether the broker sent it as a retained message (e.g. on subscribe). */
  readonly retain: boolean;
  /** Whether this may be a redelivery of an earlier attempt. */
  readonly dup: boolean;
  /**
   * MQTT 5 properties: `contentType`, `responseTopic`, `userProperties`, … (never
   * `topicAlias`: it means nothing off the connection it came on).
   */
  readonly properties?: Properties;
  /** Its packet identifier, as paho's `mid` (0 for QoS 0). */
  readonly mid: number;
  /** When it arrived, in milliseconds on the client's (monotonic) clock. */
  readonly timestamp: number;
  /**
   * Acknowledges it (QoS 1: PUBACK; QoS 2: PUBREC, or PUBCOMP with `qos2Delivery: "pubrel"`),
   * with an MQTT 5 `reasonCode` (e.g. 0x80, 0x83, 0x87: the broker learns it was refused).
   * Needed with `manualAck`; otherwise korero acknowledges once the application took the
   * message. Returns false, and does nothing, for QoS 0, a second call, or a message whose
   * connection has ended.
   */
  ack(reasonCode?: number): boolean;
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

/** What a {@link ReceivedMessage} asks of the client when it is acknowledged: the client. */
export interface Acknowledger {
  /** Acknowledges `message` (see `MqttClient.ack`). */
  ack(message: ReceivedMessage, reasonCode: number): boolean;
}

/**
 * The client's {@link Message}: the session's delivery (the session makes it, through the client's
 * `MessageMaker`), with how to acknowledge it.
 */
export class ReceivedMessage implements Message, InboundMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  declare readonly properties?: Properties;
  readonly mid: number;
  readonly timestamp: number;
  /** The session's receipt for acknowledging it (0 for QoS 0), set by the session. */
  receipt = 0;
  /** `messages()` iterators that hold it and have not handed it out yet. */
  holders = 0;
  /** No consumer took it: an iterator gave it up unread, or nothing matched it. */
  unread = false;
  readonly #acknowledger: Acknowledger;

  /** The fields as `MessageMaker.newMessage` takes them, then who acknowledges it. */
  constructor(
    topic: string,
    payload: Uint8Array,
    qos: QoS,
    retain: boolean,
    dup: boolean,
    mid: number,
    timestamp: number,
    properties: Properties | undefined,
    acknowledger: Acknowledger,
  ) {
    this.topic = topic;
    this.payload = payload;
    this.qos = qos;
    this.retain = retain;
    this.dup = dup;
    if (properties !== undefined) (this as { properties?: Properties }).properties = properties;
    this.mid = mid;
    this.timestamp = timestamp;
    this.#acknowledger = acknowledger;
  }

  ack(reasonCode = 0): boolean {
    return this.#acknowledger.ack(this, reasonCode);
  }

  /** Whether `acknowledger` (a client) delivered it. */
  deliveredBy(acknowledger: Acknowledger): boolean {
    return this.#acknowledger === acknowledger;
  }
}
