// TEMPORARY shim (not committed): the full codec behind the lite codec's interface.
import type { Packet } from "../codec/types.ts";
import { encodePacket, PacketDecoder } from "../codec/mod.ts";
export function encode(packet: Packet, version: 4 | 5): Uint8Array {
  return encodePacket(packet, version);
}
export class Decoder {
  #d: PacketDecoder;
  constructor(version: 4 | 5, maximumPacketSize?: number) {
    this.#d = new PacketDecoder(
      maximumPacketSize === undefined
        ? { protocolVersion: version }
        : { protocolVersion: version, maximumPacketSize } as never,
    );
  }
  push(chunk: Uint8Array): Packet[] {
    return [...this.#d.push(chunk)] as Packet[];
  }
}
