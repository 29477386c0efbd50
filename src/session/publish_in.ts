/**
 * Incoming application messages: topic alias resolution (MQTT 5), delivery, and the answers,
 * which wait for the application's acknowledgement (`ack(receipt, reasonCode)`):
 *
 * - QoS 0 is delivered; nothing is answered.
 * - QoS 1 is delivered; PUBACK when it is acknowledged; a PUBLISH with an identifier whose
 *   delivery is not acknowledged yet is not delivered again (that PUBACK answers it).
 * - QoS 2, delivered on PUBLISH (the default): delivered once; PUBREC when it is acknowledged;
 *   a PUBLISH with an identifier already delivered is not delivered again (answered with PUBREC
 *   again once that PUBREC was sent); PUBREL → PUBCOMP.
 * - QoS 2, delivered on PUBREL (`qos2Delivery: "pubrel"`, paho's order): PUBREC at once, the
 *   message kept until PUBREL delivers it; PUBCOMP when it is acknowledged.
 * - QoS 2 on an identifier held for a different message (another fingerprint of topic and
 *   payload): the server reused the identifier (it lost the exchange); a new message, delivered,
 *   and a warning logged. DUP=1 on a free identifier that completed recently with the same
 *   fingerprint (see `receipts.ts`): a re-send of a completed exchange, answered with PUBREC
 *   (PUBREL → PUBCOMP) and not delivered again; DUP=0 there is a new message.
 * - A PUBREL for an unknown identifier gets PUBCOMP 0x92 Packet Identifier not found (MQTT 5).
 *
 * A fault is returned, not raised: an invalid topic alias (0x94), a PUBLISH with neither topic
 * nor alias (0x82), more unacknowledged QoS 1/2 messages than our Receive Maximum (0x93). The
 * session decides what it does to the connection.
 *
 * @module
 */

import type { PubAckPacket, PublishPacket } from "../codec/types.ts";
import { ProtocolError } from "../errors.ts";
import type { Effects } from "./effects.ts";
import { fingerprint } from "./fingerprint.ts";
import type { Journal } from "./journal.ts";
import type { SavedSession } from "./persistence.ts";
import { pendingPacketId, pendingQos, Receipts } from "./receipts.ts";
import { IncomingTopicAliases } from "./topic_alias.ts";
import { type MessageMaker, PLAIN_MESSAGES, remake } from "./messages.ts";
import type { SessionOptions } from "./types.ts";

/** Incoming PUBLISH and PUBREL of one session. */
export class PublishIn {
  readonly #onPubrel: boolean;
  /** Our Receive Maximum (MQTT 5 CONNECT property, default 65,535); unbounded before MQTT 5. */
  readonly #receiveMaximum: number;
  /** Our Topic Alias Maximum (MQTT 5 CONNECT property, default 0). */
  readonly #topicAliasMaximum: number;
  readonly #receipts = new Receipts();
  /** The server's topic aliases (MQTT 5 only). */
  readonly #aliases: IncomingTopicAliases | undefined;
  readonly #journal: Journal;
  readonly #messages: MessageMaker;

  /**
   * `journal` hears of every incoming QoS 2 state a session store keeps; `messages` makes the
   * messages delivered.
   */
  constructor(options: SessionOptions, journal: Journal, messages: MessageMaker = PLAIN_MESSAGES) {
    this.#journal = journal;
    this.#messages = messages;
    const v5 = options.protocolVersion === 5;
    this.#onPubrel = options.qos2Delivery === "pubrel";
    const p = v5 ? options.properties : undefined;
    this.#receiveMaximum = v5 ? p?.receiveMaximum ?? 65_535 : Infinity;
    this.#topicAliasMaximum = p?.topicAliasMaximum ?? 0;
    this.#aliases = v5 ? new IncomingTopicAliases() : undefined;
  }

  /** Incoming QoS 2 exchanges that wait for the server (a PUBREL to answer). */
  get awaitingRelease(): number {
    return this.#receipts.awaitingRelease;
  }

  /**
   * A CONNACK was accepted: aliases start afresh; QoS 1 deliveries of earlier connections can no
   * longer be acknowledged; QoS 2 states and deliveries survive only with a session.
   */
  connected(sessionPresent: boolean): void {
    this.#aliases?.reset(this.#topicAliasMaximum);
    this.#receipts.newConnection(sessionPresent);
  }

  /** Takes back the incoming QoS 2 states and completed fingerprints a session store saved. */
  restore({ completed, incoming }: SavedSession): void {
    const receipts = this.#receipts;
    for (const { packetId, fingerprint } of completed) {
      receipts.completeQos2(packetId, fingerprint);
    }
    const messages = this.#messages;
    for (const { packetId, fingerprint, message } of incoming) {
      // A kept message is made by `messages`, as every message delivered is.
      if (message === undefined) receipts.setQos2(packetId, "received", fingerprint);
      else receipts.setQos2(packetId, "stored", fingerprint, 0, remake(messages, message));
    }
  }

  /** An incoming PUBLISH: delivered and answered, or the fault that ends the connection. */
  onPublish(fx: Effects, packet: PublishPacket): ProtocolError | undefined {
    let topic = packet.topic;
    let properties = packet.properties;
    const aliases = this.#aliases;
    if (aliases !== undefined) { // MQTT 5
      const alias = properties?.topicAlias;
      if (alias !== undefined) {
        const resolved = aliases.resolve(topic, alias);
        if (typeof resolved !== "string") return resolved;
        topic = resolved;
        const { topicAlias: _alias, ...rest } = properties!;
        properties = Object.keys(rest).length === 0 ? undefined : rest;
      } else if (topic === "") {
        return new ProtocolError("PUBLISH has neither a topic name nor a topic alias");
      }
    }
    const qos = packet.qos;
    const id = qos === 0 ? 0 : packet.packetId as number;
    const receipts = this.#receipts;
    let print = 0;
    let held = false;
    if (qos === 2) {
      print = fingerprint(topic, packet.payload);
      const known = receipts.qos2(id);
      if (known !== undefined) {
        if (known.fingerprint === print) {
          // A re-sent PUBLISH: never delivered twice; PUBREC again once it was sent.
          if (known.state === "received" || known.state === "stored") fx.ack("pubrec", id, 0);
          return undefined;
        }
        // A different message on an identifier we hold: the server forgot the exchange (and
        // the message held for it). Not a duplicate: it replaces the old state and is delivered.
        fx.log(
          "warn",
          `Received PUBLISH (q2, m${id}) with a packet identifier still in use by a different message (${known.state}): the server reused it, so it must have lost that exchange (a broker fault, e.g. a restart without its state); delivering the new message`,
        );
        held = true;
      } else if (packet.dup && receipts.completedQos2(id, print)) {
        // A re-send of an exchange that already completed (PUBCOMP sent): a server that
        // restarted with an older state. PUBREC (then PUBREL → PUBCOMP), no second delivery.
        fx.log(
          "debug",
          `Received PUBLISH (q2, m${id}, DUP) of an already completed exchange: not delivered again`,
        );
        receipts.setQos2(id, "received", print);
        this.#journal.received(id, print);
        fx.ack("pubrec", id, 0);
        return undefined;
      }
    }
    // A re-sent QoS 1 PUBLISH while the application still holds the message: its PUBACK, when
    // the application acknowledges, answers both; neither delivered nor counted again.
    if (qos === 1 && receipts.holdsQos1(id)) return undefined;
    if (qos !== 0 && !held && receipts.inFlight >= this.#receiveMaximum) {
      return new ProtocolError(
        `More than ${this.#receiveMaximum} unacknowledged QoS 1/2 PUBLISH received (our Receive Maximum)`,
        { reasonCode: 0x93 },
      );
    }
    const message = this.#messages.newMessage(
      topic,
      packet.payload,
      qos,
      packet.retain,
      packet.dup,
      id,
      fx.now,
      properties,
    );
    if (qos === 2 && this.#onPubrel) {
      receipts.setQos2(id, "stored", print, 0, message);
      this.#journal.received(id, print, message);
      fx.ack("pubrec", id, 0);
      return undefined;
    }
    if (qos !== 0) {
      message.receipt = receipts.expectAck(id, qos);
      if (qos === 2) {
        receipts.setQos2(id, "delivered", print, message.receipt);
      }
    }
    fx.emit({ type: "message", message });
    return undefined;
  }

  /** PUBREL: PUBCOMP, or (delivery on PUBREL) the delivery; 0x92 for an unknown identifier. */
  onPubrel(fx: Effects, packet: PubAckPacket): void {
    const id = packet.packetId;
    const receipts = this.#receipts;
    const entry = receipts.qos2(id);
    if (entry?.state === "stored") {
      const message = entry.message!;
      message.receipt = receipts.expectAck(id, 2);
      receipts.advanceQos2(entry, "released", message.receipt);
      fx.emit({ type: "message", message });
      return;
    }
    if (entry?.state === "released") return; // PUBCOMP once the application acknowledges
    const known = entry?.state === "received";
    if (known) this.#complete(id, entry.fingerprint);
    fx.ack("pubcomp", id, known ? 0 : 0x92);
  }

  /** The exchange of `id` completes: PUBCOMP follows. */
  #complete(id: number, print: number): void {
    this.#receipts.completeQos2(id, print);
    this.#journal.completed(id, print);
  }

  /** `ack(receipt, reasonCode)`: see `SessionApi.ack`. */
  ack(fx: Effects, receipt: number, reasonCode: number): boolean {
    const receipts = this.#receipts;
    const pending = receipts.takeAck(receipt);
    if (pending === undefined) return false;
    const id = pendingPacketId(pending);
    if (pendingQos(pending) === 1) {
      fx.ack("puback", id, reasonCode);
      return true;
    }
    const entry = receipts.qos2(id);
    // A delivery whose identifier the server reused for a different message since: that
    // message's state is not this one's to answer.
    if (entry?.receipt !== receipt) return true;
    if (entry.state === "released") {
      this.#complete(id, entry.fingerprint);
      fx.ack("pubcomp", id, 0); // after a successful PUBREC, the exchange can only complete
    } else if (entry.state === "delivered") {
      if (reasonCode >= 0x80) receipts.deleteQos2(id); // a failed PUBREC ends the exchange
      else {
        receipts.advanceQos2(entry, "received");
        this.#journal.received(id, entry.fingerprint);
      }
      fx.ack("pubrec", id, reasonCode);
    }
    return true;
  }
}
