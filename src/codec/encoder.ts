/**
 * `PacketEncoder`: the codec's one piece of state, held explicitly by whoever encodes a
 * connection's packets (the session holds one).
 *
 * @example
 * ```ts
 * import { PacketEncoder } from "@korero/mqtt/codec";
 * const encoder = new PacketEncoder();
 * const ack = encoder.encode({ type: "puback", packetId: 1, reasonCode: 0 }, 5);
 * ack.length; // 4: a view of exactly the packet's bytes; ack.buffer is the encoder's slab
 * ```
 * @module
 */

import type { Packet, ProtocolVersion } from "./types.ts";
import { PACKET_ENCODERS } from "./encode.ts";
import { encodeWith } from "./_encode_table.ts";
import { SlabOutput } from "./_slab_output.ts";

/**
 * Encodes packets for one connection's hot path, as fast as the codec can.
 *
 * Creating a `Uint8Array` with its own memory costs more on some runtimes than encoding a small
 * PUBLISH, so packets of up to 8 KiB are returned as exact-size views into a 64 KiB slab that
 * the encoder owns (the trade-off of Node's `Buffer.allocUnsafe` pool); larger packets get
 * their own buffer. Slab memory is never reused: every view is fresh, zeroed memory that
 * belongs to one packet and stays valid for as long as it is referenced. A view keeps its slab
 * alive, and `view.buffer` is the whole slab: use `byteOffset` / `byteLength`, and do not
 * transfer `view.buffer` (that would detach the other packets in it). Use
 * {@link encodePacket} for bytes that own their buffer.
 *
 * Validation is the same as {@link encodePacket}'s. One encoder can serve a whole
 * connection: `encode` runs to completion and keeps nothing between calls but the slab
 * position.
 */
export class PacketEncoder {
  #out = new SlabOutput();

  /**
   * Encodes one packet for `protocolVersion`; returns a view of exactly its bytes (see the
   * class doc for whose memory it is).
   *
   * @throws {TypeError | RangeError} as {@link encodePacket}: the message names the field.
   */
  encode(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
    return encodeWith(PACKET_ENCODERS, packet, protocolVersion, this.#out);
  }
}
