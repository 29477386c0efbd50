/**
 * The MQTT codec: packet objects ⇄ bytes for MQTT 3.1, 3.1.1 and 5.0. Pure: no I/O, no
 * clocks, no runtime globals beyond `TextEncoder` / `TextDecoder`.
 *
 * @example
 * ```ts
 * import { decodePacket, encodePacket } from "@korero/mqtt/codec";
 * const bytes = encodePacket(
 *   { type: "publish", topic: "a/b", payload: new Uint8Array([1]), qos: 0, retain: false, dup: false },
 *   4,
 * );
 * decodePacket(bytes, 4); // the same packet back; its payload is a view into `bytes`
 * ```
 * @module
 */

export type * from "./types.ts";
export { encodedLength, encodePacket } from "./encode.ts";
export { PacketEncoder } from "./encoder.ts";
export { decodePacket } from "./decode.ts";
export { PacketDecoder, type PacketDecoderOptions } from "./decoder.ts";
export {
  FLAGS_0010,
  MAX_PACKET_ID,
  MAX_PACKET_SIZE,
  MAX_REMAINING_LENGTH,
  MAX_STRING_BYTES,
  MAX_UINT32,
  MAX_VARIABLE_BYTE_INTEGER,
  PACKET_TYPE_NAMES,
  PacketTypeNumber,
  PROTOCOL_NAMES,
} from "./constants.ts";
export {
  CONNACK_RETURN_CODE_NAMES,
  ConnackReturnCode,
  isFailure,
  isValidReasonCode,
  PAHO_REASON_CODE_NAMES,
  REASON_CODE_TABLE,
  ReasonCode,
  type ReasonCodeDefinition,
  reasonCodeName,
  type ReasonCodeNameOptions,
  type ReasonCodeNameStyle,
  V3_CONNACK_TO_REASON_CODE,
} from "./reason_codes.ts";
export { connackString, ErrorCode, errorString } from "./paho.ts";
export { MQTTv31, MQTTv311, MQTTv5, RetainHandling } from "./names.ts";
export {
  PROPERTY_TABLE,
  type PropertyContext,
  type PropertyDefinition,
  propertyDefinition,
  type PropertyType,
} from "./properties.ts";
