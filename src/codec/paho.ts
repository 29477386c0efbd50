/**
 * paho-mqtt compatibility: {@link connackString} and {@link errorString} give the texts of
 * paho's `connack_string` and `error_string`, and {@link ErrorCode} its `MQTT_ERR_*` numbers,
 * for code ported from paho.
 *
 * @example
 * ```ts
 * import { connackString, ErrorCode, errorString } from "@korero/mqtt/codec";
 * connackString(5, 4); // "Connection Refused: not authorised."
 * connackString(0x86, 5); // "Bad user name or password"
 * connackString(5); // "Connection Refused: not authorised."
 * connackString(0x87); // "Not authorized"
 * errorString(ErrorCode.NoConnection); // "The client is not currently connected."
 * ```
 * @module
 */

import type { ProtocolVersion } from "./types.ts";
import { reasonCodeName } from "./reason_codes.ts";

/** paho's text for each MQTT 3.1.1 CONNACK return code, index = code (its wording, not the spec's). */
const PAHO_CONNACK_STRINGS: readonly string[] = [
  "Connection Accepted.",
  "Connection Refused: unacceptable protocol version.",
  "Connection Refused: identifier rejected.",
  "Connection Refused: broker unavailable.",
  "Connection Refused: bad user name or password.",
  "Connection Refused: not authorised.",
];

const PAHO = { style: "paho" } as const;

/**
 * Text for a CONNACK result, like paho's `connack_string`: paho's return code texts on
 * MQTT 3.1/3.1.1 ("Connection Refused: not authorised."), paho's reason code name on MQTT 5
 * ("Bad user name or password", as `str(reason_code)`; see {@link reasonCodeName}).
 *
 * Without `protocolVersion` the code says which it is, as no value means both: 0 to 5 are
 * MQTT 3.1.1 return codes (0 gives "Connection Accepted.", as paho's `connack_string(0)`), 0x80
 * and above MQTT 5 reason codes. So `connackString(event.reasonCode)` in `onConnect` gives paho
 * 2's text for what paho's `on_connect` receives: korero reports a refusal as an MQTT 5 reason
 * code on every protocol version, as paho 2 does. A return code above 5 gives
 * "Connection Refused: unknown reason.", an unknown reason code "Unknown reason code 0x…".
 *
 * @example
 * ```ts
 * import { connackString } from "@korero/mqtt/codec";
 * connackString(0); // "Connection Accepted."
 * connackString(4); // "Connection Refused: bad user name or password."
 * connackString(0x86); // "Bad user name or password"
 * connackString(0x00, 5); // "Success"
 * ```
 */
export function connackString(code: number, protocolVersion?: ProtocolVersion): string {
  if (protocolVersion === 5 || (protocolVersion === undefined && code >= 0x80)) {
    return reasonCodeName(code, "connack", PAHO);
  }
  return PAHO_CONNACK_STRINGS[code] ?? "Connection Refused: unknown reason.";
}

/** paho-mqtt's client error numbers (`MQTT_ERR_*`), for {@link errorString}. */
export const ErrorCode = {
  Again: -1,
  Success: 0,
  NoMemory: 1,
  Protocol: 2,
  Invalid: 3,
  NoConnection: 4,
  ConnectionRefused: 5,
  NotFound: 6,
  ConnectionLost: 7,
  Tls: 8,
  PayloadSize: 9,
  NotSupported: 10,
  Auth: 11,
  AclDenied: 12,
  Unknown: 13,
  Errno: 14,
  QueueSize: 15,
  Keepalive: 16,
} as const;

const ERROR_STRINGS: Readonly<Record<number, string>> = {
  0: "No error.",
  1: "Out of memory.",
  2: "A network protocol error occurred when communicating with the broker.",
  3: "Invalid function arguments provided.",
  4: "The client is not currently connected.",
  5: "The connection was refused.",
  6: "Message not found (internal error).",
  7: "The connection was lost.",
  8: "A TLS error occurred.",
  9: "Payload too large.",
  10: "This feature is not supported.",
  11: "Authorisation failed.",
  12: "Access denied by ACL.",
  13: "Unknown error.",
  14: "Error defined by errno.",
  15: "Message queue full.",
  16: "Client or broker did not communicate in the keepalive interval.",
};

/** Text for one of paho's error numbers ({@link ErrorCode}), like paho's `error_string`. */
export function errorString(code: number): string {
  return ERROR_STRINGS[code] ?? "Unknown error.";
}
