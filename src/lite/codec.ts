/**
 * The compact codec of the lite client: {@link encode} for the packets a client sends and a
 * streaming {@link Decoder} for the packets it receives, MQTT 3.1.1 and 5.0 only.
 *
 * It writes the same bytes and reads the same packet objects as the full codec (`src/codec/`),
 * and refuses what that refuses with the same error classes (MQTT 5 properties on a 3.1.1
 * packet included: a RangeError), in a fraction of its size: one property table drives both
 * directions, bytes are gathered in a plain array instead of a size pass, and `TextEncoder` /
 * a fatal `TextDecoder` handle UTF-8. Decoded payloads and binary properties are copies, never
 * views. Unlike the full decoder, `Decoder` refuses a packet only a server receives (CONNECT,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ) with a `ProtocolError`.
 *
 * @module
 */

import type { Packet, Properties, PublishPacket } from "../codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { PACKET_TYPE_NAMES } from "../codec/constants.ts";
import { isValidReasonCode } from "../codec/reason_codes.ts";

/** Largest Remaining Length, and largest Variable Byte Integer. */
const MAX_REMAINING = 268_435_455;
/** Largest string or binary field. */
const MAX_STRING = 65_535;
/** Packet type tags by type number (the full codec's table). */
const NAMES = PACKET_TYPE_NAMES;

/**
 * MQTT 5 properties: `[id, name, wire type, contexts, min, max]`. Wire types: 0 boolean,
 * 1 byte, 2 two-byte, 3 four-byte, 4 variable byte integer, 5 string, 6 binary, 7 string pair.
 * Contexts: bit `1 << packet type number`, bit 0 the will. `min` defaults to 0, `max` to the
 * wire type's largest value.
 */
type Row = readonly [number, string, number, number, number?, number?];
const WIRE_MAX = [1, 255, 0xffff, 0xffffffff, MAX_REMAINING];
const MESSAGE = 9; // will, PUBLISH
const TABLE: readonly Row[] = [
  [0x01, "payloadFormatIndicator", 0, MESSAGE],
  [0x02, "messageExpiryInterval", 3, MESSAGE],
  [0x03, "contentType", 5, MESSAGE],
  [0x08, "responseTopic", 5, MESSAGE],
  [0x09, "correlationData", 6, MESSAGE],
  [0x0b, "subscriptionIdentifier", 4, 0x108, 1],
  [0x11, "sessionExpiryInterval", 3, 0x4006],
  [0x12, "assignedClientIdentifier", 5, 4],
  [0x13, "serverKeepAlive", 2, 4],
  [0x15, "authenticationMethod", 5, 0x8006],
  [0x16, "authenticationData", 6, 0x8006],
  [0x17, "requestProblemInformation", 0, 2],
  [0x18, "willDelayInterval", 3, 1],
  [0x19, "requestResponseInformation", 0, 2],
  [0x1a, "responseInformation", 5, 4],
  [0x1c, "serverReference", 5, 0x4004],
  [0x1f, "reasonString", 5, 0xcaf4],
  [0x21, "receiveMaximum", 2, 6, 1],
  [0x22, "topicAliasMaximum", 2, 6],
  [0x23, "topicAlias", 2, 8, 1],
  [0x24, "maximumQoS", 1, 4, 0, 1],
  [0x25, "retainAvailable", 0, 4],
  [0x26, "userProperties", 7, 0xcfff],
  [0x27, "maximumPacketSize", 3, 6, 1],
  [0x28, "wildcardSubscriptionAvailable", 0, 4],
  [0x29, "subscriptionIdentifierAvailable", 0, 4],
  [0x2a, "sharedSubscriptionAvailable", 0, 4],
];
const BY_ID: (Row | undefined)[] = [];
const BY_NAME = new Map<string, Row>();
for (const row of TABLE) {
  BY_ID[row[0]] = row;
  BY_NAME.set(row[1], row);
}

/** Whether MQTT 5 allows reason code `code` in a packet of type number `type`. */
function allowed(code: number, type: number): boolean {
  return isValidReasonCode(code, NAMES[type]!);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// ---- encoding ---------------------------------------------------------------------------

/** A value for a message: strings quoted, the rest as `String` gives them. */
function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** `field must be <want>, got <value>`: a RangeError if `range`, else a TypeError. */
function fail(field: string, want: string, value: unknown, range: boolean): never {
  const message = `${field} must be ${want}, got ${show(value)}`;
  throw range ? new RangeError(message) : new TypeError(message);
}

function integer(value: unknown, field: string, min: number, max: number, range: boolean): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `an integer in ${min}..${max}`, value, range);
  }
  return value;
}

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

// ---- decoding ---------------------------------------------------------------------------

/**
 * Reads a Variable Byte Integer at `at`, before `end`: the value, or -1 when the bytes stop
 * first. Only the minimal encoding of at most 4 bytes is accepted.
 */
function readVarint(b: Uint8Array, at: number, end: number): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (at + i >= end) return -1;
    const byte = b[at + i]!;
    value += (byte & 127) * 128 ** i;
    if (byte < 128) {
      if (byte === 0 && i > 0) break;
      return value;
    }
  }
  throw new MalformedPacketError("A Variable Byte Integer is malformed");
}

/** The bytes a Variable Byte Integer of `value` takes. */
function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

/** Decodes the body `b` of a packet of type number `type` with fixed-header `flags`. */
function decodeBody(b: Uint8Array, type: number, flags: number, version: number): Packet {
  const v5 = version === 5;
  const tag = NAMES[type]!;
  const name = tag.toUpperCase();
  let pos = 0;
  let end = b.length;
  const malformed = (what: string): never => {
    throw new MalformedPacketError(`A ${name} ${what}`);
  };
  const error = (what: string): never => {
    throw new ProtocolError(`A ${name} ${what}`);
  };
  /** Takes `k` bytes; returns where they start. */
  const take = (k: number): number => {
    if (pos + k > end) malformed("is truncated");
    pos += k;
    return pos - k;
  };
  const u8 = (): number => b[take(1)]!;
  const u16 = (): number => (u8() << 8) | u8();
  const vbi = (): number => {
    const value = readVarint(b, pos, end);
    take(value < 0 ? end : varintSize(value));
    return value;
  };
  const str = (): string => {
    const raw = b.subarray(take(u16()), pos);
    try {
      if (raw.includes(0)) throw 0;
      return decoder.decode(raw);
    } catch {
      return malformed("has invalid UTF-8 or U+0000");
    }
  };
  const id = (): number => u16() || error("has packet identifier 0");
  const code = (): number => {
    const c = u8();
    return allowed(c, type) ? c : error(`has reason code ${c}`);
  };
  const done = (): void => {
    if (pos !== end) malformed("has trailing bytes");
  };
  /** The Property Length and properties; `undefined` for none. */
  const props = (): Properties | undefined => {
    const length = vbi();
    if (length === 0) return undefined;
    const outer = end;
    end = take(length) + length;
    pos -= length;
    const props: Record<string, unknown> = {};
    while (pos < end) {
      const id = vbi();
      const row = BY_ID[id];
      if (row === undefined || (row[3] >> type & 1) === 0) malformed(`has property ${id} there`);
      const [, key, wire, , min = 0, max = WIRE_MAX[wire]!] = row!;
      let value: unknown;
      if (wire === 7) {
        const pair = [str(), str()];
        ((props.userProperties ??= []) as unknown[]).push(pair);
        continue;
      } else if (wire === 5) {
        value = str();
        if (id === 8 && /^$|[+#]/.test(value as string)) error("has an invalid responseTopic");
      } else if (wire === 6) {
        value = b.slice(take(u16()), pos);
      } else {
        let n = wire === 4 ? vbi() : wire < 2 ? u8() : u16();
        if (wire === 3) n = n * 65536 + u16();
        if (n < min || n > max) error(`has ${key} ${n}`);
        value = wire === 0 ? n === 1 : n;
      }
      const previous = props[key];
      if (previous === undefined) props[key] = value;
      else if (id === 11 && type === 3) props[key] = [previous, value].flat();
      else error(`has ${key} more than once`);
    }
    end = outer;
    return props;
  };
  const packet: Record<string, unknown> = { type: tag };
  /** Sets `packet.properties` when there are some. */
  const withProps = (p: Properties | undefined): Properties | undefined => {
    if (p !== undefined) packet.properties = p;
    return p;
  };
  /** Refuses authenticationData, or (`needed`) anything, without authenticationMethod. */
  const checkMethod = (p: Properties | undefined, needed: unknown): void => {
    if ((needed || p?.authenticationData !== undefined) && p?.authenticationMethod === undefined) {
      error("has no authenticationMethod");
    }
  };
  switch (type) {
    case 2: {
      const ack = u8();
      if (ack & 0xfe) malformed("has reserved flags set");
      const c = u8();
      packet.sessionPresent = ack === 1;
      packet.reasonCode = c;
      if (v5 && !(pos === end && c >= 1 && c <= 5)) {
        if (!allowed(c, 2)) error(`has reason code ${c}`);
        checkMethod(withProps(props()), false);
      } else if (!v5 && c > 5) {
        error(`has return code ${c}`);
      }
      if (ack && c) error("has sessionPresent with a failure");
      break;
    }
    case 3: {
      const qos = (flags >> 1) & 3;
      const dup = (flags & 8) !== 0;
      if (dup && qos === 0) error("has DUP at QoS 0");
      const topic = str();
      if (/[+#]/.test(topic)) error("has wildcards in its topic");
      if (qos) packet.packetId = id();
      const p = v5 ? withProps(props()) : undefined;
      if (topic === "" && p?.topicAlias === undefined) error("has an empty topic");
      packet.topic = topic;
      packet.payload = b.slice(pos);
      packet.qos = qos;
      packet.retain = (flags & 1) !== 0;
      packet.dup = dup;
      return packet as unknown as Packet;
    }
    case 4:
    case 5:
    case 6:
    case 7:
      packet.packetId = id();
      packet.reasonCode = 0;
      if (v5 && pos < end) {
        packet.reasonCode = code();
        if (pos < end) withProps(props());
      }
      break;
    case 9:
    case 11: {
      const codes: number[] = [];
      packet.packetId = id();
      packet.reasonCodes = codes;
      if (v5) withProps(props());
      if (v5 || type === 9) {
        while (pos < end) {
          const c = v5 ? code() : u8();
          if (!v5 && (c % 128 > 2 || c > 128)) error(`has return code ${c}`);
          codes.push(c);
        }
        if (codes.length === 0) error("has no reason codes");
      }
      break;
    }
    case 13:
      break;
    default: // DISCONNECT, and AUTH (MQTT 5 only)
      packet.reasonCode = 0;
      if (v5 && pos < end) {
        packet.reasonCode = code();
        if (pos < end) withProps(props());
      }
      if (type === 15) {
        done();
        checkMethod(packet.properties as Properties | undefined, packet.reasonCode);
      }
  }
  done();
  return packet as unknown as Packet;
}

/**
 * A streaming decoder of the packets a client receives on one connection (CONNACK, PUBLISH,
 * PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP, and on MQTT 5 DISCONNECT and
 * AUTH), giving the packet objects the full codec gives for the same bytes. After it throws,
 * every later `push` throws the same error: the connection must be dropped.
 */
export class Decoder {
  #version: 4 | 5;
  #max: number;
  #buf = new Uint8Array(0);
  #len = 0;
  #error: unknown;

  /**
   * A decoder for MQTT 3.1.1 (`4`) or 5.0 (`5`) that refuses packets larger than
   * `maximumPacketSize` bytes (fixed header included) with reason code 0x95.
   */
  constructor(version: 4 | 5, maximumPacketSize = MAX_REMAINING + 5) {
    if (version !== 4 && version !== 5) fail("version", "4 or 5", version, true);
    integer(maximumPacketSize, "maximumPacketSize", 2, MAX_REMAINING + 5, true);
    this.#version = version;
    this.#max = maximumPacketSize;
  }

  /**
   * Feeds the next bytes of the stream, split anywhere; returns the packets they complete, in
   * order.
   *
   * @throws {MalformedPacketError} bytes that are not a valid packet (reason code 0x81), or a
   *   packet larger than the maximum packet size (0x95).
   * @throws {ProtocolError} a packet that breaks a protocol rule, or one only a server
   *   receives (0x82).
   */
  push(chunk: Uint8Array): Packet[] {
    if (this.#error !== undefined) throw this.#error;
    try {
      return this.#push(chunk);
    } catch (error) {
      this.#error = error;
      throw error;
    }
  }

  #push(chunk: Uint8Array): Packet[] {
    let data = chunk;
    if (this.#len) {
      this.#keep(chunk);
      data = this.#buf.subarray(0, this.#len);
    }
    const out: Packet[] = [];
    const n = data.length;
    let pos = 0;
    while (pos < n) {
      const first = data[pos]!;
      const type = first >> 4;
      if (type === 0 || (type === 15 && this.#version === 4)) {
        throw new MalformedPacketError(`Packet type ${type} is reserved`);
      }
      const name = NAMES[type]!.toUpperCase();
      // PUBREL, SUBSCRIBE and UNSUBSCRIBE have flags 0010, PUBLISH any but QoS 3, the rest 0.
      if (type === 3 ? (first & 6) === 6 : (first & 15) !== (0x540 >> type & 1) * 2) {
        throw new MalformedPacketError(`A ${name} has bad flags`);
      }
      if (type === 1 || type === 8 || type === 10 || type === 12) {
        throw new ProtocolError(`A server must not send a ${name}`);
      }
      const remaining = readVarint(data, pos + 1, n);
      if (remaining < 0) break;
      const start = pos + 1 + varintSize(remaining);
      const end = start + remaining;
      if (end - pos > this.#max) {
        throw new MalformedPacketError(
          `A ${name} of ${end - pos} bytes is over the maximum packet size`,
          { reasonCode: 0x95 },
        );
      }
      if (end > n) break;
      out.push(decodeBody(data.subarray(start, end), type, first & 15, this.#version));
      pos = end;
    }
    if (data === chunk) {
      this.#len = 0;
      this.#keep(chunk.subarray(pos));
    } else {
      this.#buf.copyWithin(0, pos, n);
      this.#len = n - pos;
    }
    // Let go of a large packet's buffer once it is decoded.
    if (this.#len === 0 && this.#buf.length > 65536) this.#buf = new Uint8Array(0);
    return out;
  }

  /** Appends `bytes` to the held-back bytes. */
  #keep(bytes: Uint8Array): void {
    const need = this.#len + bytes.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2, 256));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.#len);
    this.#len = need;
  }
}
