/**
 * SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (MQTT 5 §3.8–3.11, MQTT 3.1.1 §3.8–3.11).
 *
 * Decoded MQTT 5 subscriptions always carry `noLocal`, `retainAsPublished` and
 * `retainHandling`; before MQTT 5 they are absent. The codec does not judge topic filter
 * syntax when decoding (a server answers a bad filter with SUBACK 0x8F, not by closing).
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import type {
  Properties,
  ProtocolVersion,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
} from "./types.ts";
import {
  hasProperties,
  propertiesLength,
  readProperties,
  writeProperties,
} from "./_property_codec.ts";
import { describe, utf8Length } from "./utf8.ts";
import { Reader } from "./_reader.ts";
import { varintSize } from "./_varint.ts";
import { writeString } from "./_writer.ts";
import {
  allocatePacket,
  checkPacketId,
  checkQos,
  checkReasonCode,
  checkRemainingLength,
  expectReasonCode,
  packetSize,
  readPacketId,
} from "./_checks.ts";

const SHARED_PREFIX = "$share/";

let lastPropertiesLength = 0;

/** Property block size (with its length prefix) for v5, or a RangeError for properties before 5. */
function propertiesSize(
  props: Properties | undefined,
  type: number,
  version: ProtocolVersion,
): number {
  if (version !== 5) {
    if (hasProperties(props)) {
      throw new RangeError(`properties require MQTT 5, got protocol version ${version}`);
    }
    return 0;
  }
  const length = propertiesLength(props, type, "properties");
  lastPropertiesLength = length;
  return varintSize(length) + length;
}

function checkList(value: unknown, field: string, packet: string, spec: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${field} must be an array, got ${describe(value)}`);
  }
  if (value.length === 0) {
    throw new RangeError(`${field} of a ${packet} must not be empty ${spec}`);
  }
  return value;
}

function filterLength(filter: unknown, field: string): number {
  const length = utf8Length(filter as string, field);
  if (length === 0) throw new RangeError(`${field} must not be empty [MQTT-4.7.3-1]`);
  return length;
}

// ---- SUBSCRIBE --------------------------------------------------------------------------

function subscribeRemaining(p: SubscribePacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId);
  const list = checkList(p.subscriptions, "subscriptions", "SUBSCRIBE", "[MQTT-3.8.3-2]");
  let remaining = 2 + propertiesSize(p.properties, 8, version);
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as Subscription;
    const field = `subscriptions[${i}]`;
    if (typeof s !== "object" || s === null) {
      throw new TypeError(`${field} must be an object, got ${describe(s)}`);
    }
    remaining += 3 + filterLength(s.topicFilter, `${field}.topicFilter`);
    checkQos(s.qos, `${field}.qos`);
    const noLocal = s.noLocal ?? false;
    const rap = s.retainAsPublished ?? false;
    const rh = s.retainHandling ?? 0;
    if (typeof noLocal !== "boolean") throw new TypeError(`${field}.noLocal must be a boolean`);
    if (typeof rap !== "boolean") {
      throw new TypeError(`${field}.retainAsPublished must be a boolean`);
    }
    if (rh !== 0 && rh !== 1 && rh !== 2) {
      throw new RangeError(`${field}.retainHandling must be 0, 1 or 2, got ${describe(rh)}`);
    }
    if (version !== 5 && (noLocal || rap || rh !== 0)) {
      throw new RangeError(
        `${field}: noLocal, retainAsPublished and retainHandling require MQTT 5`,
      );
    }
    if (noLocal && s.topicFilter.startsWith(SHARED_PREFIX)) {
      throw new RangeError(
        `${field}.noLocal must be false on a shared subscription [MQTT-3.8.3-4]`,
      );
    }
  }
  checkRemainingLength(remaining, "subscribe");
  return remaining;
}

/** Encoded size of a SUBSCRIBE in bytes. */
export function subscribeLength(p: SubscribePacket, version: ProtocolVersion): number {
  return packetSize(subscribeRemaining(p, version));
}

/** Encodes a SUBSCRIBE. */
export function encodeSubscribe(p: SubscribePacket, version: ProtocolVersion): Uint8Array {
  const remaining = subscribeRemaining(p, version);
  const buf = allocatePacket(0x82, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, lastPropertiesLength);
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
          `SUBSCRIBE requested QoS byte 0x${options.toString(16)} has reserved bits set or ` +
            `QoS 3 (MQTT 3.1.1 [MQTT-3-8.3-4])`,
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

// ---- SUBACK -----------------------------------------------------------------------------

function checkV3SubackCode(code: unknown, field: string): void {
  if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) {
    throw new RangeError(`${field} must be 0, 1, 2 or 0x80 before MQTT 5, got ${describe(code)}`);
  }
}

function subackRemaining(p: SubackPacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId);
  const codes = checkList(p.reasonCodes, "reasonCodes", "SUBACK", "(one per subscription)");
  for (let i = 0; i < codes.length; i++) {
    if (version === 5) checkReasonCode(codes[i], "suback", 5, `reasonCodes[${i}]`);
    else checkV3SubackCode(codes[i], `reasonCodes[${i}]`);
  }
  const remaining = 2 + propertiesSize(p.properties, 9, version) + codes.length;
  checkRemainingLength(remaining, "suback");
  return remaining;
}

/** Encoded size of a SUBACK in bytes. */
export function subackLength(p: SubackPacket, version: ProtocolVersion): number {
  return packetSize(subackRemaining(p, version));
}

/** Encodes a SUBACK. */
export function encodeSuback(p: SubackPacket, version: ProtocolVersion): Uint8Array {
  const remaining = subackRemaining(p, version);
  const buf = allocatePacket(0x90, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, lastPropertiesLength);
  for (const code of p.reasonCodes) buf[o++] = code;
  return buf;
}

/** Decodes the body `buf[start, end)` of a SUBACK. */
export function decodeSuback(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): SubackPacket {
  const r = new Reader(buf, start, end, "SUBACK");
  const packetId = readPacketId(r);
  const props = version === 5 ? readProperties(r, 9) : undefined;
  const reasonCodes: number[] = [];
  while (r.remaining > 0) {
    const code = r.u8("reason code");
    if (version === 5) {
      expectReasonCode(code, "suback", "(MQTT 5 §3.9.3)");
    } else if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) {
      throw new ProtocolError(
        `SUBACK return code 0x${code.toString(16)} is reserved [MQTT-3.9.3-2]`,
      );
    }
    reasonCodes.push(code);
  }
  if (reasonCodes.length === 0) {
    throw new ProtocolError("A SUBACK has no reason codes; it needs one per topic filter");
  }
  const packet: SubackPacket = { type: "suback", packetId, reasonCodes };
  if (props !== undefined) packet.properties = props;
  return packet;
}

// ---- UNSUBSCRIBE ------------------------------------------------------------------------

function unsubscribeRemaining(p: UnsubscribePacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId);
  const filters = checkList(p.topicFilters, "topicFilters", "UNSUBSCRIBE", "[MQTT-3.10.3-2]");
  let remaining = 2 + propertiesSize(p.properties, 10, version);
  for (let i = 0; i < filters.length; i++) {
    remaining += 2 + filterLength(filters[i], `topicFilters[${i}]`);
  }
  checkRemainingLength(remaining, "unsubscribe");
  return remaining;
}

/** Encoded size of an UNSUBSCRIBE in bytes. */
export function unsubscribeLength(p: UnsubscribePacket, version: ProtocolVersion): number {
  return packetSize(unsubscribeRemaining(p, version));
}

/** Encodes an UNSUBSCRIBE. */
export function encodeUnsubscribe(p: UnsubscribePacket, version: ProtocolVersion): Uint8Array {
  const remaining = unsubscribeRemaining(p, version);
  const buf = allocatePacket(0xa2, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, lastPropertiesLength);
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

// ---- UNSUBACK ---------------------------------------------------------------------------

function unsubackRemaining(p: UnsubackPacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId);
  if (version !== 5) {
    const codes = p.reasonCodes ?? [];
    if (!Array.isArray(codes) || codes.length !== 0) {
      throw new RangeError("reasonCodes of an UNSUBACK must be empty before MQTT 5");
    }
    return 2 + propertiesSize(p.properties, 11, version);
  }
  const codes = checkList(p.reasonCodes, "reasonCodes", "UNSUBACK", "(one per topic filter)");
  for (let i = 0; i < codes.length; i++) {
    checkReasonCode(codes[i], "unsuback", 5, `reasonCodes[${i}]`);
  }
  const remaining = 2 + propertiesSize(p.properties, 11, version) + codes.length;
  checkRemainingLength(remaining, "unsuback");
  return remaining;
}

/** Encoded size of an UNSUBACK in bytes. */
export function unsubackLength(p: UnsubackPacket, version: ProtocolVersion): number {
  return packetSize(unsubackRemaining(p, version));
}

/** Encodes an UNSUBACK. */
export function encodeUnsuback(p: UnsubackPacket, version: ProtocolVersion): Uint8Array {
  const remaining = unsubackRemaining(p, version);
  const buf = allocatePacket(0xb0, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.packetId >>> 8;
  buf[o++] = p.packetId & 0xff;
  if (version === 5) {
    o = writeProperties(buf, o, p.properties, lastPropertiesLength);
    for (const code of p.reasonCodes) buf[o++] = code;
  }
  return buf;
}

/** Decodes the body `buf[start, end)` of an UNSUBACK. */
export function decodeUnsuback(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): UnsubackPacket {
  const r = new Reader(buf, start, end, "UNSUBACK");
  const packetId = readPacketId(r);
  const reasonCodes: number[] = [];
  let props: Properties | undefined;
  if (version === 5) {
    props = readProperties(r, 11);
    while (r.remaining > 0) {
      reasonCodes.push(expectReasonCode(r.u8("reason code"), "unsuback", "[MQTT-3.11.3-1]"));
    }
    if (reasonCodes.length === 0) {
      throw new ProtocolError("An UNSUBACK has no reason codes; it needs one per topic filter");
    }
  }
  r.expectEnd();
  const packet: UnsubackPacket = { type: "unsuback", packetId, reasonCodes };
  if (props !== undefined) packet.properties = props;
  return packet;
}
