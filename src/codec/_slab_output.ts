/**
 * {@link SlabOutput}: the buffers of a connection's hot-path encoder, carved out of a slab
 * (shared by `PacketEncoder` and the client's encoder in `client_codec.ts`).
 *
 * @module
 */

import { Output } from "./_writer.ts";
import { OWN_SMALL_ARRAYS_ARE_CHEAP } from "../_runtime_costs.ts";

/** Slab size: small packets are carved out of one `ArrayBuffer` of up to this many bytes. */
export const SLAB_SIZE = 65_536;
/** The first slab's size; each next one doubles, up to {@link SLAB_SIZE} (an idle connection keeps little). */
const FIRST_SLAB = 4096;
/** Packets larger than this get a buffer of their own. */
const POOL_LIMIT = 8_192;
/**
 * Packets up to this size get a buffer of their own where small arrays are cheaper than views
 * (`_runtime_costs.ts`), 0 elsewhere.
 */
const OWN_SMALL = OWN_SMALL_ARRAYS_ARE_CHEAP ? 256 : 0;

/** An {@link Output} that carves exact-size views out of a slab, never handing out a byte twice. */
export class SlabOutput extends Output {
  // Plain (TypeScript-private) fields: this is the hot path.
  private slab = new ArrayBuffer(0);
  private offset = 0;
  private next: number;

  /** `firstSlab`: the first slab's size (default 4 KiB); each next one doubles, up to 64 KiB. */
  constructor(firstSlab = FIRST_SLAB) {
    super();
    this.next = Math.min(firstSlab, SLAB_SIZE);
  }

  override allocate(size: number): Uint8Array {
    if (size > POOL_LIMIT || size <= OWN_SMALL) return new Uint8Array(size);
    // (A slab someone transferred away reads as 0 bytes long: start a new one.)
    if (this.offset + size > this.slab.byteLength) {
      const length = Math.max(this.next, size);
      this.slab = new ArrayBuffer(length);
      this.next = Math.min(this.next * 2, SLAB_SIZE);
      this.offset = 0;
    }
    const view = new Uint8Array(this.slab, this.offset, size);
    // Packets encoded one after another lie one after another: a write buffer joins them
    // without copying (client/_write_buffer.ts).
    this.offset += size;
    return view;
  }
}
