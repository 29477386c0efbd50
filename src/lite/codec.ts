/**
 * The compact codec of the lite client: {@link encode} for the packets a client sends and a
 * streaming {@link Decoder} for the packets it receives, MQTT 3.1.1 and 5.0 only.
 *
 * It writes the same bytes and reads the same packet objects as the full codec (`src/codec/`),
 * and refuses what that refuses, in a fraction of its size: one property table drives both
 * directions, a growable writer replaces the size pass, and `TextEncoder` / a fatal
 * `TextDecoder` handle UTF-8. Decoded payloads and binary properties are copies, never views.
 *
 * @module
 */

import type {
  AuthPacket,
  DisconnectPacket,
  Packet,
  Properties,
  PubAckPacket,
  PublishPacket,
  QoS,
  SubackPacket,
  UnsubackPacket,
} from "../codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../errors.ts";

/** Largest Remaining Length, and largest Variable Byte Integer. */
const MAX_REMAINING = 268_435_455;
/** Largest string or binary field. */
const MAX_STRING = 65_535;
/** Packet type tags by type number. */
const NAMES = [
  "",
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
] as const;

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

/** MQTT 5 reason codes: the packets (bit `1 << type number`) that may carry each. */
const REASONS: Record<number, number> = {};
// deno-fmt-ignore
const REASON_ROWS = [0, 0xcaf4, 1, 512, 2, 512, 4, 0x4000, 16, 48, 17, 2048, 24, 0x8000, 25, 0x8000,
  128, 0x4a34, 129, 0x4004, 130, 0x4004, 131, 0x4a34, 132, 4, 133, 4, 134, 4, 135, 0x4a34, 136, 4,
  137, 0x4004, 138, 4, 139, 0x4000, 140, 0x4004, 141, 0x4000, 142, 0x4000, 143, 0x4a00,
  144, 0x4034, 145, 0xa30, 146, 192, 147, 0x4000, 148, 0x4000, 149, 0x4004, 150, 0x4000,
  151, 0x4234, 152, 0x4000, 153, 0x4034, 154, 0x4004, 155, 0x4004, 156, 0x4004, 157, 0x4004,
  158, 0x4200, 159, 0x4004, 160, 0x4000, 161, 0x4200, 162, 0x4200];
for (let i = 0; i < REASON_ROWS.length; i += 2) REASONS[REASON_ROWS[i]!] = REASON_ROWS[i + 1]!;

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
    throw new RangeError(`${field} must be at most 65535 bytes, got ${value.length}`);
  }
  return value;
}

/** An MQTT UTF-8 string's bytes: no U+0000, no lone surrogate, at most 65,535 bytes. */
function utf8(value: unknown, field: string): Uint8Array {
  if (typeof value !== "string") fail(field, "a string", value, false);
  if (/\0|\p{Cs}/u.test(value)) {
    throw new RangeError(`${field} must not contain U+0000 or a lone surrogate [MQTT-1.5.4-1]`);
  }
  const encoded = encoder.encode(value);
  if (encoded.length > MAX_STRING) {
    throw new RangeError(`${field} must be at most 65535 bytes of UTF-8, got ${encoded.length}`);
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
  if (version === 5 ? ((REASONS[value as number] ?? 0) >> type & 1) === 0 : value !== 0) {
    fail("reasonCode", `a ${NAMES[type]} reason code`, value, true);
  }
  return value as number;
}

function checkAuthenticationMethod(props: Properties | undefined): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    fail("properties.authenticationMethod", "set with authenticationData", undefined, true);
  }
}

/** A growable byte buffer. */
class Writer {
  b = new Uint8Array(64);
  n = 0;

  /** Makes room for `k` more bytes; returns where they go. */
  room(k: number): number {
    const at = this.n;
    const need = at + k;
    if (need > this.b.length) {
      const grown = new Uint8Array(Math.max(need, this.b.length * 2));
      grown.set(this.b.subarray(0, at));
      this.b = grown;
    }
    this.n = need;
    return at;
  }

  u8(value: number): void {
    const at = this.room(1);
    this.b[at] = value;
  }

  u16(value: number): void {
    this.u8(value >>> 8);
    this.u8(value & 255);
  }

  varint(value: number): void {
    for (; value > 127; value >>>= 7) this.u8((value & 127) | 128);
    this.u8(value);
  }

  raw(value: Uint8Array): void {
    const at = this.room(value.length);
    this.b.set(value, at);
  }

  /** Length-prefixed bytes (a string's or binary data). */
  bin(value: Uint8Array): void {
    this.u16(value.length);
    this.raw(value);
  }

  /** Property Length and properties from {@link properties}; nothing before MQTT 5. */
  props(encoded: Uint8Array | undefined): void {
    if (encoded !== undefined) {
      this.varint(encoded.length);
      this.raw(encoded);
    }
  }

  done(): Uint8Array {
    return this.b.subarray(0, this.n);
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
): Uint8Array | undefined {
  if (props !== undefined && (typeof props !== "object" || props === null)) {
    fail(field, "an object", props, false);
  }
  const w = new Writer();
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
        w.u8(id);
        w.bin(utf8(pair[0], `${f}[${i}][0]`));
        w.bin(utf8(pair[1], `${f}[${i}][1]`));
      });
    } else if (wire === 4 && context === 3 && Array.isArray(value)) {
      for (const item of value) {
        w.u8(id);
        w.varint(integer(item, f, min, max, Number.isInteger(item)));
      }
    } else {
      w.u8(id);
      if (wire === 0) {
        boolean(value, f);
        w.u8(value ? 1 : 0);
      } else if (wire === 5) {
        const encoded = utf8(value, f);
        if (id === 8 && (encoded.length === 0 || /[+#]/.test(value as string))) {
          fail(f, "a non-empty topic name without wildcards", value, true);
        }
        w.bin(encoded);
      } else if (wire === 6) {
        w.bin(bytes(value, f));
      } else {
        const n = integer(value, f, min, max, Number.isInteger(value));
        if (wire === 4) w.varint(n);
        else if (wire === 1) w.u8(n);
        else {
          if (wire === 3) w.u16(Math.floor(n / 65536));
          w.u16(n & 0xffff);
        }
      }
    }
  }
  return version === 5 ? w.done() : undefined;
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
  const number = NAMES.indexOf(type!);
  const w = new Writer();
  let first = number << 4;
  let tail: Uint8Array = w.b.subarray(0, 0);
  switch (packet?.type) {
    case "connect": {
      const p = packet;
      if (p.protocolVersion !== version) {
        fail(
          "packet.protocolVersion",
          `${version}, the version it is encoded for`,
          p.protocolVersion,
          true,
        );
      }
      boolean(p.clean, "clean");
      integer(p.keepalive, "keepalive", 0, 0xffff, typeof p.keepalive === "number");
      const clientId = utf8(p.clientId, "clientId");
      if (clientId.length === 0 && version === 4 && !p.clean) {
        fail("clientId", "non-empty when clean is false [MQTT-3.1.3-7]", "", true);
      }
      const props = properties(p.properties, 1, "properties", version);
      if (version === 5) checkAuthenticationMethod(p.properties);
      const will = p.will;
      let willTopic: Uint8Array | undefined;
      let willProps: Uint8Array | undefined;
      if (will !== undefined) {
        if (typeof will !== "object" || will === null) fail("will", "an object", will, false);
        willTopic = topicName(will.topic, "will.topic");
        if (willTopic.length === 0) fail("will.topic", "non-empty", "", true);
        qos(will.qos, "will.qos");
        boolean(will.retain, "will.retain");
        bytes(will.payload, "will.payload");
        willProps = properties(will.properties, 0, "will.properties", version);
        first = (will.qos << 3) | (will.retain ? 0x24 : 4);
      } else {
        first = 0;
      }
      const username = p.username === undefined ? undefined : utf8(p.username, "username");
      if (p.password !== undefined) {
        if (username === undefined && version === 4) {
          throw new RangeError("password must be absent without a username before MQTT 5");
        }
        bytes(p.password, "password");
      }
      // `first` holds the will flags here; the connect flags complete them.
      w.raw(new Uint8Array([0, 4, 77, 81, 84, 84, version]));
      w.u8(
        first | (p.clean ? 2 : 0) | (username ? 0x80 : 0) | (p.password ? 0x40 : 0),
      );
      w.u16(p.keepalive);
      w.props(props);
      w.bin(clientId);
      if (will !== undefined) {
        w.props(willProps);
        w.bin(willTopic!);
        w.bin(will.payload);
      }
      if (username) w.bin(username);
      if (p.password) w.bin(p.password);
      first = 0x10;
      break;
    }
    case "publish": {
      const p: PublishPacket = packet;
      const q = p.qos;
      qos(q, "qos");
      const topic = topicName(p.topic, "topic");
      if (q === 0) {
        if (p.packetId !== undefined) fail("packetId", "absent for QoS 0", p.packetId, true);
        if (p.dup) fail("dup", "false for QoS 0 [MQTT-3.3.1-2]", true, true);
      } else {
        packetId(p.packetId);
      }
      boolean(p.dup, "dup");
      boolean(p.retain, "retain");
      bytes(p.payload, "payload", Infinity);
      const props = properties(p.properties, 3, "properties", version);
      if (topic.length === 0 && (version === 4 || p.properties?.topicAlias === undefined)) {
        fail("topic", "non-empty unless properties.topicAlias is set", "", true);
      }
      first |= (p.dup ? 8 : 0) | (q << 1) | (p.retain ? 1 : 0);
      w.bin(topic);
      if (q) w.u16(p.packetId!);
      w.props(props);
      tail = p.payload;
      break;
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp": {
      const p = packet;
      w.u16(packetId(p.packetId));
      const code = reasonCode(p.reasonCode ?? 0, number, version);
      const props = properties(p.properties, number, "properties", version);
      if (props?.length) {
        w.u8(code);
        w.props(props);
      } else if (code) {
        w.u8(code);
      }
      if (number === 6) first |= 2;
      break;
    }
    case "subscribe":
    case "unsubscribe": {
      const p = packet;
      w.u16(packetId(p.packetId));
      const sub = p.type === "subscribe";
      const items = sub
        ? list(p.subscriptions, "subscriptions")
        : list(p.topicFilters, "topicFilters");
      w.props(properties(p.properties, number, "properties", version));
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
        if (encoded.length === 0) fail(f, "non-empty [MQTT-4.7.3-1]", "", true);
        w.bin(encoded);
        if (sub) {
          const s = item as {
            qos: QoS;
            noLocal?: unknown;
            retainAsPublished?: unknown;
            retainHandling?: unknown;
          };
          f = `subscriptions[${i}].`;
          qos(s.qos, `${f}qos`);
          const noLocal = s.noLocal ?? false;
          const rap = s.retainAsPublished ?? false;
          const rh = s.retainHandling ?? 0;
          boolean(noLocal, `${f}noLocal`);
          boolean(rap, `${f}retainAsPublished`);
          qos(rh, `${f}retainHandling`);
          if (version === 4) {
            if (noLocal) fail(`${f}noLocal`, "false before MQTT 5", true, true);
            if (rap) fail(`${f}retainAsPublished`, "false before MQTT 5", true, true);
            if (rh) fail(`${f}retainHandling`, "0 before MQTT 5", rh, true);
          }
          if (noLocal && (filter as string).startsWith("$share/")) {
            fail(`${f}noLocal`, "false on a shared subscription [MQTT-3.8.3-4]", true, true);
          }
          w.u8(s.qos | (noLocal ? 4 : 0) | (rap ? 8 : 0) | ((rh as number) << 4));
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
      if (number === 15) {
        if (version === 4) fail("packet.type", 'other than "auth" before MQTT 5', "auth", true);
        checkAuthenticationMethod(p.properties);
        if (p.reasonCode !== 0 && p.properties?.authenticationMethod === undefined) {
          fail(
            "properties.authenticationMethod",
            "set in an AUTH with a reasonCode",
            undefined,
            true,
          );
        }
      }
      const code = reasonCode(p.reasonCode ?? 0, number, version);
      const props = properties(p.properties, number, "properties", version);
      if (props?.length) {
        w.u8(code);
        w.props(props);
      } else if (code) {
        w.u8(code);
        if (number === 15) w.u8(0);
      }
      break;
    }
    default:
      fail("packet.type", "a packet type a client sends", type, false);
  }
  const body = w.done();
  const n = body.length + tail.length;
  if (n > MAX_REMAINING) {
    fail(`A ${type}`, `at most ${MAX_REMAINING} bytes after its fixed header`, n, true);
  }
  const head = new Writer();
  head.u8(first);
  head.varint(n);
  const frame = new Uint8Array(head.n + n);
  frame.set(head.done());
  frame.set(body, head.n);
  frame.set(tail, head.n + body.length);
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
  throw new MalformedPacketError(
    "A Variable Byte Integer is longer than 4 bytes or not minimally encoded [MQTT-1.5.5-1]",
  );
}

/** The bytes a Variable Byte Integer of `value` takes. */
function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

/** A cursor over one packet's body. */
class Reader {
  b: Uint8Array;
  p = 0;
  e: number;
  /** The packet's name for messages, e.g. "CONNACK". */
  t: string;

  constructor(b: Uint8Array, type: number) {
    this.b = b;
    this.e = b.length;
    this.t = NAMES[type]!.toUpperCase();
  }

  get left(): number {
    return this.e - this.p;
  }

  /** Takes `k` bytes; returns where they start. */
  take(k: number): number {
    const at = this.p;
    if (at + k > this.e) throw new MalformedPacketError(`A ${this.t} is truncated`);
    this.p = at + k;
    return at;
  }

  u8(): number {
    return this.b[this.take(1)]!;
  }

  u16(): number {
    const at = this.take(2);
    return (this.b[at]! << 8) | this.b[at + 1]!;
  }

  varint(): number {
    const value = readVarint(this.b, this.p, this.e);
    this.take(value < 0 ? this.e - this.p + 1 : varintSize(value));
    return value;
  }

  bin(): Uint8Array {
    const at = this.take(this.u16());
    return this.b.slice(at, this.p);
  }

  str(): string {
    const at = this.take(this.u16());
    const raw = this.b.subarray(at, this.p);
    try {
      if (raw.includes(0)) throw 0;
      return decoder.decode(raw);
    } catch {
      throw new MalformedPacketError(
        `A ${this.t} holds a string that is not well-formed UTF-8 or contains U+0000 [MQTT-1.5.4-1]`,
      );
    }
  }

  /** A non-zero packet identifier. */
  id(): number {
    const id = this.u16();
    if (id === 0) this.error(`has packet identifier 0 [MQTT-2.2.1-3]`);
    return id;
  }

  /** A reason code valid in this packet (type number `type`). */
  code(type: number): number {
    const code = this.u8();
    if (((REASONS[code] ?? 0) >> type & 1) === 0) this.error(`has reason code ${code}`);
    return code;
  }

  end(): void {
    if (this.p !== this.e) throw new MalformedPacketError(`A ${this.t} has trailing bytes`);
  }

  error(what: string): never {
    throw new ProtocolError(`A ${this.t} ${what}`);
  }

  /** Property Length and properties of context `context`; `undefined` for none. */
  props(context: number): Properties | undefined {
    const length = this.varint();
    if (length === 0) return undefined;
    const outer = this.e;
    this.e = this.take(length) + length;
    this.p -= length;
    const props: Record<string, unknown> = {};
    while (this.p < this.e) {
      const id = this.varint();
      const row = BY_ID[id];
      if (row === undefined || (row[3] >> context & 1) === 0) {
        throw new MalformedPacketError(`A ${this.t} has property ${id}, not allowed there`);
      }
      const [, name, wire, , min = 0, max = WIRE_MAX[wire]!] = row;
      let value: unknown;
      if (wire === 7) {
        const pair = [this.str(), this.str()];
        ((props.userProperties ??= []) as unknown[]).push(pair);
        continue;
      } else if (wire === 5) {
        value = this.str();
        if (id === 8 && /^$|[+#]/.test(value as string)) this.error("has an invalid responseTopic");
      } else if (wire === 6) {
        value = this.bin();
      } else {
        let n = wire === 4 ? this.varint() : wire < 2 ? this.u8() : this.u16();
        if (wire === 3) n = n * 65536 + this.u16();
        if (n < min || n > max) this.error(`has ${name} ${n}`);
        value = wire === 0 ? n === 1 : n;
      }
      const previous = props[name];
      if (previous === undefined) props[name] = value;
      else if (id === 11 && context === 3) props[name] = [previous, value].flat();
      else this.error(`has ${name} more than once`);
    }
    this.e = outer;
    return props;
  }

  /** Reason code and properties of a DISCONNECT or AUTH (type number `type`). */
  reasonAndProps(type: number): DisconnectPacket | AuthPacket {
    const packet = { type: NAMES[type], reasonCode: 0 } as DisconnectPacket | AuthPacket;
    if (this.left) {
      packet.reasonCode = this.code(type);
      if (this.left) withProps(packet, this.props(type));
    }
    this.end();
    return packet;
  }
}

function withProps<P extends { properties?: Properties }>(
  packet: P,
  props: Properties | undefined,
): P {
  if (props !== undefined) packet.properties = props;
  return packet;
}

function authDataWithoutMethod(r: Reader, props: Properties | undefined): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    r.error("has authenticationData without authenticationMethod");
  }
}

/** Decodes the body of a packet of type number `type` with fixed-header `flags`. */
function decodeBody(body: Uint8Array, type: number, flags: number, version: number): Packet {
  const r = new Reader(body, type);
  const v5 = version === 5;
  switch (type) {
    case 2: {
      const ack = r.u8();
      if (ack & 0xfe) {
        throw new MalformedPacketError("A CONNACK has reserved flags set [MQTT-3.2.2-1]");
      }
      const code = r.u8();
      const packet: Packet = { type: "connack", sessionPresent: ack === 1, reasonCode: code };
      if (v5 && !(r.left === 0 && code >= 1 && code <= 5)) {
        if (((REASONS[code] ?? 0) & 4) === 0) r.error(`has reason code ${code}`);
        authDataWithoutMethod(r, withProps(packet, r.props(2)).properties);
      } else if (!v5 && code > 5) {
        r.error(`has return code ${code}`);
      }
      if (ack && code) r.error("refusing the connection has session present set");
      r.end();
      return packet;
    }
    case 3: {
      const qos = (flags >> 1) & 3;
      const dup = (flags & 8) !== 0;
      if (dup && qos === 0) r.error("with QoS 0 has DUP set [MQTT-3.3.1-2]");
      const topic = r.str();
      if (/[+#]/.test(topic)) r.error("topic has wildcards [MQTT-3.3.2-2]");
      const id = qos ? r.id() : 0;
      const props = v5 ? r.props(3) : undefined;
      if (topic === "" && props?.topicAlias === undefined) r.error("has an empty topic");
      const packet: PublishPacket = {
        type: "publish",
        topic,
        payload: body.slice(r.p),
        qos: qos as QoS,
        retain: (flags & 1) !== 0,
        dup,
      };
      if (qos) packet.packetId = id;
      return withProps(packet, props);
    }
    case 4:
    case 5:
    case 6:
    case 7: {
      const packet = { type: NAMES[type], packetId: r.id(), reasonCode: 0 } as PubAckPacket;
      if (v5 && r.left) {
        packet.reasonCode = r.code(type);
        if (r.left) withProps(packet, r.props(type));
      }
      r.end();
      return packet;
    }
    case 9:
    case 11: {
      const codes: number[] = [];
      const packet = { type: NAMES[type], packetId: r.id(), reasonCodes: codes } as
        | SubackPacket
        | UnsubackPacket;
      withProps(packet, v5 ? r.props(type) : undefined);
      if (v5 || type === 9) {
        while (r.left) {
          const code = v5 ? r.code(type) : r.u8();
          if (!v5 && (code % 128 > 2 || code > 128)) r.error(`has return code ${code}`);
          codes.push(code);
        }
        if (codes.length === 0) r.error("has no reason codes");
      }
      r.end();
      return packet;
    }
    case 13:
      r.end();
      return { type: "pingresp" };
    case 14:
      if (!v5) {
        r.end();
        return { type: "disconnect", reasonCode: 0 };
      }
      return r.reasonAndProps(14);
    default: {
      const packet = r.reasonAndProps(15) as Packet & {
        reasonCode: number;
        properties?: Properties;
      };
      authDataWithoutMethod(r, packet.properties);
      if (packet.reasonCode && packet.properties?.authenticationMethod === undefined) {
        r.error("continuing authentication has no authenticationMethod");
      }
      return packet;
    }
  }
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
      const name = NAMES[type]!.toUpperCase();
      if (type === 0 || (type === 15 && this.#version === 4)) {
        throw new MalformedPacketError(`Packet type ${type} is reserved`);
      }
      // PUBREL, SUBSCRIBE and UNSUBSCRIBE have flags 0010, PUBLISH any but QoS 3, the rest 0.
      if (type === 3 ? (first & 6) === 6 : (first & 15) !== (0x540 >> type & 1) * 2) {
        throw new MalformedPacketError(`A ${name} has invalid fixed header flags [MQTT-2.1.3-1]`);
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
          `A ${name} of ${end - pos} bytes exceeds the maximum packet size of ${this.#max}`,
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
