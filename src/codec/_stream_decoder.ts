/**
 * `StreamDecoder`: a byte stream, in chunks of any size, → packets, through a table of body
 * decoders (see `_decode_table.ts`).
 *
 * @module
 */

import { MalformedPacketError } from "../errors.ts";
import { MAX_PACKET_SIZE, PACKET_TYPE_NAMES } from "./constants.ts";
import type { ProtocolVersion } from "./types.ts";
import { decodeBodyWith, type DecodeTable, malformedRemainingLength } from "./_decode_table.ts";
import { checkFirstByte, checkInteger, checkProtocolVersion } from "./_checks.ts";
import { readVarint, VARINT_INCOMPLETE, VARINT_MALFORMED, varintSize } from "./_varint.ts";
import { describe } from "../format.ts";

/** First allocation for a packet split across chunks; the buffer then doubles as bytes arrive. */
const INITIAL_SPLIT_BUFFER = 64 * 1024;

/** Options of `PacketDecoder` and {@link StreamDecoder}. */
export interface PacketDecoderOptions {
  /** Protocol level of the connection (a decoded CONNECT switches it to the level it states). */
  protocolVersion: ProtocolVersion;
  /**
   * Largest whole packet (fixed header included) to accept; a larger one fails with reason
   * code 0x95 as soon as its fixed header is read, before its body is buffered.
   * @default 268435460 (the protocol maximum)
   */
  maximumPacketSize?: number;
}

/**
 * Splits a byte stream into packets and decodes them with a {@link DecodeTable}; the engine of
 * `PacketDecoder` (every packet) and of the client's decoder (`client_codec.ts`).
 *
 * - `push(chunk)` accepts any split of the stream (down to single bytes) and any
 *   concatenation of packets, and returns the packets completed by the chunk; it never throws
 *   for "need more bytes".
 * - A packet that lies wholly inside one chunk is decoded in place: its PUBLISH payload and
 *   binary fields are views into that chunk, so the caller must not reuse a chunk's memory
 *   after pushing it. Only a packet split across chunks is copied, into a buffer that grows
 *   with the bytes that actually arrived (never more than twice those), so a forged length in
 *   a fixed header cannot make the decoder allocate memory the peer never sends.
 * - A malformed packet makes `push` throw `MalformedPacketError` / `ProtocolError` (packets
 *   decoded earlier from the same chunk are dropped with it). The decoder then stays failed:
 *   every later `push` throws the same error. The connection must be closed anyway.
 * - `onPacket`, when given, sees each packet before the next one is decoded (`PacketDecoder`
 *   switches the protocol version on a CONNECT with it).
 */
export class StreamDecoder<P> {
  readonly #table: DecodeTable<P>;
  readonly #onPacket: ((packet: P) => void) | undefined;
  #version: ProtocolVersion;
  #maximumPacketSize: number;
  /** The packet being assembled across chunks (`#filled` of `#total` bytes so far). */
  #pending: Uint8Array | null = null;
  #filled = 0;
  #total = 0;
  /** A fixed header split across chunks (at most 1 + 4 bytes), made the first time one is. */
  #head: Uint8Array | undefined;
  #headLength = 0;
  #error: unknown = undefined;

  /**
   * A decoder for one connection's incoming byte stream, decoding bodies with `table`.
   *
   * @throws {RangeError | TypeError} `options.protocolVersion` is not 3, 4 or 5, or
   *   `options.maximumPacketSize` is not an integer in 2..268435460.
   */
  constructor(
    table: DecodeTable<P>,
    options: PacketDecoderOptions,
    onPacket?: (packet: P) => void,
  ) {
    this.#table = table;
    this.#onPacket = onPacket;
    checkProtocolVersion(options?.protocolVersion, "options.protocolVersion");
    this.#version = options.protocolVersion;
    const max = options.maximumPacketSize ?? MAX_PACKET_SIZE;
    checkInteger(max, "options.maximumPacketSize", 2, MAX_PACKET_SIZE);
    this.#maximumPacketSize = max;
  }

  /** Protocol level used for every packet but CONNECT. Settable (e.g. by a server). */
  get protocolVersion(): ProtocolVersion {
    return this.#version;
  }

  set protocolVersion(version: ProtocolVersion) {
    checkProtocolVersion(version);
    this.#version = version;
  }

  /** Bytes held back waiting for the rest of a packet. */
  get bufferedLength(): number {
    return this.#pending !== null ? this.#filled : this.#headLength;
  }

  /**
   * Feeds the next bytes of the stream; returns the packets they complete, in order.
   *
   * @throws {MalformedPacketError | ProtocolError} a malformed packet, or one larger than
   *   `maximumPacketSize` (reason code 0x95); thereafter every call throws that error.
   */
  push(chunk: Uint8Array): P[] {
    if (this.#error !== undefined) throw this.#error;
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`chunk must be a Uint8Array, got ${describe(chunk)}`);
    }
    try {
      return this.#push(chunk);
    } catch (error) {
      this.#error = error;
      this.#pending = null;
      throw error;
    }
  }

  #push(chunk: Uint8Array): P[] {
    const out: P[] = [];
    const n = chunk.length;
    let pos = 0;
    if (this.#pending !== null) {
      pos = this.#fill(chunk, 0, out);
    } else if (this.#headLength > 0) {
      pos = this.#continueHeader(chunk, out);
    }
    while (pos < n) {
      const firstByte = chunk[pos]!;
      checkFirstByte(firstByte, this.#version);
      const remaining = readVarint(chunk, pos + 1, n);
      if (remaining < 0) {
        if (remaining === VARINT_MALFORMED) throw malformedRemainingLength();
        // The fixed header itself is split: keep its bytes.
        (this.#head ??= new Uint8Array(5)).set(chunk.subarray(pos, n));
        this.#headLength = n - pos;
        break;
      }
      const start = pos + 1 + varintSize(remaining);
      const end = start + remaining;
      this.#checkSize(firstByte, end - pos);
      if (end <= n) {
        this.#emit(
          decodeBodyWith(this.#table, firstByte, chunk, start, end, this.#version),
          out,
        );
        pos = end;
      } else {
        this.#startPending(end - pos, chunk.subarray(pos, n));
        break;
      }
    }
    return out;
  }

  /** Continues a split fixed header with the first bytes of `chunk`; returns the next offset. */
  #continueHeader(chunk: Uint8Array, out: P[]): number {
    const head = this.#head!; // #headLength > 0: #push made it
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      head[this.#headLength++] = chunk[pos++]!;
      const remaining = readVarint(head, 1, this.#headLength);
      if (remaining === VARINT_INCOMPLETE) {
        if (this.#headLength === 5) throw malformedRemainingLength();
        continue;
      }
      if (remaining === VARINT_MALFORMED) throw malformedRemainingLength();
      const headerLength = this.#headLength;
      const total = headerLength + remaining;
      this.#checkSize(head[0]!, total);
      this.#headLength = 0;
      this.#startPending(total, head.subarray(0, headerLength));
      return this.#fill(chunk, pos, out);
    }
    return pos;
  }

  /** Starts assembling a packet of `total` bytes from its first bytes `start`. */
  #startPending(total: number, start: Uint8Array): void {
    const pending = new Uint8Array(Math.min(total, Math.max(INITIAL_SPLIT_BUFFER, start.length)));
    pending.set(start);
    this.#pending = pending;
    this.#filled = start.length;
    this.#total = total;
  }

  /** Copies bytes of `chunk` from `pos` into the pending packet; returns the next offset. */
  #fill(chunk: Uint8Array, pos: number, out: P[]): number {
    let pending = this.#pending!;
    const take = Math.min(this.#total - this.#filled, chunk.length - pos);
    const needed = this.#filled + take;
    if (needed > pending.length) {
      const grown = new Uint8Array(Math.min(this.#total, Math.max(pending.length * 2, needed)));
      grown.set(pending.subarray(0, this.#filled));
      this.#pending = pending = grown;
    }
    pending.set(chunk.subarray(pos, pos + take), this.#filled);
    this.#filled += take;
    if (this.#filled === this.#total) {
      this.#pending = null;
      this.#filled = 0;
      const headerLength = 1 + varintSize(readVarint(pending, 1, pending.length));
      const firstByte = pending[0]!;
      this.#emit(
        decodeBodyWith(
          this.#table,
          firstByte,
          pending,
          headerLength,
          pending.length,
          this.#version,
        ),
        out,
      );
    }
    return pos + take;
  }

  #emit(packet: P, out: P[]): void {
    this.#onPacket?.(packet);
    out.push(packet);
  }

  #checkSize(firstByte: number, size: number): void {
    if (size > this.#maximumPacketSize) {
      const name = PACKET_TYPE_NAMES[firstByte >> 4]!.toUpperCase();
      throw new MalformedPacketError(
        `A ${name} of ${size} bytes exceeds the maximum packet size of ` +
          `${this.#maximumPacketSize} bytes (MQTT 5 §3.1.2.11.4)`,
        { reasonCode: 0x95 },
      );
    }
  }
}
