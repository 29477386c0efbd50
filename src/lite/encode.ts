/**
 * The lite codec's encoder: {@link encode} writes the packets a client sends, MQTT 3.1.1 and 5.0,
 * byte for byte as the full codec's `encodePacket`, checking every field as it goes (a TypeError
 * or RangeError naming the field, before anything is returned). Bytes are gathered in a plain
 * array instead of a size pass; `TextEncoder` makes the UTF-8.
 *
 * @module
 */

import type { Packet, Properties, PublishPacket } from "../codec/types.ts";
import {
  allowed,
  BY_NAME,
  fail,
  integer,
  MAX_REMAINING,
  MAX_STRING,
  NAMES,
  WIRE_MAX,
} from "./_wire.ts";

const encoder = new TextEncoder();

function boolean(value: unknown, field: string): void {
  if (typeof value !== "boolean") fail(field, "a boolean", value, false);
}

function qos(value: unknown, field: string): void {
  if (value !== 0 && value !== 1 && value !== 2) {
    fail(field, "0, 1 or 2", value, typeof value === "number");
  }
}

function packetId(value: unknown): number {
  return integer(value, "packetId", 1, 0xffff, typeof value === "number");
}

/** Checks binary data (never shown in a message: it may be a password). */
function bytes(value: unknown, field: string, max = MAX_STRING): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  if (value.length > max) {
    fail(field, "at most 65535 bytes", `${value.length} bytes`, true);
  }
  return value;
}

/** An MQTT UTF-8 string's bytes: no U+0000, no lone surrogate, at most 65,535 bytes. */
function utf8(value: unknown, field: string): Uint8Array {
  if (typeof value !== "string") fail(field, "a string", value, false);
  if (/\0|\p{Cs}/u.test(value)) {
    throw new RangeError(`${field} must not hold U+0000 or a lone surrogate`);
  }
  const encoded = encoder.encode(value);
  if (encoded.length > MAX_STRING) {
    fail(field, "at most 65535 bytes", `${encoded.length} bytes`, true);
  }
  return encoded;
}

/** A topic name: non-empty unless `mayBeEmpty`, no wildcards. */
function topicName(value: unknown, field: string): Uint8Array {
  const encoded = utf8(value, field);
  if (/[+#]/.test(value as string)) fail(field, "a topic name without wildcards", value, true);
  return encoded;
}

/** A non-empty array. */
function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) fail(field, "an array", value, false);
  if (value.length === 0) throw new RangeError(`${field} must not be empty`);
  return value;
}

/** A reason code the packet may carry: any MQTT 5 lists for it, and only 0 before MQTT 5. */
function reasonCode(value: unknown, type: number, version: number): number {
  if (version === 5 ? typeof value !== "number" || !allowed(value, type) : value !== 0) {
    fail("reasonCode", `a ${NAMES[type]} reason code`, value, true);
  }
  return value as number;
}

/** Refuses authenticationData, or (`needed`) anything, without authenticationMethod. */
function checkAuthenticationMethod(props: Properties | undefined, needed: boolean): void {
  const data = props?.authenticationData;
  if ((needed || data !== undefined) && props?.authenticationMethod === undefined) {
    fail("properties.authenticationMethod", "set", undefined, true);
  }
}

/** The subscription options after QoS: their bit values and names. */
const OPTIONS = [[4, "noLocal"], [8, "retainAsPublished"], [16, "retainHandling"]] as const;

/** Bytes being written: a plain array, made a `Uint8Array` once complete. */
type Out = number[];

function u16(out: Out, value: number): void {
  out.push(value >>> 8, value & 255);
}

function varint(out: Out, value: number): void {
  for (; value > 127; value >>>= 7) out.push((value & 127) | 128);
  out.push(value);
}

function append(out: Out, bytes: ArrayLike<number>): void {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

/** Length-prefixed bytes (a string's or binary data). */
function bin(out: Out, bytes: Uint8Array): void {
  u16(out, bytes.length);
  append(out, bytes);
}

/** The Property Length and properties from {@link properties}; nothing before MQTT 5. */
function withLength(out: Out, props: Out | undefined): void {
  if (props !== undefined) {
    varint(out, props.length);
    append(out, props);
  }
}

/**
 * Validates the properties `props` of context `context` (packet type number, 0 = will) and
 * returns their bytes without the Property Length; `undefined` before MQTT 5, where none may be
 * set.
 */
function properties(
  props: unknown,
  context: number,
  field: string,
  version: number,
): Out | undefined {
  if (props !== undefined && (typeof props !== "object" || props === null)) {
    fail(field, "an object", props, false);
  }
  const out: Out = [];
  for (const name in props as Record<string, unknown>) {
    const value = (props as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (version !== 5) fail(field, "absent before MQTT 5", "an object", true);
    const f = `${field}.${name}`;
    const row = BY_NAME.get(name);
    if (row === undefined) fail(f, "undefined (not an MQTT 5 property)", value, false);
    const [id, , wire, contexts, min = 0, max = WIRE_MAX[wire]!] = row;
    if ((contexts >> context & 1) === 0) {
      fail(f, `undefined in a ${NAMES[context] || "will"}`, value, true);
    }
    if (wire === 7) {
      if (!Array.isArray(value)) fail(f, "an array of [key, value] pairs", value, false);
      value.forEach((pair: unknown, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          fail(`${f}[${i}]`, "a [key, value] pair", pair, false);
        }
        out.push(id);
        bin(out, utf8(pair[0], `${f}[${i}][0]`));
        bin(out, utf8(pair[1], `${f}[${i}][1]`));
      });
    } else if (wire === 4 && context === 3 && Array.isArray(value)) {
      for (const item of value) {
        out.push(id);
        varint(out, integer(item, f, min, max, Number.isInteger(item)));
      }
    } else {
      out.push(id);
      if (wire === 0) {
        boolean(value, f);
        out.push(value ? 1 : 0);
      } else if (wire === 5) {
        const encoded = utf8(value, f);
        if (id === 8 && (encoded.length === 0 || /[+#]/.test(value as string))) {
          fail(f, "a non-empty topic name without wildcards", value, true);
        }
        bin(out, encoded);
      } else if (wire === 6) {
        bin(out, bytes(value, f));
      } else {
        const n = integer(value, f, min, max, Number.isInteger(value));
        if (wire === 4) varint(out, n);
        else if (wire === 1) out.push(n);
        else {
          if (wire === 3) u16(out, Math.floor(n / 65536));
          u16(out, n & 0xffff);
        }
      }
    }
  }
  return version === 5 ? out : undefined;
}

/** Writes a reason code and properties, leaving out what may be left out when they are 0. */
function reasonAndProperties(out: Out, code: number, props: Out | undefined, auth: boolean): void {
  if (props?.length) {
    out.push(code);
    withLength(out, props);
  } else if (code) {
    out.push(code);
    if (auth) out.push(0);
  }
}

/**
 * Encodes a packet a client sends (CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT, and AUTH on MQTT 5) for MQTT 3.1.1 (`4`) or
 * 5.0 (`5`), byte for byte as the full codec's `encodePacket` does.
 *
 * @throws {TypeError} a field of the wrong type, an unknown property, or a packet type a
 *   client does not send; the message names the field.
 * @throws {RangeError} a value out of range, or a property not allowed in the packet.
 */
export function encode(packet: Packet, version: 4 | 5): Uint8Array {
  if (version !== 4 && version !== 5) fail("version", "4 or 5", version, true);
  const type = (packet as Packet | undefined)?.type;
  const number = NAMES.indexOf(type);
  const out: Out = [];
  let first = number << 4;
  let tail: Uint8Array = new Uint8Array(0);
  switch (packet?.type) {
    case "connect": {
      const p = packet;
      if (p.protocolVersion !== version) {
        fail("packet.protocolVersion", `${version}, the version encoded`, p.protocolVersion, true);
      }
      boolean(p.clean, "clean");
      integer(p.keepalive, "keepalive", 0, 0xffff, typeof p.keepalive === "number");
      const clientId = utf8(p.clientId, "clientId");
      if (clientId.length === 0 && version === 4 && !p.clean) {
        fail("clientId", "non-empty when clean is false", "", true);
      }
      const props = properties(p.properties, 1, "properties", version);
      if (version === 5) checkAuthenticationMethod(p.properties, false);
      const will = p.will;
      let flags = p.clean ? 2 : 0;
      let willTopic: Uint8Array | undefined;
      let willProps: Out | undefined;
      if (will !== undefined) {
        if (typeof will !== "object" || will === null) fail("will", "an object", will, false);
        willTopic = topicName(will.topic, "will.topic");
        if (willTopic.length === 0) fail("will.topic", "non-empty", "", true);
        qos(will.qos, "will.qos");
        boolean(will.retain, "will.retain");
        bytes(will.payload, "will.payload");
        willProps = properties(will.properties, 0, "will.properties", version);
        flags |= (will.qos << 3) | (will.retain ? 0x24 : 4);
      }
      const username = p.username === undefined ? undefined : utf8(p.username, "username");
      if (username) flags |= 0x80;
      if (p.password !== undefined) {
        if (username === undefined && version === 4) {
          throw new RangeError("password needs a username before MQTT 5");
        }
        bytes(p.password, "password");
        flags |= 0x40;
      }
      out.push(0, 4, 77, 81, 84, 84, version, flags);
      u16(out, p.keepalive);
      withLength(out, props);
      bin(out, clientId);
      if (willTopic) {
        withLength(out, willProps);
        bin(out, willTopic);
        bin(out, will!.payload);
      }
      if (username) bin(out, username);
      if (p.password) bin(out, p.password);
      break;
    }
    case "publish": {
      const p: PublishPacket = packet;
      const q = p.qos;
      qos(q, "qos");
      const topic = topicName(p.topic, "topic");
      if (q === 0) {
        if (p.packetId !== undefined) fail("packetId", "absent for QoS 0", p.packetId, true);
        if (p.dup) fail("dup", "false for QoS 0", true, true);
      } else {
        packetId(p.packetId);
      }
      boolean(p.dup, "dup");
      boolean(p.retain, "retain");
      tail = bytes(p.payload, "payload", Infinity);
      const props = properties(p.properties, 3, "properties", version);
      if (topic.length === 0 && (version === 4 || p.properties?.topicAlias === undefined)) {
        fail("topic", "non-empty unless properties.topicAlias is set", "", true);
      }
      first |= (p.dup ? 8 : 0) | (q << 1) | (p.retain ? 1 : 0);
      bin(out, topic);
      if (q) u16(out, p.packetId!);
      withLength(out, props);
      break;
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp": {
      const p = packet;
      u16(out, packetId(p.packetId));
      const code = reasonCode(p.reasonCode ?? 0, number, version);
      reasonAndProperties(
        out,
        code,
        properties(p.properties, number, "properties", version),
        false,
      );
      if (number === 6) first |= 2;
      break;
    }
    case "subscribe":
    case "unsubscribe": {
      const p = packet;
      u16(out, packetId(p.packetId));
      const sub = p.type === "subscribe";
      const items = sub
        ? list(p.subscriptions, "subscriptions")
        : list(p.topicFilters, "topicFilters");
      withLength(out, properties(p.properties, number, "properties", version));
      items.forEach((item: unknown, i) => {
        let f = `topicFilters[${i}]`;
        let filter = item;
        if (sub) {
          f = `subscriptions[${i}]`;
          if (typeof item !== "object" || item === null) fail(f, "an object", item, false);
          filter = (item as { topicFilter: unknown }).topicFilter;
          f += ".topicFilter";
        }
        const encoded = utf8(filter, f);
        if (encoded.length === 0) fail(f, "non-empty", "", true);
        bin(out, encoded);
        if (sub) {
          const s = item as Record<string, unknown>;
          f = `subscriptions[${i}].`;
          qos(s.qos, `${f}qos`);
          let options = s.qos as number;
          // Bit 2 noLocal and bit 3 retainAsPublished (booleans), bits 4-5 retainHandling (0..2).
          for (const [bit, key] of OPTIONS) {
            const value = s[key] ?? (bit < 16 ? false : 0);
            if (bit < 16) boolean(value, f + key);
            else qos(value, f + key);
            options += +(value as number) * bit;
          }
          if (version === 4 && options > 3) {
            const key = OPTIONS[options & 4 ? 0 : options & 8 ? 1 : 2]![1];
            throw new RangeError(`${f}${key} must be unset before MQTT 5`);
          }
          if (options & 4 && (filter as string).startsWith("$share/")) {
            fail(`${f}noLocal`, "false on a shared subscription", true, true);
          }
          out.push(options);
        }
      });
      first |= 2;
      break;
    }
    case "pingreq":
      break;
    case "disconnect":
    case "auth": {
      const p = packet;
      const auth = number === 15;
      if (auth) {
        if (version === 4) fail("packet.type", 'other than "auth" before MQTT 5', "auth", true);
        checkAuthenticationMethod(p.properties, p.reasonCode !== 0);
      }
      const code = reasonCode(p.reasonCode ?? 0, number, version);
      reasonAndProperties(out, code, properties(p.properties, number, "properties", version), auth);
      break;
    }
    default:
      fail("packet.type", "a packet type a client sends", type, false);
  }
  const n = out.length + tail.length;
  if (n > MAX_REMAINING) fail(`A ${type}`, `at most ${MAX_REMAINING} bytes long`, n, true);
  const head: Out = [first];
  varint(head, n);
  const frame = new Uint8Array(head.length + n);
  frame.set(head);
  frame.set(out, head.length);
  frame.set(tail, head.length + out.length);
  return frame;
}
