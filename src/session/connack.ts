/**
 * Turns a refusing CONNACK into a {@link ConnectionRefusedError}. MQTT 5 reason codes are used as
 * they are; MQTT 3.1/3.1.1 return codes 1..5 map to their MQTT 5 equivalents (0x84, 0x85, 0x88,
 * 0x86, 0x87) and keep their 3.1.1 names ("Connection refused: not authorised").
 *
 * @module
 */

import { reasonCodeName } from "../codec/reason_codes.ts";
import type { ConnackPacket, ProtocolVersion } from "../codec/types.ts";
import { ConnectionRefusedError } from "../errors.ts";
import { hex } from "./_hex.ts";

const V3_REFUSALS: readonly (readonly [number, string])[] = [
  [0x00, "Connection accepted"],
  [0x84, "Connection refused: unacceptable protocol version"],
  [0x85, "Connection refused: identifier rejected"],
  [0x88, "Connection refused: server unavailable"],
  [0x86, "Connection refused: bad user name or password"],
  [0x87, "Connection refused: not authorised"],
];

/** The error for a refusing `connack`, or undefined when it accepts the connection. */
export function connackRefusal(
  connack: ConnackPacket,
  protocolVersion: ProtocolVersion,
): ConnectionRefusedError | undefined {
  const code = connack.reasonCode;
  if (protocolVersion === 5) {
    if (code < 0x80) return undefined;
    const name = reasonCodeName(code, "connack");
    const reason = connack.properties?.reasonString;
    const detail = reason === undefined ? "" : `: ${reason}`;
    return new ConnectionRefusedError(
      `Connection refused by the server: ${name} (${hex(code)})${detail}`,
      { reasonCode: code, reasonName: name },
    );
  }
  if (code === 0) return undefined;
  const [reasonCode, reasonName] = V3_REFUSALS[code] ??
    [0x80, `Connection refused: unknown return code ${code}`];
  return new ConnectionRefusedError(`${reasonName} (return code ${code})`, {
    reasonCode,
    reasonName,
  });
}
