/**
 * Application messages and what operations resolve to, as the session takes and gives them:
 * the message given to `publish`, the message delivered, and the results of `publish`,
 * `subscribe` and `unsubscribe`.
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";

/**
 * A received application message as the session delivers it: topic alias resolved (and the
 * `topicAlias` property left out: it means nothing off its connection), with the packet
 * identifier and the time it arrived. A QoS 1/2 message is acknowledged only when the caller
 * says so with `ack(receipt, …)`.
 */
export interface InboundMessage {
  /** The topic (alias resolved). */
  topic: string;
  /** The payload bytes (a view into the bytes read). */
  payload: Uint8Array;
  /** The QoS it was delivered with. */
  qos: QoS;
  /** The retain flag. */
  retain: boolean;
  /** The DUP flag: the server may have sent it before. */
  dup: boolean;
  /** MQTT 5 properties, without `topicAlias`. */
  properties?: Properties;
  /** The packet identifier (0 for QoS 0), as paho's `mid`. */
  mid: number;
  /** When it arrived: the `now` of the input that delivered it (milliseconds). */
  timestamp: number;
  /** What `ack()` takes to acknowledge it; 0 for QoS 0 (nothing to acknowledge). */
  receipt: number;
}

/**
 * Makes the objects received messages are delivered as. A client whose messages are objects of
 * its own (with `ack()`, say) passes one to the `Session`, so a delivery is one object rather
 * than the session's and the client's copy of it. The session sets `receipt` afterwards, when the
 * message is to be acknowledged (it is 0 until then). Without one, messages are plain objects.
 */
export interface MessageMaker {
  /** A received message of these fields, `receipt` 0; `properties` is left out when undefined. */
  newMessage(
    topic: string,
    payload: Uint8Array,
    qos: QoS,
    retain: boolean,
    dup: boolean,
    mid: number,
    timestamp: number,
    properties: Properties | undefined,
  ): InboundMessage;
}

/** The session's own {@link MessageMaker}: plain objects. */
export const PLAIN_MESSAGES: MessageMaker = {
  newMessage(topic, payload, qos, retain, dup, mid, timestamp, properties) {
    const message: InboundMessage = {
      topic,
      payload,
      qos,
      retain,
      dup,
      mid,
      timestamp,
      receipt: 0,
    };
    if (properties !== undefined) message.properties = properties;
    return message;
  },
};

/** `message`'s fields made anew by `maker` (`receipt` 0). */
export function remake(maker: MessageMaker, message: InboundMessage): InboundMessage {
  const { topic, payload, qos, retain, dup, mid, timestamp, properties } = message;
  return maker.newMessage(topic, payload, qos, retain, dup, mid, timestamp, properties);
}

/** An outgoing application message, as given to `publish`. */
export interface OutgoingMessage {
  /** The topic name ("" only with a topic alias that stands for one, MQTT 5). */
  topic: string;
  /** The payload bytes. */
  payload: Uint8Array;
  /** 0, 1 or 2. */
  qos: QoS;
  /** Ask the server to keep it as the topic's retained message. */
  retain: boolean;
  /** MQTT 5 PUBLISH properties. */
  properties?: Properties;
}

/** What `publish` resolves to: PUBACK/PUBREC/PUBCOMP reason code (0 for QoS 0) and properties. */
export interface PublishResult {
  /** The packet identifier it was sent with (0 for QoS 0), as paho's `mid`. */
  mid: number;
  /** The PUBACK / PUBCOMP reason code (below 0x80: success; always 0 before MQTT 5). */
  reasonCode: number;
  /** The acknowledgement's MQTT 5 properties (reason string, user properties). */
  properties?: Properties;
}

/**
 * What `subscribe` and `unsubscribe` resolve to: one reason code per filter, in order. (An
 * MQTT 3.1/3.1.1 UNSUBACK has no codes; it reports 0 Success for every filter.)
 */
export interface AckResult {
  /** The packet identifier of the SUBSCRIBE / UNSUBSCRIBE, as paho's `mid`. */
  mid: number;
  /** One code per filter: the granted QoS (SUBACK), 0 / 0x11 (UNSUBACK), or a failure ≥ 0x80. */
  reasonCodes: number[];
  /** The acknowledgement's MQTT 5 properties (reason string, user properties). */
  properties?: Properties;
}
