/**
 * PINGREQ, PINGRESP, DISCONNECT and AUTH (MQTT 5 §3.12–3.15). AUTH exists only in MQTT 5;
 * before MQTT 5, DISCONNECT has no body.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { describe } from "../format.ts";
import type {
  AuthPacket,
  DisconnectPacket,
  PingreqPacket,
  PingrespPacket,
  Properties,
  ProtocolVersion,
} from "./types.ts";
import { propertiesSize, writeProperties } from "./_property_encode.ts";
import { checkAuthenticationData, readProperties } from "./_property_decode.ts";
import { Reader } from "./_reader.ts";
import { allocatePacket, type Output, packetSize } from "./_writer.ts";
import {
  checkAuthenticationMethod,
  checkReasonCode,
  expectReasonCode,
  requiresMqtt5,
} from "./_checks.ts";

// ---- PINGREQ / PINGRESP -----------------------------------------------------------------

/** Encodes a PINGREQ (0xC0 0x00) or PINGRESP (0xD0 0x00). */
export function encodePing(p: PingreqPacket | PingrespPacket, out: Output): Uint8Array {
  const buf = out.allocate(2);
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

function reasonAndPropertiesRemaining(
  p: DisconnectPacket | AuthPacket,
  version: ProtocolVersion,
  typeNumber: number,
  out: Output,
): number {
  const code = checkReasonCode(p.reasonCode ?? 0, p.type, version);
  const props = propertiesSize(p.properties, typeNumber, version, out);
  if (props <= 1) {
    // Both may be left out for 0x00 without properties; DISCONNECT may also drop just the
    // property length (MQTT 5 §3.14.2.2); AUTH keeps it.
    if (code === 0) return 0;
    return p.type === "disconnect" ? 1 : 2;
  }
  return 1 + props;
}

function encodeReasonAndProperties(
  p: DisconnectPacket | AuthPacket,
  remaining: number,
  firstByte: number,
  out: Output,
): Uint8Array {
  const buf = allocatePacket(out, firstByte, remaining);
  if (remaining > 0) {
    const o = buf.length - remaining;
    buf[o] = p.reasonCode;
    if (remaining > 1) writeProperties(buf, o + 1, p.properties, out.propertiesLength);
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
export function disconnectLength(
  p: DisconnectPacket,
  version: ProtocolVersion,
  out: Output,
): number {
  return packetSize(reasonAndPropertiesRemaining(p, version, 14, out));
}

/** Encodes a DISCONNECT into a buffer from `out`. */
export function encodeDisconnect(
  p: DisconnectPacket,
  version: ProtocolVersion,
  out: Output,
): Uint8Array {
  return encodeReasonAndProperties(p, reasonAndPropertiesRemaining(p, version, 14, out), 0xe0, out);
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

/** Validates an AUTH (MQTT 5 only) and returns its Remaining Length. */
function authRemaining(p: AuthPacket, version: ProtocolVersion, out: Output): number {
  if (version !== 5) throw requiresMqtt5("packet.type", 'other than "auth"', p.type, version);
  const props = p.properties;
  checkAuthenticationMethod(props, "properties");
  if (p.reasonCode !== 0 && props?.authenticationMethod === undefined) {
    throw new RangeError(
      `properties.authenticationMethod must be set in an AUTH with reasonCode ${
        describe(p.reasonCode)
      } (MQTT 5 §3.15.2.2.2), got undefined`,
    );
  }
  return reasonAndPropertiesRemaining(p, version, 15, out);
}

/** Encoded size of an AUTH in bytes (MQTT 5 only). */
export function authLength(p: AuthPacket, version: ProtocolVersion, out: Output): number {
  return packetSize(authRemaining(p, version, out));
}

/** Encodes an AUTH (MQTT 5 only) into a buffer from `out`. */
export function encodeAuth(p: AuthPacket, version: ProtocolVersion, out: Output): Uint8Array {
  return encodeReasonAndProperties(p, authRemaining(p, version, out), 0xf0, out);
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
