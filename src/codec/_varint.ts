/**
 * Variable Byte Integers (MQTT 5 §1.5.5; the Remaining Length of MQTT 3.1.1 §2.2.3).
 *
 * Decoding is strict: more than four bytes, or a value not written in the minimum number of
 * bytes ([MQTT-1.5.5-1]), is a Malformed Packet. MQTT 3.1.1 states no such rule, but its
 * encoding table admits only the minimal form, so the same rule applies to every version.
 *
 * @module
 */

/** Number of bytes the Variable Byte Integer encoding of `value` takes (1..4). */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

/** Writes `value` (0..268,435,455, already checked) at `offset`; returns the next offset. */
export function writeVarint(buf: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[offset++] = value;
  return offset;
}

/** Sentinel results of {@link readVarint} (values are never negative). */
export const VARINT_INCOMPLETE = -1;
/** More than four bytes, or a non-minimal encoding. */
export const VARINT_MALFORMED = -2;

/**
 * Reads a Variable Byte Integer at `offset`, looking no further than `end`.
 *
 * Returns the value, or {@link VARINT_INCOMPLETE} when the bytes stop before the integer
 * does, or {@link VARINT_MALFORMED}. No exceptions, so the streaming decoder can use it for
 * "need more bytes". Only minimal encodings are accepted, so the integer took exactly
 * `varintSize(value)` bytes.
 */
export function readVarint(buf: Uint8Array, offset: number, end: number): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= end) return VARINT_INCOMPLETE;
    const byte = buf[offset + i]!;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) {
      // A final zero byte after a continuation byte adds nothing: not the minimal encoding.
      if (byte === 0 && i > 0) return VARINT_MALFORMED;
      return value;
    }
    multiplier *= 128;
  }
  return VARINT_MALFORMED;
}
