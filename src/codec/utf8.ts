/**
 * UTF-8 Encoded Strings (MQTT 5 §1.5.4, MQTT 3.1.1 §1.5.3) with the MQTT restrictions:
 * well-formed UTF-8 without surrogate code points ([MQTT-1.5.4-1]), no U+0000
 * ([MQTT-1.5.4-2]), at most 65,535 bytes, and a leading U+FEFF kept, not stripped
 * ([MQTT-1.5.4-3]).
 *
 * ASCII, the common case for topics, property names and client identifiers, takes a
 * hand-written path; everything else goes through `TextEncoder` / a fatal `TextDecoder`.
 *
 * @module
 */

import { MalformedPacketError } from "../errors.ts";
import { MAX_STRING_BYTES } from "./constants.ts";
import { describe } from "../format.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strings longer than this many UTF-16 units are written with `TextEncoder.encodeInto`. */
const ENCODE_INTO_THRESHOLD = 256;
/** Byte runs longer than this are read with `TextDecoder`. */
const DECODE_LOOP_THRESHOLD = 64;

/**
 * Byte length of `value` as an MQTT UTF-8 string, validating it on the way.
 *
 * @throws {TypeError} `value` is not a string.
 * @throws {RangeError} `value` holds U+0000 or a lone surrogate, or is longer than 65,535 bytes.
 */
export function utf8Length(value: string, field: string): number {
  if (typeof value !== "string") {
    throw new TypeError(`${field} must be a string, got ${describe(value)}`);
  }
  const n = value.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) {
        throw new RangeError(
          `${field} must not contain U+0000 [MQTT-1.5.4-2], got ${describe(value)}`,
        );
      }
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes += 2;
    } else if (c <= 0xdbff && i + 1 < n && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
      bytes += 2;
      i++;
    } else {
      throw new RangeError(
        `${field} must not contain a lone surrogate [MQTT-1.5.4-1], got ${describe(value)}`,
      );
    }
  }
  if (bytes > MAX_STRING_BYTES) {
    throw new RangeError(
      `${field} must be at most ${MAX_STRING_BYTES} bytes of UTF-8, got ${bytes} bytes`,
    );
  }
  return bytes;
}

/**
 * Byte length of `value` when it is a string of ASCII characters other than U+0000, at most
 * 65,535 long (an MQTT UTF-8 string whose bytes are its characters); -1 for anything else, which
 * {@link utf8Length} then measures or refuses.
 */
export function asciiLength(value: unknown): number {
  if (typeof value !== "string") return -1;
  const n = value.length;
  if (n > MAX_STRING_BYTES) return -1;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80 || c === 0) return -1;
  }
  return n;
}

/**
 * Writes `value` (validated by {@link utf8Length}) at `offset` without a length prefix;
 * returns the next offset. The buffer must have room for it.
 */
export function writeUtf8(buf: Uint8Array, offset: number, value: string): number {
  const n = value.length;
  if (n > ENCODE_INTO_THRESHOLD) {
    return offset + encoder.encodeInto(value, buf.subarray(offset)).written;
  }
  for (let i = 0; i < n; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      buf[offset++] = c;
    } else if (c < 0x800) {
      buf[offset++] = 0xc0 | (c >> 6);
      buf[offset++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[offset++] = 0xe0 | (c >> 12);
      buf[offset++] = 0x80 | ((c >> 6) & 0x3f);
      buf[offset++] = 0x80 | (c & 0x3f);
    } else {
      c = 0x10000 + ((c - 0xd800) << 10) + (value.charCodeAt(++i) - 0xdc00);
      buf[offset++] = 0xf0 | (c >> 18);
      buf[offset++] = 0x80 | ((c >> 12) & 0x3f);
      buf[offset++] = 0x80 | ((c >> 6) & 0x3f);
      buf[offset++] = 0x80 | (c & 0x3f);
    }
  }
  return offset;
}

/** Scratch list of char codes for the short-ASCII path (reused, never exposed). */
const codes: number[] = [];

/**
 * A small cache of recently decoded short ASCII strings, indexed by a hash of their bytes.
 * Topics, property names and user property keys repeat on a connection; a hit returns the
 * cached string after comparing every byte, so no string is created. Creating a short string
 * costs far more than hashing and comparing its bytes.
 */
const CACHE_SIZE = 1024;
const cache: (string | undefined)[] = new Array(CACHE_SIZE).fill(undefined);

/**
 * Reads `buf[start, end)` as an MQTT UTF-8 string.
 *
 * @throws {MalformedPacketError} ill-formed UTF-8, a surrogate, or U+0000.
 */
export function readUtf8(buf: Uint8Array, start: number, end: number, field: string): string {
  const n = end - start;
  if (n === 0) return "";
  if (n > DECODE_LOOP_THRESHOLD) return readSlow(buf, start, end, field);
  let hash = n;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 0 || c >= 0x80) return readSlow(buf, start, end, field);
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  const slot = (hash >>> 0) & (CACHE_SIZE - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === n) return cached;
  }
  codes.length = 0;
  for (let i = start; i < end; i++) codes.push(buf[i]!);
  const value = String.fromCharCode.apply(null, codes);
  cache[slot] = value;
  return value;
}

function readSlow(buf: Uint8Array, start: number, end: number, field: string): string {
  for (let i = start; i < end; i++) {
    if (buf[i] === 0) {
      throw new MalformedPacketError(`The ${field} contains U+0000 [MQTT-1.5.4-2]`);
    }
  }
  try {
    return decoder.decode(buf.subarray(start, end));
  } catch (cause) {
    throw new MalformedPacketError(
      `The ${field} is not well-formed UTF-8 (surrogates are not allowed) [MQTT-1.5.4-1]`,
      { cause },
    );
  }
}
