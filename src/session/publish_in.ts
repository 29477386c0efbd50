/**
 * Incoming application messages: topic alias resolution (MQTT 5), delivery and the QoS 1/2
 * answers. QoS 0 is delivered; QoS 1 is delivered, then PUBACKed; QoS 2 is delivered once, then
 * PUBRECed, and its identifier is remembered until PUBREL (see {@link Qos2Receipts}), which is
 * answered with PUBCOMP (0x92 Packet Identifier not found on MQTT 5 when the identifier is
 * unknown).
 *
 * A fault is returned, not raised: an invalid topic alias (0x94), a PUBLISH with neither topic
 * nor alias (0x82), more unacknowledged QoS 2 messages than our Receive Maximum (0x93). The
 * session decides what it does to the connection.
 *
 * @module
 */

import type { PubAckPacket, PublishPacket } from "../codec/types.ts";
import { ProtocolError } from "../errors.ts";
import type { Effects } from "./effects.ts";
import { Qos2Receipts } from "./qos2_receipts.ts";
import { IncomingTopicAliases } from "./topic_alias.ts";
import type { SessionOptions } from "./types.ts";

/** Incoming PUBLISH and PUBREL of one session. */
export class PublishIn {
  readonly #v5: boolean;
  /** Our Receive Maximum (MQTT 5 CONNECT property, default 65,535); unbounded before MQTT 5. */
  readonly #receiveMaximum: number;
  /** Our Topic Alias Maximum (MQTT 5 CONNECT property, default 0). */
  readonly #topicAliasMaximum: number;
  readonly #qos2 = new Qos2Receipts();
  readonly #aliases = new IncomingTopicAliases();

  constructor(options: SessionOptions) {
    this.#v5 = options.protocolVersion === 5;
    const p = this.#v5 ? options.properties : undefined;
    this.#receiveMaximum = this.#v5 ? p?.receiveMaximum ?? 65_535 : Infinity;
    this.#topicAliasMaximum = p?.topicAliasMaximum ?? 0;
  }

  /** A CONNACK was accepted: aliases start afresh; QoS 2 identifiers survive only a session. */
  connected(sessionPresent: boolean): void {
    this.#aliases.reset(this.#topicAliasMaximum);
    if (!sessionPresent) this.#qos2.clear();
  }

  /** An incoming PUBLISH: delivered and answered, or the fault that ends the connection. */
  onPublish(fx: Effects, packet: PublishPacket): ProtocolError | undefined {
    let message = packet;
    if (this.#v5) {
      const alias = packet.properties?.topicAlias;
      if (alias !== undefined) {
        const topic = this.#aliases.resolve(packet.topic, alias);
        if (typeof topic !== "string") return topic;
        if (topic !== packet.topic) message = { ...packet, topic };
      } else if (packet.topic === "") {
        return new ProtocolError("PUBLISH has neither a topic name nor a topic alias");
      }
    }
    const id = packet.packetId as number;
    switch (packet.qos) {
      case 0:
        fx.emit({ type: "message", message });
        return undefined;
      case 1:
        fx.emit({ type: "message", message });
        fx.ack("puback", id, 0);
        return undefined;
      case 2: {
        const arrival = this.#qos2.arrive(id, this.#receiveMaximum);
        if (arrival === "exceeded") {
          return new ProtocolError(
            `More than ${this.#receiveMaximum} unacknowledged QoS 2 PUBLISH received (our Receive Maximum)`,
            { reasonCode: 0x93 },
          );
        }
        if (arrival === "new") fx.emit({ type: "message", message });
        fx.ack("pubrec", id, 0);
        return undefined;
      }
    }
  }

  /** PUBREL → PUBCOMP; an unknown identifier gets 0x92 on MQTT 5 (a plain PUBCOMP before). */
  onPubrel(fx: Effects, packet: PubAckPacket): void {
    const known = this.#qos2.release(packet.packetId);
    fx.ack("pubcomp", packet.packetId, known ? 0 : 0x92);
  }
}
