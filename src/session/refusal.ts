/**
 * What a refusing CONNACK means: a {@link ConnectionRefusedError}. MQTT 5 reason codes are used as
 * they are; MQTT 3.1/3.1.1 return codes 1..5 map to their MQTT 5 equivalents (0x84, 0x85, 0x88,
 * 0x86, 0x87) and keep their 3.1.1 names ("Connection refused, not authorized", from the codec's
 * `CONNACK_RETURN_CODE_NAMES`). The session and the lite client both use it.
 *
 * @module
 */

import {
  CONNACK_RETURN_CODE_NAMES,
  specName,
  V3_CONNACK_TO_REASON_CODE,
} from "../codec/reason_codes.ts";
import type { ConnackPacket, ProtocolVersion } from "../codec/types.ts";
import { ConnectionRefusedError } from "../errors.ts";
import { hex } from "../format.ts";

/** The error for a refusing `connack`, or undefined when it accepts the connection. */
export function connackRefusal(
  connack: ConnackPacket,
  protocolVersion: ProtocolVersion,
): ConnectionRefusedError | undefined {
  const code = connack.reasonCode;
  if (protocolVersion === 5) {
    if (code < 0x80) return undefined;
    const name = specName(code, "connack");
    const reason = connack.properties?.reasonString;
    const detail = reason === undefined ? "" : `: ${reason}`;
    return new ConnectionRefusedError(
      `Connection refused by the server: ${name} (${hex(code)})${detail}`,
      { reasonCode: code, reasonName: name },
    );
  }
  if (code === 0) return undefined;
  const reasonCode = V3_CONNACK_TO_REASON_CODE[code] ?? 0x80;
  const reasonName = CONNACK_RETURN_CODE_NAMES[code] ??
    `Connection refused, unknown return code ${code}`;
  return new ConnectionRefusedError(`${reasonName} (return code ${code})`, {
    reasonCode,
    reasonName,
  });
}
