/**
 * Writing primitives and the output buffer allocator.
 *
 * Each packet is written into exactly one buffer of its exact size. On some runtimes, creating a
 * `Uint8Array` with its own backing store costs hundreds of nanoseconds (more than encoding a
 * small PUBLISH), so small packets are carved, as exact-size views, out of a shared 64 KiB
 * slab, the same trade-off as Node's `Buffer.allocUnsafe` pool. Slab memory is never reused:
 * every view is fresh, zeroed memory owned by one packet. A view keeps its slab alive while it
 * is referenced, and `view.buffer` is the whole slab (use `byteOffset`/`byteLength`).
 *
 * @module
 */

import { writeUtf8 } from "./utf8.ts";

const SLAB_SIZE = 65_536;
/** Packets larger than this get their own buffer. */
const POOL_LIMIT = 8_192;

let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/** An exact-size, zero-filled output buffer for one packet. */
export function allocate(size: number): Uint8Array {
  if (size > POOL_LIMIT) return new Uint8Array(size);
  // (A slab someone transferred away reads as 0 bytes long: start a new one.)
  if (slabOffset + size > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const view = new Uint8Array(slab, slabOffset, size);
  // Keep views 8-byte aligned, as Node's pool does.
  slabOffset = (slabOffset + size + 7) & ~7;
  return view;
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

/** Writes length-prefixed Binary Data; returns the next offset. */
export function writeBinary(buf: Uint8Array, offset: number, value: Uint8Array): number {
  const n = value.length;
  buf[offset] = n >>> 8;
  buf[offset + 1] = n & 0xff;
  buf.set(value, offset + 2);
  return offset + 2 + n;
}
