/**
 * SUBSCRIBE and UNSUBSCRIBE (MQTT 5 §3.8, §3.10; MQTT 3.1.1 §3.8, §3.10).
 *
 * Decoded MQTT 5 subscriptions always carry `noLocal`, `retainAsPublished` and
 * `retainHandling`; before MQTT 5 they are absent. The codec does not judge topic filter
 * syntax when decoding (a server answers a bad filter with SUBACK 0x8F, not by closing).
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { describe, hex } from "../format.ts";
import type { ProtocolVersion, SubscribePacket, Subscription, UnsubscribePacket } from "./types.ts";
import { propertiesSize, writeProperties } from "./_property_encode.ts";
import { readProperties } from "./_property_decode.ts";
import { asciiLength, utf8Length } from "./utf8.ts";
import { Reader } from "./_reader.ts";
import { allocatePacket, type Output, packetSize, writeString } from "./_writer.ts";
import {
  checkBoolean,
  checkList,
  checkPacketId,
  checkQos,
  checkRemainingLength,
  readPacketId,
  requiresMqtt5,
} from "./_checks.ts";

const SHARED_PREFIX = "$share/";

/**
 * Byte length of the topic filter of entry `i` of a SUBSCRIBE (`subscriptions[i].topicFilter`) or
 * an UNSUBSCRIBE (`topicFilters[i]`), checked; the field is named only in an error.
 */
function filterLength(filter: unknown, list: "subscriptions" | "topicFilters", i: number): number {
  const ascii = asciiLength(filter);
  if (ascii > 0) return ascii;
  const field = list === "subscriptions" ? `subscriptions[${i}].topicFilter` : `topicFilters[${i}]`;
  const length = utf8Length(filter as string, field);
  if (length === 0) throw new RangeError(`${field} must not be empty [MQTT-4.7.3-1], got ""`);
  return length;
}

// ---- SUBSCRIBE --------------------------------------------------------------------------

function subscribeRemaining(p: SubscribePacket, version: ProtocolVersion, out: Output): number {
  checkPacketId(p.packetId);
  const list = checkList(p.subscriptions, "subscriptions", "SUBSCRIBE", "[MQTT-3.8.3-2]");
  let remaining = 2 + propertiesSize(p.properties, 8, version, out);
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as Subscription;
    // (The field's name is only built for an error: this runs for every SUBSCRIBE.)
    if (typeof s !== "object" || s === null) {
      throw new TypeError(`subscriptions[${i}] must be an object, got ${describe(s)}`);
    }
    remaining += 3 + filterLength(s.topicFilter, "subscriptions", i);
    const qos = s.qos;
    if (qos !== 0 && qos !== 1 && qos !== 2) checkQos(qos, `subscriptions[${i}].qos`);
    const noLocal = s.noLocal ?? false;
    const rap = s.retainAsPublished ?? false;
    const rh = s.retainHandling ?? 0;
    if (typeof noLocal !== "boolean") checkBoolean(noLocal, `subscriptions[${i}].noLocal`);
    if (typeof rap !== "boolean") checkBoolean(rap, `subscriptions[${i}].retainAsPublished`);
    if (rh !== 0 && rh !== 1 && rh !== 2) checkQos(rh, `subscriptions[${i}].retainHandling`);
    if (version !== 5 && (noLocal || rap || rh !== 0)) {
      const field = `subscriptions[${i}]`;
      if (noLocal) throw requiresMqtt5(`${field}.noLocal`, "false", noLocal, version);
      if (rap) throw requiresMqtt5(`${field}.retainAsPublished`, "false", rap, version);
      throw requiresMqtt5(`${field}.retainHandling`, "0", rh, version);
    }
    if (noLocal && s.topicFilter.startsWith(SHARED_PREFIX)) {
      throw new RangeError(
        `subscriptions[${i}].noLocal must be false on a shared subscription [MQTT-3.8.3-4], got true`,
      );
    }
  }
  checkRemainingLength(remaining, "subscribe");
  return remaining;
}

/** Encoded size of a SUBSCRIBE in bytes. */
export function subscribeLength(p: SubscribePacket, version: ProtocolVersion, out: Output): number {
  return packetSize(subscribeRemaining(p, version, out));
}

/** Encodes a SUBSCRIBE. */
export function encodeSubscribe(
  p: SubscribePacket,
  version: ProtocolVersion,
  out: Output,
): Uint8Array {
  const remaining = subscribeRemaining(p, version, out);
  const buf = allocatePacket(out, 0x82, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, out.propertiesLength);
  for (const s of p.subscriptions) {
    o = writeString(buf, o, s.topicFilter);
    buf[o++] = s.qos | (s.noLocal ? 4 : 0) | (s.retainAsPublished ? 8 : 0) |
      ((s.retainHandling ?? 0) << 4);
  }
  return buf;
}

/** Decodes the body `buf[start, end)` of a SUBSCRIBE. */
export function decodeSubscribe(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): SubscribePacket {
  const r = new Reader(buf, start, end, "SUBSCRIBE");
  const packetId = readPacketId(r);
  const props = version === 5 ? readProperties(r, 8) : undefined;
  const subscriptions: Subscription[] = [];
  while (r.remaining > 0) {
    const topicFilter = r.utf8("topic filter");
    const options = r.u8("subscription options");
    const qos = options & 3;
    if (version === 5) {
      if ((options & 0xc0) !== 0) {
        throw new MalformedPacketError(
          "The reserved bits 6-7 of SUBSCRIBE subscription options must be 0 [MQTT-3.8.3-5]",
        );
      }
      if (qos === 3) {
        throw new ProtocolError("A SUBSCRIBE requests maximum QoS 3 (MQTT 5 §3.8.3.1)");
      }
      const retainHandling = (options >> 4) & 3;
      if (retainHandling === 3) {
        throw new ProtocolError("A SUBSCRIBE has retain handling 3 (MQTT 5 §3.8.3.1)");
      }
      const noLocal = (options & 4) !== 0;
      if (noLocal && topicFilter.startsWith(SHARED_PREFIX)) {
        throw new ProtocolError(
          "A SUBSCRIBE sets no local on a shared subscription [MQTT-3.8.3-4]",
        );
      }
      subscriptions.push({
        topicFilter,
        qos: qos as 0 | 1 | 2,
        noLocal,
        retainAsPublished: (options & 8) !== 0,
        retainHandling: retainHandling as 0 | 1 | 2,
      });
    } else {
      if ((options & 0xfc) !== 0 || qos === 3) {
        throw new MalformedPacketError(
          `SUBSCRIBE requested QoS byte ${hex(options)} has reserved bits set or ` +
            `QoS 3 (MQTT 3.1.1 [MQTT-3.8.3-4])`,
        );
      }
      subscriptions.push({ topicFilter, qos: qos as 0 | 1 | 2 });
    }
  }
  if (subscriptions.length === 0) {
    throw new ProtocolError("A SUBSCRIBE has no topic filter [MQTT-3.8.3-2]");
  }
  const packet: SubscribePacket = { type: "subscribe", packetId, subscriptions };
  if (props !== undefined) packet.properties = props;
  return packet;
}

// ---- UNSUBSCRIBE ------------------------------------------------------------------------

function unsubscribeRemaining(p: UnsubscribePacket, version: ProtocolVersion, out: Output): number {
  checkPacketId(p.packetId);
  const filters = checkList(p.topicFilters, "topicFilters", "UNSUBSCRIBE", "[MQTT-3.10.3-2]");
  let remaining = 2 + propertiesSize(p.properties, 10, version, out);
  for (let i = 0; i < filters.length; i++) {
    remaining += 2 + filterLength(filters[i], "topicFilters", i);
  }
  checkRemainingLength(remaining, "unsubscribe");
  return remaining;
}

/** Encoded size of an UNSUBSCRIBE in bytes. */
export function unsubscribeLength(
  p: UnsubscribePacket,
  version: ProtocolVersion,
  out: Output,
): number {
  return packetSize(unsubscribeRemaining(p, version, out));
}

/** Encodes an UNSUBSCRIBE. */
export function encodeUnsubscribe(
  p: UnsubscribePacket,
  version: ProtocolVersion,
  out: Output,
): Uint8Array {
  const remaining = unsubscribeRemaining(p, version, out);
  const buf = allocatePacket(out, 0xa2, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, out.propertiesLength);
  for (const filter of p.topicFilters) o = writeString(buf, o, filter);
  return buf;
}

/** Decodes the body `buf[start, end)` of an UNSUBSCRIBE. */
export function decodeUnsubscribe(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): UnsubscribePacket {
  const r = new Reader(buf, start, end, "UNSUBSCRIBE");
  const packetId = readPacketId(r);
  const props = version === 5 ? readProperties(r, 10) : undefined;
  const topicFilters: string[] = [];
  while (r.remaining > 0) topicFilters.push(r.utf8("topic filter"));
  if (topicFilters.length === 0) {
    throw new ProtocolError("An UNSUBSCRIBE has no topic filter [MQTT-3.10.3-2]");
  }
  const packet: UnsubscribePacket = { type: "unsubscribe", packetId, topicFilters };
  if (props !== undefined) packet.properties = props;
  return packet;
}
