/**
 * The acknowledgements of outgoing flows: PUBACK, PUBREC, PUBCOMP, SUBACK and UNSUBACK end (or
 * advance) the work {@link Outgoing} sent, and settle its token.
 *
 * A PUBACK or PUBREC with a failure code (≥ 0x80) rejects with an {@link MqttError} carrying it,
 * and a failed PUBREC ends the QoS 2 flow (no PUBREL; MQTT 5 §4.3.3). A PUBCOMP resolves whatever
 * its code: after a successful PUBREC the server owns the message. An acknowledgement nobody waits
 * for is logged and ignored; an unknown PUBREC is answered with PUBREL (0x92 Packet Identifier
 * not found on MQTT 5) so the server can end its flow.
 *
 * @module
 */

import { reasonCodeName } from "../codec/reason_codes.ts";
import type { PubAckPacket, SubackPacket, UnsubackPacket } from "../codec/types.ts";
import { MqttError } from "../errors.ts";
import type { Outgoing } from "./outgoing.ts";
import type { PublishWork } from "./outbound.ts";
import type { AckResult, PublishResult } from "./types.ts";
import { hex } from "./_hex.ts";

/** PUBACK: ends a QoS 1 flow. */
export function onPuback(out: Outgoing, packet: PubAckPacket): void {
  const work = out.outbound.publish(packet.packetId);
  if (work === undefined || work.message.qos !== 1) return unexpected(out, packet);
  out.outbound.finish(work);
  settlePublish(out, work, packet);
}

/** PUBREC: PUBREL follows, unless the code is a failure (then the flow ends). */
export function onPubrec(out: Outgoing, packet: PubAckPacket): void {
  const work = out.outbound.publish(packet.packetId);
  const { host } = out;
  if (work === undefined || work.message.qos !== 2) {
    // Answered anyway, so the server can end its flow and free the identifier (paho does so).
    const code = host.options.protocolVersion === 5 ? 0x92 : 0;
    host.write(host.wire.encodeAck("pubrel", packet.packetId, code), true);
    return unexpected(out, packet);
  }
  if (work.stage !== "released" && packet.reasonCode >= 0x80) {
    out.outbound.finish(work);
    return settlePublish(out, work, packet);
  }
  out.outbound.release(work);
  host.write(host.wire.encodeAck("pubrel", packet.packetId, 0), true);
}

/** PUBCOMP: ends a QoS 2 flow. */
export function onPubcomp(out: Outgoing, packet: PubAckPacket): void {
  const work = out.outbound.publish(packet.packetId);
  if (work === undefined || work.stage !== "released") return unexpected(out, packet);
  out.outbound.finish(work);
  const result: PublishResult = { reasonCode: packet.reasonCode };
  if (packet.properties !== undefined) result.properties = packet.properties;
  out.pending.resolve(work, result);
}

/** SUBACK / UNSUBACK: resolves with the reason codes; failed filters leave the store. */
export function onSubOrUnsuback(out: Outgoing, packet: SubackPacket | UnsubackPacket): void {
  const work = out.outbound.control(packet.packetId);
  const expected = packet.type === "suback" ? "subscribe" : "unsubscribe";
  if (work === undefined || work.kind !== expected) return unexpected(out, packet);
  out.outbound.finish(work);
  if (work.kind === "subscribe") {
    const failed: string[] = [];
    packet.reasonCodes.forEach((code, i) => {
      const entry = work.entries[i];
      if (entry === undefined) return;
      if (code >= 0x80) {
        out.subscriptions.forgetEntry(entry);
        failed.push(`"${entry.subscription.topicFilter}" (${hex(code)})`);
      } else {
        entry.acknowledged = true;
      }
    });
    if (failed.length > 0 && work.token === undefined) {
      out.host.log("warn", `Resubscribe refused for ${failed.join(", ")}`);
    }
  }
  // An MQTT 3.1/3.1.1 UNSUBACK carries no reason codes: it means success for every filter.
  const reasonCodes = work.kind === "unsubscribe" && packet.reasonCodes.length === 0
    ? work.topicFilters.map(() => 0)
    : packet.reasonCodes;
  if (work.kind === "unsubscribe") {
    // Forget only what the server reports gone (0x11 No subscription existed counts), and
    // only the entry seen at the call: a later subscribe to the filter stays.
    work.entries.forEach((entry, i) => {
      const code = reasonCodes[i];
      if (entry !== undefined && code !== undefined && code < 0x80) {
        out.subscriptions.forgetEntry(entry);
      }
    });
  }
  const result: AckResult = { reasonCodes };
  if (packet.properties !== undefined) result.properties = packet.properties;
  out.pending.resolve(work, result);
}

function settlePublish(out: Outgoing, work: PublishWork, packet: PubAckPacket): void {
  const code = packet.reasonCode;
  if (code >= 0x80) {
    const reason = packet.properties?.reasonString;
    const error = new MqttError(
      `PUBLISH to "${work.message.topic}" refused by the server: ${
        reasonCodeName(code, packet.type)
      } (${hex(code)})${reason === undefined ? "" : `: ${reason}`}`,
      { reasonCode: code },
    );
    out.pending.reject(work, error);
    return;
  }
  const result: PublishResult = { reasonCode: code };
  if (packet.properties !== undefined) result.properties = packet.properties;
  out.pending.resolve(work, result);
}

function unexpected(out: Outgoing, packet: PubAckPacket | SubackPacket | UnsubackPacket): void {
  out.host.log(
    "warn",
    `Ignored ${packet.type.toUpperCase()} for packet identifier ${packet.packetId}: no flow is waiting for it`,
  );
}
