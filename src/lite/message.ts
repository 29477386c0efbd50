/**
 * `LiteMessage`: a message the lite client received, as its `onMessage` and `messages()` streams
 * get it, and how its acknowledgement (PUBACK, or PUBREC for QoS 2) is sent once every consumer
 * took it; `resolveTopicAlias()`, which gives a received PUBLISH the topic its alias stands for.
 *
 * @module
 */

import type { Properties, PublishPacket, QoS } from "../codec/types.ts";
import type { Message } from "../client/message.ts";
import { ProtocolError } from "../errors.ts";

/** A received message, acknowledged once every consumer took it (or by `ack()`). */
export class LiteMessage implements Message {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  declare readonly properties?: Properties;
  readonly mid: number;
  readonly timestamp: number;
  /** Consumers that hold it and have not taken it yet. */
  holders = 1;
  /** The acknowledgement was sent, refused or given up. */
  done: boolean;
  /** The reason code `ack()` was called with. */
  reasonCode = 0;
  readonly #acknowledge: Acknowledge;
  readonly #connection: number;

  constructor(packet: PublishPacket, acknowledge: Acknowledge, connection: number) {
    this.topic = packet.topic;
    this.payload = packet.payload;
    this.qos = packet.qos;
    this.retain = packet.retain;
    this.dup = packet.dup;
    if (packet.properties !== undefined) this.properties = packet.properties;
    this.mid = packet.packetId ?? 0;
    this.timestamp = performance.now();
    this.done = packet.qos === 0;
    this.#acknowledge = acknowledge;
    this.#connection = connection;
  }

  ack(reasonCode = 0): boolean {
    if (this.done) return false;
    this.done = true;
    this.reasonCode = reasonCode;
    return this.#acknowledge(this, this.#connection, reasonCode);
  }

  /** A consumer took it or gave it up: acknowledge once none holds it. */
  release(): void {
    if (--this.holders === 0) this.ack();
  }
}

/** Sends a message's acknowledgement if `connection` is still the current one (or, for a QoS 2
 * message, if the session still holds it). */
export type Acknowledge = (message: LiteMessage, connection: number, reasonCode: number) => boolean;

/**
 * Takes the topic alias out of a received PUBLISH (it means nothing off its connection) and gives
 * the packet the topic it stands for: the one the packet sets it to (kept in `aliases`), or the
 * one `aliases` holds. Returns the protocol error for an alias outside 1–`maximum` (the client's
 * `topicAliasMaximum`) or never set.
 */
export function resolveTopicAlias(
  packet: PublishPacket,
  aliases: Map<number, string>,
  maximum: number,
): ProtocolError | undefined {
  const alias = packet.properties?.topicAlias;
  if (alias === undefined) return undefined;
  const properties: Properties = { ...packet.properties };
  delete properties.topicAlias; // it means nothing off this connection
  if (Object.keys(properties).length > 0) packet.properties = properties;
  else delete packet.properties;
  const topic = packet.topic || aliases.get(alias);
  if (alias < 1 || alias > maximum || topic === undefined) {
    const problem = topic === undefined ? "never set" : `outside 1–${maximum}`;
    return new ProtocolError(`The server used topic alias ${alias}, ${problem}`, {
      reasonCode: 0x94,
    });
  }
  aliases.set(alias, packet.topic = topic);
  return undefined;
}
