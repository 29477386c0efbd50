/**
 * `PacketDecoder`: a byte stream, in chunks of any size, → packet objects.
 *
 * @example
 * ```ts
 * import { PacketDecoder } from "@korero/mqtt/codec";
 * const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 1 << 20 });
 * for (const packet of decoder.push(new Uint8Array([0xd0, 0x00]))) {
 *   packet.type; // "pingresp"
 * }
 * ```
 * @module
 */

import type { Packet, ProtocolVersion } from "./types.ts";
import { PACKET_DECODERS } from "./decode.ts";
import { type PacketDecoderOptions, StreamDecoder } from "./_stream_decoder.ts";

export type { PacketDecoderOptions };

/**
 * Splits a byte stream into packets of every type and decodes them.
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
 * - Decoding a CONNECT sets {@link protocolVersion} to the level it states, so a server reads
 *   the rest of the stream in that version.
 */
export class PacketDecoder {
  readonly #stream: StreamDecoder<Packet>;

  /**
   * A decoder for one connection's incoming byte stream.
   *
   * @throws {RangeError | TypeError} `options.protocolVersion` is not 3, 4 or 5, or
   *   `options.maximumPacketSize` is not an integer in 2..268435460.
   */
  constructor(options: PacketDecoderOptions) {
    const stream: StreamDecoder<Packet> = new StreamDecoder(PACKET_DECODERS, options, (packet) => {
      if (packet.type === "connect") stream.protocolVersion = packet.protocolVersion;
    });
    this.#stream = stream;
  }

  /** Protocol level used for every packet but CONNECT. Settable (e.g. by a server). */
  get protocolVersion(): ProtocolVersion {
    return this.#stream.protocolVersion;
  }

  set protocolVersion(version: ProtocolVersion) {
    this.#stream.protocolVersion = version;
  }

  /** Bytes held back waiting for the rest of a packet. */
  get bufferedLength(): number {
    return this.#stream.bufferedLength;
  }

  /**
   * Feeds the next bytes of the stream; returns the packets they complete, in order.
   *
   * @throws {MalformedPacketError | ProtocolError} a malformed packet, or one larger than
   *   `maximumPacketSize` (reason code 0x95); thereafter every call throws that error.
   */
  push(chunk: Uint8Array): Packet[] {
    return this.#stream.push(chunk);
  }
}
