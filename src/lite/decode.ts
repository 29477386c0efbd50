/**
 * The lite codec's decoder: {@link Decoder} reads the stream of packets a client receives,
 * MQTT 3.1.1 and 5.0, into the packet objects the full codec gives for the same bytes, and
 * refuses what that refuses with the same error classes. Payloads and binary properties are
 * copies, never views of the chunks. Unlike the full decoder, it refuses a packet only a server
 * receives (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ) with a `ProtocolError`.
 *
 * @module
 */

import type { Packet, Properties } from "../codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { allowed, BY_ID, fail, integer, MAX_REMAINING, NAMES, WIRE_MAX } from "./_wire.ts";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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
