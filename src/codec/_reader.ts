/**
 * A bounds-checked cursor over the variable header and payload of one received packet.
 * Every read past the end is a Malformed Packet naming the packet and the field.
 *
 * @module
 */

import { MalformedPacketError } from "../errors.ts";
import { readUtf8 } from "./utf8.ts";
import { readVarint, VARINT_MALFORMED, varintSize } from "./_varint.ts";

/** Cursor over `buf[pos, end)`; `packet` (e.g. "CONNECT") is used in error messages. */
export class Reader {
  /** The bytes being read (the received chunk or frame; never copied). */
  buf: Uint8Array;
  /** Next byte to read. */
  pos: number;
  /** One past the last byte of the packet. */
  end: number;
  /** Packet name for error messages. */
  packet: string;

  constructor(buf: Uint8Array, pos: number, end: number, packet: string) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.packet = packet;
  }

  /** Bytes left before the end of the packet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one byte. */
  u8(field: string): number {
    if (this.pos >= this.end) throw this.truncated(field);
    return this.buf[this.pos++]!;
  }

  /** Reads a Two Byte Integer (big-endian). */
  u16(field: string): number {
    const p = this.pos;
    if (p + 2 > this.end) throw this.truncated(field);
    this.pos = p + 2;
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  /** Reads a Four Byte Integer (big-endian). */
  u32(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(field);
    this.pos = p + 4;
    const b = this.buf;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** Reads a Variable Byte Integer. */
  varint(field: string): number {
    const value = readVarint(this.buf, this.pos, this.end);
    if (value < 0) {
      if (value === VARINT_MALFORMED) {
        throw new MalformedPacketError(
          `The ${field} of a ${this.packet} is not a valid Variable Byte Integer: more than ` +
            `4 bytes or not the minimal encoding [MQTT-1.5.5-1]`,
        );
      }
      throw this.truncated(field);
    }
    this.pos += varintSize(value);
    return value;
  }

  /** Reads a length-prefixed UTF-8 string. */
  utf8(field: string): string {
    const p = this.pos;
    if (p + 2 > this.end) throw this.truncated(field);
    const start = p + 2;
    const stop = start + ((this.buf[p]! << 8) | this.buf[p + 1]!);
    if (stop > this.end) throw this.truncated(field);
    this.pos = stop;
    return readUtf8(this.buf, start, stop, field);
  }

  /** Reads length-prefixed Binary Data as a view into the received bytes. */
  binary(field: string): Uint8Array {
    const p = this.pos;
    if (p + 2 > this.end) throw this.truncated(field);
    const start = p + 2;
    const stop = start + ((this.buf[p]! << 8) | this.buf[p + 1]!);
    if (stop > this.end) throw this.truncated(field);
    this.pos = stop;
    return this.buf.subarray(start, stop);
  }

  /** The rest of the packet as a view (PUBLISH and will payloads). */
  rest(): Uint8Array {
    const view = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return view;
  }

  /** Throws unless every byte of the packet was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw new MalformedPacketError(
        `A ${this.packet} has ${
          this.end - this.pos
        } unexpected trailing byte(s) after its last field`,
      );
    }
  }

  /** The error for a field that runs past the end of the packet. */
  truncated(field: string): MalformedPacketError {
    return new MalformedPacketError(
      `A ${this.packet} is truncated: the remaining length ends inside the ${field}`,
    );
  }
}
