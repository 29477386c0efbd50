/**
 * CONNACK (MQTT 5 §3.2, MQTT 3.1.1 §3.2). On MQTT 3.1/3.1.1 `reasonCode` holds the return
 * code 0..5.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { describe, hex } from "../format.ts";
import type { ConnackPacket, ProtocolVersion } from "./types.ts";
import { propertiesSize, writeProperties } from "./_property_encode.ts";
import { checkAuthenticationData, readProperties } from "./_property_decode.ts";
import { Reader } from "./_reader.ts";
import { allocatePacket, type Output, packetSize } from "./_writer.ts";
import { checkBoolean, checkReasonCode, expectReasonCode } from "./_checks.ts";

/** Validates a CONNACK; returns its Remaining Length and leaves the property length in `out`. */
function connackRemaining(p: ConnackPacket, version: ProtocolVersion, out: Output): number {
  checkBoolean(p.sessionPresent, "sessionPresent");
  const code = p.reasonCode;
  if (version === 5) {
    checkReasonCode(code, "connack", 5);
  } else if (code !== 0 && code !== 1 && code !== 2 && code !== 3 && code !== 4 && code !== 5) {
    throw new RangeError(
      `reasonCode of a CONNACK must be a return code 0..5 before MQTT 5, got ${describe(code)}`,
    );
  }
  if (p.sessionPresent && code !== 0) {
    throw new RangeError(
      `sessionPresent must be false when reasonCode is not 0 [MQTT-3.2.2-6], got true`,
    );
  }
  return 2 + propertiesSize(p.properties, 2, version, out);
}

/** Encoded size of a CONNACK in bytes. */
export function connackLength(p: ConnackPacket, version: ProtocolVersion, out: Output): number {
  return packetSize(connackRemaining(p, version, out));
}

/** Encodes a CONNACK into a buffer from `out`. */
export function encodeConnack(p: ConnackPacket, version: ProtocolVersion, out: Output): Uint8Array {
  const remaining = connackRemaining(p, version, out);
  const buf = allocatePacket(out, 0x20, remaining);
  let o = buf.length - remaining;
  buf[o++] = p.sessionPresent ? 1 : 0;
  buf[o++] = p.reasonCode;
  if (version === 5) writeProperties(buf, o, p.properties, out.propertiesLength);
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
      `The reserved CONNACK acknowledge flag bits must be 0, got ${hex(flags)} ` +
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
