/**
 * PINGREQ, PINGRESP, DISCONNECT and AUTH (MQTT 5 §3.12–3.15). AUTH exists only in MQTT 5;
 * before MQTT 5, DISCONNECT has no body.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import type {
  AuthPacket,
  DisconnectPacket,
  PingreqPacket,
  PingrespPacket,
  Properties,
  ProtocolVersion,
} from "./types.ts";
import {
  checkAuthenticationData,
  hasProperties,
  propertiesLength,
  readProperties,
  writeProperties,
} from "./_property_codec.ts";
import { Reader } from "./_reader.ts";
import { varintSize } from "./_varint.ts";
import { allocate } from "./_writer.ts";
import { allocatePacket, checkReasonCode, expectReasonCode, packetSize } from "./_checks.ts";

// ---- PINGREQ / PINGRESP -----------------------------------------------------------------

/** Encodes a PINGREQ (0xC0 0x00) or PINGRESP (0xD0 0x00). */
export function encodePing(p: PingreqPacket | PingrespPacket): Uint8Array {
  const buf = allocate(2);
  buf[0] = p.type === "pingreq" ? 0xc0 : 0xd0;
  return buf;
}

/** Decodes a PINGREQ or PINGRESP body, which must be empty. */
export function decodePing(
  type: "pingreq" | "pingresp",
  start: number,
  end: number,
): PingreqPacket | PingrespPacket {
  if (end !== start) {
    throw new MalformedPacketError(
      `A ${type.toUpperCase()} must have remaining length 0, got ${end - start}`,
    );
  }
  return { type };
}

// ---- DISCONNECT / AUTH ------------------------------------------------------------------

let lastPropertiesLength = 0;

function reasonAndPropertiesRemaining(
  p: DisconnectPacket | AuthPacket,
  version: ProtocolVersion,
  typeNumber: number,
): number {
  const code = checkReasonCode(p.reasonCode ?? 0, p.type, version);
  if (version !== 5) {
    if (hasProperties(p.properties)) {
      throw new RangeError(`properties require MQTT 5, got protocol version ${version}`);
    }
    return 0;
  }
  const props = propertiesLength(p.properties, typeNumber, "properties");
  lastPropertiesLength = props;
  if (props === 0) {
    // Both may be left out for 0x00 without properties; DISCONNECT may also drop just the
    // property length (MQTT 5 §3.14.2.2); AUTH keeps it.
    if (code === 0) return 0;
    return p.type === "disconnect" ? 1 : 2;
  }
  return 1 + varintSize(props) + props;
}

function encodeReasonAndProperties(
  p: DisconnectPacket | AuthPacket,
  remaining: number,
  firstByte: number,
): Uint8Array {
  const buf = allocatePacket(firstByte, remaining);
  if (remaining > 0) {
    const o = buf.length - remaining;
    buf[o] = p.reasonCode;
    if (remaining > 1) writeProperties(buf, o + 1, p.properties, lastPropertiesLength);
  }
  return buf;
}

function decodeReasonAndProperties(
  type: "disconnect" | "auth",
  buf: Uint8Array,
  start: number,
  end: number,
  typeNumber: number,
  spec: string,
): { reasonCode: number; properties?: Properties } {
  const r = new Reader(buf, start, end, type.toUpperCase());
  let reasonCode = 0;
  let props: Properties | undefined;
  if (r.remaining > 0) {
    reasonCode = expectReasonCode(r.u8("reason code"), type, spec);
    if (r.remaining > 0) props = readProperties(r, typeNumber);
  }
  r.expectEnd();
  return props === undefined ? { reasonCode } : { reasonCode, properties: props };
}

/** Encoded size of a DISCONNECT in bytes. */
export function disconnectLength(p: DisconnectPacket, version: ProtocolVersion): number {
  return packetSize(reasonAndPropertiesRemaining(p, version, 14));
}

/** Encodes a DISCONNECT. */
export function encodeDisconnect(p: DisconnectPacket, version: ProtocolVersion): Uint8Array {
  return encodeReasonAndProperties(p, reasonAndPropertiesRemaining(p, version, 14), 0xe0);
}

/** Decodes the body `buf[start, end)` of a DISCONNECT. */
export function decodeDisconnect(
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): DisconnectPacket {
  if (version !== 5) {
    if (end !== start) {
      throw new MalformedPacketError(
        `A DISCONNECT must have remaining length 0 before MQTT 5, got ${end - start}`,
      );
    }
    return { type: "disconnect", reasonCode: 0 };
  }
  const body = decodeReasonAndProperties("disconnect", buf, start, end, 14, "[MQTT-3.14.2-1]");
  return { type: "disconnect", ...body };
}

function checkAuthVersion(version: ProtocolVersion): void {
  if (version !== 5) {
    throw new RangeError(`AUTH requires MQTT 5, got protocol version ${version}`);
  }
}

/** Encoded size of an AUTH in bytes (MQTT 5 only). */
export function authLength(p: AuthPacket, version: ProtocolVersion): number {
  checkAuthVersion(version);
  checkAuthProperties(p);
  return packetSize(reasonAndPropertiesRemaining(p, version, 15));
}

/** Encodes an AUTH (MQTT 5 only). */
export function encodeAuth(p: AuthPacket, version: ProtocolVersion): Uint8Array {
  checkAuthVersion(version);
  checkAuthProperties(p);
  return encodeReasonAndProperties(p, reasonAndPropertiesRemaining(p, version, 15), 0xf0);
}

/** Decodes the body `buf[start, end)` of an AUTH (the caller has refused it before MQTT 5). */
export function decodeAuth(buf: Uint8Array, start: number, end: number): AuthPacket {
  const body = decodeReasonAndProperties("auth", buf, start, end, 15, "[MQTT-3.15.2-1]");
  checkAuthenticationData(body.properties, "AUTH");
  if (body.reasonCode !== 0 && body.properties?.authenticationMethod === undefined) {
    throw new ProtocolError(
      "An AUTH continuing or starting authentication has no authenticationMethod (MQTT 5 §3.15.2.2.2)",
    );
  }
  return { type: "auth", ...body };
}

function checkAuthProperties(p: AuthPacket): void {
  const props = p.properties;
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw new RangeError("properties.authenticationData requires properties.authenticationMethod");
  }
  if (p.reasonCode !== 0 && props?.authenticationMethod === undefined) {
    throw new RangeError(
      `properties.authenticationMethod is required in an AUTH with reasonCode ${p.reasonCode}`,
    );
  }
}
