/**
 * Outgoing PUBLISH: sending (topic aliases applied), the acknowledgements that end or advance
 * each flow, and what a new CONNACK does to the messages in flight.
 *
 * Settling: QoS 0 resolves once its PUBLISH is written, QoS 1 on PUBACK, QoS 2 on PUBCOMP. A
 * PUBACK or PUBREC with a failure code (≥ 0x80) rejects with an {@link MqttError} carrying it,
 * and a failed PUBREC ends the QoS 2 flow (no PUBREL; MQTT 5 §4.3.3). A PUBCOMP resolves
 * whatever its code: after a successful PUBREC the server owns the message. An acknowledgement
 * nobody waits for is logged and ignored; an unknown PUBREC is answered with PUBREL (0x92 Packet
 * Identifier not found on MQTT 5) so the server can end its flow.
 *
 * Session resume and its difference from paho-mqtt are described in `resume.ts`.
 *
 * @module
 */

import { specName } from "../codec/reason_codes.ts";
import type { ProtocolVersion, PubAckPacket, PublishPacket } from "../codec/types.ts";
import { MqttError } from "../errors.ts";
import { publishViolation, tooLarge } from "./admission.ts";
import type { Effects } from "./effects.ts";
import type { InflightTable } from "./inflight.ts";
import type { Journal } from "./journal.ts";
import type { Link, ServerLimits } from "./limits.ts";
import type { Operations } from "./operations.ts";
import { OutgoingTopicAliases } from "./topic_alias.ts";
import type { OutgoingMessage, PublishResult, Token } from "./types.ts";
import type { PublishWork } from "./work.ts";
import { hex } from "../format.ts";

/** The outgoing PUBLISH flows of one session. */
export class PublishOut {
  readonly #version: ProtocolVersion;
  readonly #autoAliases: boolean;
  readonly #aliases = new OutgoingTopicAliases();
  readonly #inflight: InflightTable;
  readonly #ops: Operations;
  readonly #journal: Journal;

  /**
   * `autoAliases`: the `topicAliases` option; `inflight`, `ops` and `journal` are the
   * session's.
   */
  constructor(
    version: ProtocolVersion,
    autoAliases: boolean,
    inflight: InflightTable,
    ops: Operations,
    journal: Journal,
  ) {
    this.#version = version;
    this.#autoAliases = autoAliases;
    this.#inflight = inflight;
    this.#ops = ops;
    this.#journal = journal;
  }

  /** A CONNACK was accepted: topic aliases start afresh within its Topic Alias Maximum. */
  connected(limits: ServerLimits): void {
    this.#aliases.reset(this.#autoAliases ? limits.topicAliasMaximum : 0);
  }

  /**
   * The work of an admitted `publish()`. Throws RangeError for a user-set topic alias with an
   * empty topic that no earlier publish gave a topic for [MQTT-3.3.2-7].
   */
  work(token: Token | undefined, message: OutgoingMessage): PublishWork {
    const work: PublishWork = {
      type: "publish",
      token,
      message,
      packetId: 0,
      stage: "new",
      cost: message.payload.length,
      seq: 0,
    };
    const aliasTopic = this.#aliasTopic(message);
    if (aliasTopic !== undefined) work.aliasTopic = aliasTopic;
    return work;
  }

  /**
   * Writes an admitted QoS 0 `message` without a token, now (no work object is made); false,
   * with nothing written, when not connected or when it cannot be encoded within the server's
   * Maximum Packet Size. Throws like {@link work}.
   */
  sendUntracked(fx: Effects, message: OutgoingMessage, link: Link): boolean {
    const aliasTopic = this.#aliasTopic(message);
    if (!link.up) return false;
    const bytes = this.#encode(fx, message, 0, aliasTopic, false, link.limits);
    if (bytes instanceof MqttError) return false; // the tracked path rejects it with this error
    fx.write(bytes);
    return true;
  }

  /**
   * The topic a user-set topic alias in `message` stands for (recorded when the message gives
   * one), or undefined without one. Throws RangeError for an empty topic with an alias no
   * earlier publish gave a topic for [MQTT-3.3.2-7].
   */
  #aliasTopic(message: OutgoingMessage): string | undefined {
    const alias = message.properties?.topicAlias;
    if (alias === undefined || this.#version !== 5) return undefined;
    const topic = this.#aliases.given(alias, message.topic);
    if (topic === undefined) {
      throw new RangeError(
        `publish topic "" with properties.topicAlias ${alias} needs an earlier publish that gave a topic with that alias [MQTT-3.3.2-7]`,
      );
    }
    return topic;
  }

  /** Sends `work` now (the window has room for it). */
  start(fx: Effects, work: PublishWork, limits: ServerLimits): void {
    const violation = publishViolation(limits, work.message);
    if (violation !== undefined) {
      work.stage = "done";
      this.#journal.done(work);
      this.#ops.reject(fx, work, new MqttError(violation[0], { reasonCode: violation[1] }));
      return;
    }
    this.#inflight.start(work);
    const bytes = this.#encodeWork(fx, work, false, limits);
    if (bytes instanceof MqttError) {
      if (work.message.qos > 0) this.#inflight.finish(work);
      this.#ops.reject(fx, work, bytes);
      return;
    }
    fx.write(bytes);
    if (work.message.qos === 0) this.#ops.resolveOnWrite(fx, work);
  }

  /** Sends in-flight `work` again with DUP = 1 and its packet identifier (session resume). */
  resend(fx: Effects, work: PublishWork, limits: ServerLimits): void {
    const bytes = this.#encodeWork(fx, work, true, limits);
    if (bytes instanceof MqttError) {
      this.#inflight.finish(work);
      this.#ops.reject(fx, work, bytes);
    } else {
      fx.write(bytes);
    }
  }

  /** PUBACK: ends a QoS 1 flow. */
  onPuback(fx: Effects, packet: PubAckPacket): void {
    const work = this.#inflight.publish(packet.packetId);
    if (work === undefined || work.message.qos !== 1) return unexpected(fx, packet);
    this.#inflight.finish(work);
    this.#settle(fx, work, packet);
  }

  /** PUBREC: PUBREL follows, unless the code is a failure (then the flow ends). */
  onPubrec(fx: Effects, packet: PubAckPacket): void {
    const work = this.#inflight.publish(packet.packetId);
    if (work === undefined || work.message.qos !== 2) {
      // Answered anyway, so the server can end its flow and free the identifier (paho does so).
      fx.ack("pubrel", packet.packetId, 0x92);
      return unexpected(fx, packet);
    }
    if (work.stage !== "released" && packet.reasonCode >= 0x80) {
      this.#inflight.finish(work);
      return this.#settle(fx, work, packet);
    }
    this.#inflight.release(work);
    fx.ack("pubrel", packet.packetId, 0);
  }

  /** PUBCOMP: ends a QoS 2 flow. */
  onPubcomp(fx: Effects, packet: PubAckPacket): void {
    const work = this.#inflight.publish(packet.packetId);
    if (work === undefined || work.stage !== "released") return unexpected(fx, packet);
    this.#inflight.finish(work);
    const result: PublishResult = { mid: work.packetId, reasonCode: packet.reasonCode };
    if (packet.properties !== undefined) result.properties = packet.properties;
    this.#ops.resolve(fx, work, result);
  }

  #encodeWork(
    fx: Effects,
    work: PublishWork,
    dup: boolean,
    limits: ServerLimits,
  ): Uint8Array | MqttError {
    return this.#encode(fx, work.message, work.packetId, work.aliasTopic, dup, limits);
  }

  /**
   * The PUBLISH of `message` for the current connection (topic alias applied), or the error
   * that keeps it from being sent (encoding failure, over the server's Maximum Packet Size).
   */
  #encode(
    fx: Effects,
    message: OutgoingMessage,
    packetId: number,
    aliasTopic: string | undefined,
    dup: boolean,
    limits: ServerLimits,
  ): Uint8Array | MqttError {
    const aliases = this.#aliases;
    let topic = message.topic;
    let properties = this.#version === 5 ? message.properties : undefined;
    const alias = aliases.enabled ? aliases.lookup(topic) : undefined;
    if (alias !== undefined) {
      properties = { ...properties, topicAlias: alias.alias };
      if (alias.known) topic = "";
    }
    // A user-set alias: the empty topic only where this connection has the mapping.
    const userAlias = aliasTopic === undefined ? undefined : properties?.topicAlias;
    if (userAlias !== undefined && aliasTopic !== undefined && topic === "") {
      topic = aliases.wireTopic(userAlias, aliasTopic);
    }
    const packet: PublishPacket = {
      type: "publish",
      topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      dup,
    };
    if (message.qos > 0) packet.packetId = packetId;
    if (properties !== undefined) packet.properties = properties;
    let bytes: Uint8Array;
    try {
      bytes = fx.encode(packet);
    } catch (error) {
      if (alias !== undefined && !alias.known) aliases.unassign(message.topic);
      const text = error instanceof Error ? error.message : String(error);
      return new MqttError(`PUBLISH could not be encoded: ${text}`, { cause: error });
    }
    const max = limits.maximumPacketSize;
    if (max !== undefined && bytes.length > max) {
      if (alias !== undefined && !alias.known) aliases.unassign(message.topic);
      return tooLarge(`PUBLISH to "${message.topic}"`, bytes.length, max);
    }
    if (userAlias !== undefined && topic !== "") aliases.sent(userAlias, topic);
    return bytes;
  }

  #settle(fx: Effects, work: PublishWork, packet: PubAckPacket): void {
    const code = packet.reasonCode;
    if (code >= 0x80) {
      const reason = packet.properties?.reasonString;
      const error = new MqttError(
        `PUBLISH to "${work.message.topic}" refused by the server: ${
          specName(code, packet.type)
        } (${hex(code)})${reason === undefined ? "" : `: ${reason}`}`,
        { reasonCode: code },
      );
      this.#ops.reject(fx, work, error);
      return;
    }
    const result: PublishResult = { mid: work.packetId, reasonCode: code };
    if (packet.properties !== undefined) result.properties = packet.properties;
    this.#ops.resolve(fx, work, result);
  }
}

/** Logs an acknowledgement that no flow waits for. */
export function unexpected(fx: Effects, packet: { type: string; packetId: number }): void {
  fx.log(
    "warn",
    `Ignored ${packet.type.toUpperCase()} for packet identifier ${packet.packetId}: no flow is waiting for it`,
  );
}
