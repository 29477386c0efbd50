/**
 * Incoming application messages: topic alias resolution (MQTT 5), delivery and the QoS 1/2
 * answers. QoS 0 is delivered; QoS 1 is delivered, then PUBACKed; QoS 2 is delivered once, then
 * PUBRECed, and its identifier is remembered until PUBREL (see {@link Inbound}), which is answered
 * with PUBCOMP (0x92 Packet Identifier not found on MQTT 5 when the identifier is unknown).
 *
 * Faults are handed to the host's `fail`: an invalid topic alias (0x94), a PUBLISH with neither
 * topic nor alias (0x82), more unacknowledged QoS 2 messages than our Receive Maximum (0x93).
 *
 * @module
 */

import type { PubAckPacket, PublishPacket } from "../codec/types.ts";
import { ProtocolError } from "../errors.ts";
import { Inbound } from "./inbound.ts";
import { IncomingTopicAliases } from "./topic_alias.ts";
import type { SessionAction, SessionOptions } from "./types.ts";
import type { WireCodec } from "./wire.ts";

/** What {@link Incoming} needs from the session that owns it. */
export interface IncomingHost {
  readonly options: SessionOptions;
  readonly wire: WireCodec;
  /** Emits `bytes`; `urgent` marks an acknowledgement that may overtake unsent PUBLISH bytes. */
  write(bytes: Uint8Array, urgent?: boolean): void;
  emit(action: SessionAction): void;
  fail(error: ProtocolError): void;
}

/** Incoming PUBLISH and PUBREL of one session. */
export class Incoming {
  readonly #host: IncomingHost;
  readonly #v5: boolean;
  /** Our Receive Maximum (MQTT 5 CONNECT property, default 65,535); unbounded before MQTT 5. */
  readonly #receiveMaximum: number;
  readonly #qos2 = new Inbound();
  readonly #aliases = new IncomingTopicAliases();

  constructor(host: IncomingHost) {
    const o = host.options;
    this.#host = host;
    this.#v5 = o.protocolVersion === 5;
    this.#receiveMaximum = this.#v5 ? o.properties?.receiveMaximum ?? 65_535 : Infinity;
  }

  /** A CONNACK was accepted: aliases start afresh; QoS 2 identifiers survive only a session. */
  connected(sessionPresent: boolean): void {
    this.#aliases.reset(this.#v5 ? this.#host.options.properties?.topicAliasMaximum ?? 0 : 0);
    if (!sessionPresent) this.#qos2.clear();
  }

  /** An incoming PUBLISH. */
  onPublish(packet: PublishPacket): void {
    const host = this.#host;
    let message = packet;
    if (this.#v5) {
      const alias = packet.properties?.topicAlias;
      if (alias !== undefined) {
        const topic = this.#aliases.resolve(packet.topic, alias);
        if (typeof topic !== "string") return host.fail(topic);
        if (topic !== packet.topic) message = { ...packet, topic };
      } else if (packet.topic === "") {
        return host.fail(new ProtocolError("PUBLISH has neither a topic name nor a topic alias"));
      }
    }
    const id = packet.packetId as number;
    switch (packet.qos) {
      case 0:
        host.emit({ type: "message", message });
        return;
      case 1:
        host.emit({ type: "message", message });
        host.write(host.wire.encodeAck("puback", id, 0), true);
        return;
      case 2: {
        const arrival = this.#qos2.arrive(id, this.#receiveMaximum);
        if (arrival === "exceeded") {
          return host.fail(
            new ProtocolError(
              `More than ${this.#receiveMaximum} unacknowledged QoS 2 PUBLISH received (our Receive Maximum)`,
              { reasonCode: 0x93 },
            ),
          );
        }
        if (arrival === "new") host.emit({ type: "message", message });
        host.write(host.wire.encodeAck("pubrec", id, 0), true);
      }
    }
  }

  /** PUBREL → PUBCOMP; an unknown identifier gets 0x92 on MQTT 5 (a plain PUBCOMP before). */
  onPubrel(packet: PubAckPacket): void {
    const known = this.#qos2.release(packet.packetId);
    const code = known || !this.#v5 ? 0 : 0x92;
    this.#host.write(this.#host.wire.encodeAck("pubcomp", packet.packetId, code), true);
  }
}
