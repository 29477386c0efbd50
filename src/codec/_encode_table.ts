/**
 * Encoding through a table of packet encoders: {@link encodeWith} and {@link lengthWith} look
 * the packet's `type` up in an {@link EncodeTable} instead of switching over every packet type,
 * so a bundle holds only the encoders its table names. `encode.ts` has the table of every packet
 * (`encodePacket`, `PacketEncoder`); `client_codec.ts` the packets a client sends.
 *
 * @module
 */

import type { Packet, PacketType, ProtocolVersion } from "./types.ts";
import { describe } from "../format.ts";
import { checkProtocolVersion } from "./_checks.ts";
import { Output } from "./_writer.ts";

/** How one packet type is sized (validating it) and written. */
export interface PacketEncoding<P extends Packet> {
  /** The packet's encoded size; throws TypeError / RangeError as `encodePacket` does. */
  length(packet: P, version: ProtocolVersion, out: Output): number;
  /** The packet's bytes, in a buffer from `out`; throws as {@link length}. */
  encode(packet: P, version: ProtocolVersion, out: Output): Uint8Array;
}

/** The packet object(s) whose `type` may be `T` (PUBACK to PUBCOMP share one). */
export type PacketOf<T extends PacketType, P = Packet> = P extends { type: infer U }
  ? T extends U ? P : never
  : never;

/** The encoders of some packet types, by `type` tag. */
export type EncodeTable = {
  readonly [T in PacketType]?: PacketEncoding<PacketOf<T>>;
};

/** Validates and encodes `packet` with `table` into a buffer from `out`. */
export function encodeWith(
  table: EncodeTable,
  packet: Packet,
  protocolVersion: ProtocolVersion,
  out: Output,
): Uint8Array {
  checkProtocolVersion(protocolVersion);
  return encodingOf(table, packet).encode(packet, protocolVersion, out);
}

/** The number of bytes {@link encodeWith} would produce, without allocating or writing. */
export function lengthWith(
  table: EncodeTable,
  packet: Packet,
  protocolVersion: ProtocolVersion,
): number {
  const out = new Output();
  checkProtocolVersion(protocolVersion);
  return encodingOf(table, packet).length(packet, protocolVersion, out);
}

/** The entry of `table` for `packet`'s type; TypeError when it has none. */
function encodingOf(table: EncodeTable, packet: Packet): PacketEncoding<Packet> {
  const type: unknown = packet?.type;
  // A plain property read (Object.hasOwn here cost a third of one runtime's QoS 1 subscriber CPU): what
  // an object's prototype has under a packet-type-like name is a function (or, for `__proto__`,
  // an object without `encode`), never an encoding.
  const entry = typeof type === "string"
    ? (table as Record<string, PacketEncoding<Packet> | undefined>)[type]
    : undefined;
  if (typeof entry === "object" && entry !== null && typeof entry.encode === "function") {
    return entry;
  }
  const shown = typeof packet === "object" && packet !== null ? describe(type) : describe(packet);
  throw new TypeError(`packet.type must be an MQTT packet type, got ${shown}`);
}
