/**
 * Writing primitives, and {@link Output}: where one encode gets its buffer, and the scratch
 * sizes its size pass hands to its write pass.
 *
 * Each packet is written into exactly one buffer of its exact size. The size pass (validation)
 * computes the Property Length(s) once and leaves them on the `Output`; the write pass reads
 * them back instead of computing them again. An `Output` is per call or per encoder, never
 * module state.
 *
 * @module
 */

import { varintSize, writeVarint } from "./_varint.ts";
import { writeUtf8 } from "./utf8.ts";

/**
 * One encode's buffer source and scratch. The base class hands out buffers that own their
 * memory (`byteOffset` 0, `buffer.byteLength` = length); `PacketEncoder` subclasses it to
 * carve buffers out of a slab.
 */
export class Output {
  /** Property Length of the packet's own properties, from the size pass. */
  propertiesLength = 0;
  /** Property Length of the will properties of a CONNECT, from the size pass. */
  willPropertiesLength = 0;

  /** An exact-size, zero-filled buffer for one packet. */
  allocate(size: number): Uint8Array {
    return new Uint8Array(size);
  }
}

/** Total encoded size of a packet whose Remaining Length is `remaining`. */
export function packetSize(remaining: number): number {
  return 1 + varintSize(remaining) + remaining;
}

/**
 * Allocates the packet buffer from `out` and writes the fixed header; the body starts at
 * `buf.length - remaining`.
 */
export function allocatePacket(out: Output, firstByte: number, remaining: number): Uint8Array {
  const buf = out.allocate(1 + varintSize(remaining) + remaining);
  buf[0] = firstByte;
  writeVarint(buf, 1, remaining);
  return buf;
}

/** Writes a Two Byte Integer; returns the next offset. */
export function writeU16(buf: Uint8Array, offset: number, value: number): number {
  buf[offset] = value >>> 8;
  buf[offset + 1] = value & 0xff;
  return offset + 2;
}

/** Writes a Four Byte Integer; returns the next offset. */
export function writeU32(buf: Uint8Array, offset: number, value: number): number {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
  return offset + 4;
}

/**
 * Writes a length-prefixed UTF-8 string (validated beforehand); returns the next offset.
 * The prefix is filled in after the bytes, so the length need not be known up front.
 */
export function writeString(buf: Uint8Array, offset: number, value: string): number {
  const end = writeUtf8(buf, offset + 2, value);
  const n = end - offset - 2;
  buf[offset] = n >>> 8;
  buf[offset + 1] = n & 0xff;
  return end;
}

/** Up to this many bytes {@link copyBytes} copies by a loop: cheaper than `set()` for so few. */
const SMALL_COPY = 32;

/** Copies `from[0, n)` into `buf` at `offset` (a payload, gathered acknowledgements). */
export function copyBytes(buf: Uint8Array, offset: number, from: Uint8Array, n: number): void {
  if (n <= SMALL_COPY) { for (let i = 0; i < n; i++) buf[offset + i] = from[i]!; }
  else buf.set(n === from.length ? from : from.subarray(0, n), offset);
}

/** Writes length-prefixed Binary Data; returns the next offset. */
export function writeBinary(buf: Uint8Array, offset: number, value: Uint8Array): number {
  const n = value.length;
  buf[offset] = n >>> 8;
  buf[offset + 1] = n & 0xff;
  buf.set(value, offset + 2);
  return offset + 2 + n;
}
