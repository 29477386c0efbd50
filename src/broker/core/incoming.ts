/**
 * `Incoming`: the application messages one client publishes — its topic aliases, the broker's
 * Maximum QoS and Retain Available, QoS 2 identifiers (a re-send is not routed twice) and
 * Receive Maximum, routing, and the PUBACK / PUBREC / PUBCOMP that answer (0x10 No matching
 * subscribers on MQTT 5; 0x92 for a PUBREL of an unknown identifier).
 *
 * @module
 */

import type { PublishPacket } from "../../codec/types.ts";
import type { BrokerCore } from "./broker_core.ts";
import type { Connection } from "./connection.ts";
import { messageFromPublish } from "./message.ts";
import type { Session } from "./session.ts";

/** The incoming PUBLISH and PUBREL of one connection. */
export class Incoming {
  readonly #core: BrokerCore;
  readonly #connection: Connection;
  /** The client's topic aliases. */
  readonly #aliases = new Map<number, string>();

  /** The incoming side of `connection`, publishing through `core`. */
  constructor(core: BrokerCore, connection: Connection) {
    this.#core = core;
    this.#connection = connection;
  }

  /** A PUBLISH at `now`: routed and answered, or the connection fails with the reason code. */
  publish(packet: PublishPacket, session: Session, now: number): void {
    const connection = this.#connection;
    const limits = this.#core.limits;
    let topic = packet.topic;
    const alias = packet.properties?.topicAlias;
    if (alias !== undefined) {
      if (alias === 0 || alias > limits.topicAliasMaximum) {
        return connection.fail(0x94, `Topic alias ${alias} is out of range [MQTT-3.3.2-9]`, now);
      }
      if (topic !== "") this.#aliases.set(alias, topic);
      else {
        const known = this.#aliases.get(alias);
        if (known === undefined) {
          return connection.fail(0x82, `Topic alias ${alias} has no topic yet [MQTT-3.3.2-7]`, now);
        }
        topic = known;
      }
    }
    if (packet.qos > limits.maximumQoS) {
      return connection.fail(0x9b, `QoS ${packet.qos} exceeds Maximum QoS [MQTT-3.2.2-11]`, now);
    }
    if (packet.retain && !limits.retainAvailable) {
      return connection.fail(0x9a, "Retain is not available [MQTT-3.2.2-14]", now);
    }
    const packetId = packet.packetId!;
    if (packet.qos === 2) {
      if (session.incomingQos2.has(packetId)) {
        connection.send({ type: "pubrec", packetId, reasonCode: 0 }); // a re-send: routed already
        return;
      }
      if (session.incomingQos2.size >= limits.receiveMaximum) {
        return connection.fail(0x93, "More QoS 2 messages in flight than Receive Maximum", now);
      }
    }
    const message = messageFromPublish(packet, topic, connection.clientId, now);
    const routes = this.#core.publish(message, now);
    if (packet.qos === 0) return;
    const reasonCode = routes === 0 && connection.protocolVersion === 5 ? 0x10 : 0;
    if (packet.qos === 1) connection.send({ type: "puback", packetId, reasonCode });
    else {
      session.incomingQos2.add(packetId);
      connection.send({ type: "pubrec", packetId, reasonCode });
    }
  }

  /** A PUBREL: the QoS 2 identifier is released and PUBCOMP answers. */
  release(packetId: number, session: Session): void {
    const known = session.incomingQos2.delete(packetId);
    const reasonCode = known || this.#connection.protocolVersion !== 5 ? 0 : 0x92;
    this.#connection.send({ type: "pubcomp", packetId, reasonCode });
  }
}
