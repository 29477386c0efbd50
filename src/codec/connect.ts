/**
 * CONNECT and CONNACK (MQTT 5 §3.1–3.2, MQTT 3.1.1 §3.1–3.2, MQTT 3.1).
 *
 * A CONNECT carries its own protocol level, so decoding reads the level from the packet
 * (3 = "MQIsdp", 4 and 5 = "MQTT") whatever version the caller passes.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { MAX_STRING_BYTES, PROTOCOL_NAMES } from "./constants.ts";
import type { ConnackPacket, ConnectPacket, Properties, ProtocolVersion, Will } from "./types.ts";
import {
  checkAuthenticationData,
  hasProperties,
  propertiesLength,
  readProperties,
  WILL_CONTEXT,
  writeProperties,
} from "./_property_codec.ts";
import { describe, utf8Length } from "./utf8.ts";
import { Reader } from "./_reader.ts";
import { varintSize } from "./_varint.ts";
import { writeBinary, writeString } from "./_writer.ts";
import {
  allocatePacket,
  checkBoolean,
  checkBytes,
  checkInteger,
  checkQos,
  checkRemainingLength,
  expectReasonCode,
  packetSize,
} from "./_checks.ts";
import { isValidReasonCode, ReasonCode } from "./reason_codes.ts";

const USERNAME = 0x80;
const PASSWORD = 0x40;
const WILL_RETAIN = 0x20;
const WILL_QOS = 0x18;
const WILL_FLAG = 0x04;
const CLEAN = 0x02;
const RESERVED = 0x01;

// ---- CONNECT ----------------------------------------------------------------------------

interface ConnectSizes {
  remaining: number;
  props: number;
  willProps: number;
}

function connectSizes(p: ConnectPacket, version: ProtocolVersion): ConnectSizes {
  if (p.protocolVersion !== version) {
    throw new RangeError(
      `protocolVersion of the CONNECT (${describe(p.protocolVersion)}) must equal the ` +
        `protocol version it is encoded for (${version})`,
    );
  }
  if (version !== 3 && version !== 4 && version !== 5) {
    throw new RangeError(`protocolVersion must be 3, 4 or 5, got ${describe(version)}`);
  }
  checkBoolean(p.clean, "clean");
  checkInteger(p.keepalive, "keepalive", 0, 0xffff);
  // protocol name + level + flags + keepalive
  let remaining = 2 + PROTOCOL_NAMES[version].length + 1 + 1 + 2;
  const clientIdLength = utf8Length(p.clientId, "clientId");
  if (clientIdLength === 0) {
    if (version === 3) {
      throw new RangeError("clientId must not be empty in MQTT 3.1");
    }
    if (version === 4 && !p.clean) {
      throw new RangeError("clientId may only be empty when clean is true [MQTT-3.1.3-7]");
    }
  }
  remaining += 2 + clientIdLength;
  let props = 0;
  let willProps = 0;
  if (version === 5) {
    props = propertiesLength(p.properties, 1, "properties");
    const auth = p.properties;
    if (auth?.authenticationData !== undefined && auth.authenticationMethod === undefined) {
      throw new RangeError(
        "properties.authenticationData requires properties.authenticationMethod",
      );
    }
    remaining += varintSize(props) + props;
  } else if (hasProperties(p.properties)) {
    throw new RangeError(`properties require MQTT 5, got protocol version ${version}`);
  }
  const will = p.will;
  if (will !== undefined) {
    if (typeof will !== "object" || will === null) {
      throw new TypeError(`will must be an object, got ${describe(will)}`);
    }
    const topicLength = utf8Length(will.topic, "will.topic");
    if (topicLength === 0 || will.topic.includes("+") || will.topic.includes("#")) {
      throw new RangeError(
        `will.topic must be a non-empty topic name without wildcards: ${describe(will.topic)}`,
      );
    }
    checkQos(will.qos, "will.qos");
    checkBoolean(will.retain, "will.retain");
    remaining += 2 + topicLength + 2 +
      checkBytes(will.payload, "will.payload", MAX_STRING_BYTES).length;
    if (version === 5) {
      willProps = propertiesLength(will.properties, WILL_CONTEXT, "will.properties");
      remaining += varintSize(willProps) + willProps;
    } else if (hasProperties(will.properties)) {
      throw new RangeError(`will.properties require MQTT 5, got protocol version ${version}`);
    }
  }
  if (p.username !== undefined) remaining += 2 + utf8Length(p.username, "username");
  if (p.password !== undefined) {
    if (p.username === undefined && version !== 5) {
      throw new RangeError("password requires a username before MQTT 5 [MQTT-3.1.2-22]");
    }
    remaining += 2 + checkBytes(p.password, "password", MAX_STRING_BYTES).length;
  }
  checkRemainingLength(remaining, "connect");
  return { remaining, props, willProps };
}

/** Encoded size of a CONNECT in bytes. */
export function connectLength(p: ConnectPacket, version: ProtocolVersion): number {
  return packetSize(connectSizes(p, version).remaining);
}

/** Encodes a CONNECT; `p.protocolVersion` must equal `version`. */
export function encodeConnect(p: ConnectPacket, version: ProtocolVersion): Uint8Array {
  const sizes = connectSizes(p, version);
  const buf = allocatePacket(0x10, sizes.remaining);
  let o = buf.length - sizes.remaining;
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
  if (version === 5) o = writeProperties(buf, o, p.properties, sizes.props);
  o = writeString(buf, o, p.clientId);
  if (will !== undefined) {
    if (version === 5) o = writeProperties(buf, o, will.properties, sizes.willProps);
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

// ---- CONNACK ----------------------------------------------------------------------------

/** Validates a CONNACK; returns its Remaining Length and leaves the property length in `out`. */
function connackRemaining(p: ConnackPacket, version: ProtocolVersion, out: number[]): number {
  checkBoolean(p.sessionPresent, "sessionPresent");
  const code = p.reasonCode;
  if (version === 5) {
    if (typeof code !== "number" || !isValidReasonCode(code, "connack")) {
      throw new RangeError(`reasonCode ${describe(code)} is not a valid CONNACK reason code`);
    }
  } else if (code !== 0 && code !== 1 && code !== 2 && code !== 3 && code !== 4 && code !== 5) {
    throw new RangeError(`reasonCode of a CONNACK must be a return code 0..5 before MQTT 5`);
  }
  if (p.sessionPresent && code !== 0) {
    throw new RangeError("sessionPresent must be false when reasonCode is not 0 [MQTT-3.2.2-6]");
  }
  if (version !== 5) {
    if (hasProperties(p.properties)) {
      throw new RangeError(`properties require MQTT 5, got protocol version ${version}`);
    }
    return 2;
  }
  const props = propertiesLength(p.properties, 2, "properties");
  out[0] = props;
  return 2 + varintSize(props) + props;
}

/** Encoded size of a CONNACK in bytes. */
export function connackLength(p: ConnackPacket, version: ProtocolVersion): number {
  return packetSize(connackRemaining(p, version, [0]));
}

/** Encodes a CONNACK. */
export function encodeConnack(p: ConnackPacket, version: ProtocolVersion): Uint8Array {
  const out = [0];
  const remaining = connackRemaining(p, version, out);
  const buf = allocatePacket(0x20, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.sessionPresent ? 1 : 0;
  buf[o++] = p.reasonCode;
  if (version === 5) writeProperties(buf, o, p.properties, out[0]!);
  return buf;
}

/** Decodes the body `buf[start, end)` of a CONNACK. */
export function decodeConnack(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): ConnackPacket {
  const r = new Reader(buf, start, end, "CONNACK");
  const flags = r.u8("acknowledge flags");
  if ((flags & 0xfe) !== 0) {
    throw new MalformedPacketError(
      `The reserved CONNACK acknowledge flag bits must be 0, got 0x${flags.toString(16)} ` +
        `[MQTT-3.2.2-1]`,
    );
  }
  const code = r.u8("reason code");
  const packet: ConnackPacket = { type: "connack", sessionPresent: flags === 1, reasonCode: code };
  if (version === 5 && !(r.remaining === 0 && code >= 1 && code <= 5)) {
    // (A 2-byte CONNACK with a 3.1.1 return code 1..5 is a server refusing MQTT 5 in the older
    // format: accepted as is, reasonCode = the raw return code.)
    expectReasonCode(code, "connack", "[MQTT-3.2.2-8]");
    const props = readProperties(r, 2);
    checkAuthenticationData(props, "CONNACK");
    if (props !== undefined) packet.properties = props;
  } else if (version !== 5 && code > 5) {
    throw new ProtocolError(`CONNACK return code ${code} is reserved (MQTT 3.1.1 §3.2.2.3)`);
  }
  if (packet.sessionPresent && code !== 0) {
    throw new ProtocolError(
      "A CONNACK refusing the connection has session present set [MQTT-3.2.2-6]",
    );
  }
  r.expectEnd();
  return packet;
}
