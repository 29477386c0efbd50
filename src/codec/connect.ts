/**
 * CONNECT (MQTT 5 §3.1, MQTT 3.1.1 §3.1, MQTT 3.1).
 *
 * A CONNECT carries its own protocol level, so decoding reads the level from the packet
 * (3 = "MQIsdp", 4 and 5 = "MQTT") whatever version the caller passes.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { describe } from "../format.ts";
import { MAX_STRING_BYTES, PROTOCOL_NAMES } from "./constants.ts";
import type { ConnectPacket, Properties, ProtocolVersion, Will } from "./types.ts";
import {
  hasProperties,
  propertiesLength,
  propertiesSize,
  writeProperties,
} from "./_property_encode.ts";
import { checkAuthenticationData, readProperties } from "./_property_decode.ts";
import { WILL_CONTEXT } from "./_property_lookup.ts";
import { utf8Length } from "./utf8.ts";
import { Reader } from "./_reader.ts";
import { varintSize } from "./_varint.ts";
import { allocatePacket, type Output, packetSize, writeBinary, writeString } from "./_writer.ts";
import {
  checkAuthenticationMethod,
  checkBoolean,
  checkBytes,
  checkInteger,
  checkQos,
  checkRemainingLength,
  requiresMqtt5,
} from "./_checks.ts";
import { ReasonCode } from "./reason_codes.ts";

const USERNAME = 0x80;
const PASSWORD = 0x40;
const WILL_RETAIN = 0x20;
const WILL_QOS = 0x18;
const WILL_FLAG = 0x04;
const CLEAN = 0x02;
const RESERVED = 0x01;

/**
 * Validates a CONNECT for `version` (already checked to be 3, 4 or 5) and returns its
 * Remaining Length; leaves the Property Lengths in `out`.
 */
function connectRemaining(p: ConnectPacket, version: ProtocolVersion, out: Output): number {
  if (p.protocolVersion !== version) {
    throw new RangeError(
      `packet.protocolVersion must equal the protocolVersion it is encoded for (${version}), ` +
        `got ${describe(p.protocolVersion)}`,
    );
  }
  checkBoolean(p.clean, "clean");
  checkInteger(p.keepalive, "keepalive", 0, 0xffff);
  // protocol name + level + flags + keepalive
  let remaining = 2 + PROTOCOL_NAMES[version].length + 1 + 1 + 2;
  const clientIdLength = utf8Length(p.clientId, "clientId");
  if (clientIdLength === 0) {
    if (version === 3) {
      throw new RangeError(`clientId must not be empty in MQTT 3.1 (protocol version 3), got ""`);
    }
    if (version === 4 && !p.clean) {
      throw new RangeError(`clientId must not be empty when clean is false [MQTT-3.1.3-7], got ""`);
    }
  }
  remaining += 2 + clientIdLength + propertiesSize(p.properties, 1, version, out);
  if (version === 5) checkAuthenticationMethod(p.properties, "properties");
  const will = p.will;
  if (will !== undefined) {
    if (typeof will !== "object" || will === null) {
      throw new TypeError(`will must be an object, got ${describe(will)}`);
    }
    const topicLength = utf8Length(will.topic, "will.topic");
    if (topicLength === 0 || will.topic.includes("+") || will.topic.includes("#")) {
      throw new RangeError(
        `will.topic must be a non-empty topic name without wildcards, got ${describe(will.topic)}`,
      );
    }
    checkQos(will.qos, "will.qos");
    checkBoolean(will.retain, "will.retain");
    remaining += 2 + topicLength + 2 +
      checkBytes(will.payload, "will.payload", MAX_STRING_BYTES).length;
    if (version === 5) {
      const willProps = propertiesLength(will.properties, WILL_CONTEXT, "will.properties");
      out.willPropertiesLength = willProps;
      remaining += varintSize(willProps) + willProps;
    } else if (hasProperties(will.properties)) {
      throw requiresMqtt5("will.properties", "absent", will.properties, version);
    }
  }
  if (p.username !== undefined) remaining += 2 + utf8Length(p.username, "username");
  if (p.password !== undefined) {
    if (p.username === undefined && version !== 5) {
      throw new RangeError(
        `password must be absent without a username before MQTT 5 [MQTT-3.1.2-22], got ${
          describe(p.password)
        }`,
      );
    }
    remaining += 2 + checkBytes(p.password, "password", MAX_STRING_BYTES).length;
  }
  checkRemainingLength(remaining, "connect");
  return remaining;
}

/** Encoded size of a CONNECT in bytes. */
export function connectLength(p: ConnectPacket, version: ProtocolVersion, out: Output): number {
  return packetSize(connectRemaining(p, version, out));
}

/** Encodes a CONNECT into a buffer from `out`; `p.protocolVersion` must equal `version`. */
export function encodeConnect(p: ConnectPacket, version: ProtocolVersion, out: Output): Uint8Array {
  const remaining = connectRemaining(p, version, out);
  const buf = allocatePacket(out, 0x10, remaining);
  let o = buf.length - remaining;
  o = writeString(buf, o, PROTOCOL_NAMES[version]);
  buf[o++] = version;
  const will = p.will;
  let flags = p.clean ? CLEAN : 0;
  if (will !== undefined) {
    flags |= WILL_FLAG | (will.qos << 3) | (will.retain ? WILL_RETAIN : 0);
  }
  if (p.username !== undefined) flags |= USERNAME;
  if (p.password !== undefined) flags |= PASSWORD;
  buf[o++] = flags;
  buf[o++] = p.keepalive >>> 8;
  buf[o++] = p.keepalive & 0xff;
  if (version === 5) o = writeProperties(buf, o, p.properties, out.propertiesLength);
  o = writeString(buf, o, p.clientId);
  if (will !== undefined) {
    if (version === 5) o = writeProperties(buf, o, will.properties, out.willPropertiesLength);
    o = writeString(buf, o, will.topic);
    o = writeBinary(buf, o, will.payload);
  }
  if (p.username !== undefined) o = writeString(buf, o, p.username);
  if (p.password !== undefined) writeBinary(buf, o, p.password);
  return buf;
}

/** Decodes the body `buf[start, end)` of a CONNECT; the protocol level comes from the packet. */
export function decodeConnect(buf: Uint8Array, start: number, end: number): ConnectPacket {
  const r = new Reader(buf, start, end, "CONNECT");
  const name = r.utf8("protocol name");
  const level = r.u8("protocol level");
  if (name !== "MQTT" && name !== "MQIsdp") {
    throw new ProtocolError(
      `A CONNECT has protocol name ${JSON.stringify(name)}, expected "MQTT" or "MQIsdp" ` +
        `[MQTT-3.1.2-1]`,
      { reasonCode: ReasonCode.UnsupportedProtocolVersion },
    );
  }
  if ((level !== 3 && level !== 4 && level !== 5) || (level === 3) !== (name === "MQIsdp")) {
    throw new ProtocolError(
      `A CONNECT has unsupported protocol level ${level} for protocol name ` +
        `${JSON.stringify(name)} [MQTT-3.1.2-2]`,
      { reasonCode: ReasonCode.UnsupportedProtocolVersion },
    );
  }
  const version = level as ProtocolVersion;
  const flags = r.u8("connect flags");
  if ((flags & RESERVED) !== 0) {
    throw new MalformedPacketError("The reserved CONNECT flag (bit 0) must be 0 [MQTT-3.1.2-3]");
  }
  const willQos = (flags & WILL_QOS) >> 3;
  if ((flags & WILL_FLAG) === 0) {
    if (willQos !== 0) {
      throw new MalformedPacketError("A CONNECT without a will has will QoS set [MQTT-3.1.2-11]");
    }
    if ((flags & WILL_RETAIN) !== 0) {
      throw new MalformedPacketError(
        "A CONNECT without a will has will retain set [MQTT-3.1.2-13]",
      );
    }
  } else if (willQos === 3) {
    throw new MalformedPacketError("A CONNECT has will QoS 3 [MQTT-3.1.2-12]");
  }
  if (version !== 5 && (flags & PASSWORD) !== 0 && (flags & USERNAME) === 0) {
    throw new MalformedPacketError(
      "A CONNECT has the password flag without the user name flag [MQTT-3.1.2-22]",
    );
  }
  const keepalive = r.u16("keep alive");
  let properties: Properties | undefined;
  if (version === 5) {
    properties = readProperties(r, 1);
    checkAuthenticationData(properties, "CONNECT");
  }
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion: version,
    clientId: r.utf8("client identifier"),
    clean: (flags & CLEAN) !== 0,
    keepalive,
  };
  if ((flags & WILL_FLAG) !== 0) {
    let willProperties: Properties | undefined;
    if (version === 5) willProperties = readProperties(r, WILL_CONTEXT);
    const will: Will = {
      topic: r.utf8("will topic"),
      payload: r.binary("will payload"),
      qos: willQos as 0 | 1 | 2,
      retain: (flags & WILL_RETAIN) !== 0,
    };
    if (will.topic === "" || will.topic.includes("+") || will.topic.includes("#")) {
      throw new ProtocolError(
        `A will topic must be a non-empty topic name without wildcards ` +
          `[MQTT-4.7.3-1] [MQTT-4.7.0-1]: ${JSON.stringify(will.topic)}`,
      );
    }
    if (willProperties !== undefined) will.properties = willProperties;
    packet.will = will;
  }
  if ((flags & USERNAME) !== 0) packet.username = r.utf8("user name");
  if ((flags & PASSWORD) !== 0) packet.password = r.binary("password");
  if (properties !== undefined) packet.properties = properties;
  r.expectEnd();
  return packet;
}
