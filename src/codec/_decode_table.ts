/**
 * Decoding through a table of packet body decoders, indexed by packet type number: a bundle
 * holds only the decoders its table names. `decode.ts` has the table of every packet
 * (`decodePacket`, `PacketDecoder`); `client_codec.ts` the packets a client receives.
 *
 * @module
 */

import { MalformedPacketError } from "../errors.ts";
import type { ProtocolVersion } from "./types.ts";

/**
 * Decodes the body `buf[start, end)` of one packet whose (already checked) fixed header flags
 * are `flags`; throws `MalformedPacketError` / `ProtocolError` as `decodePacket` does.
 */
export type BodyDecoder<P> = (
  buf: Uint8Array,
  start: number,
  end: number,
  flags: number,
  version: ProtocolVersion,
) => P;

/** Body decoders by packet type number (1 CONNECT … 15 AUTH; 0 is reserved). */
export type DecodeTable<P> = readonly (BodyDecoder<P> | undefined)[];

/** Decodes the body `buf[start, end)` of a packet whose checked first byte is `firstByte`. */
export function decodeBodyWith<P>(
  table: DecodeTable<P>,
  firstByte: number,
  buf: Uint8Array,
  start: number,
  end: number,
  version: ProtocolVersion,
): P {
  const decode = table[firstByte >> 4];
  if (decode === undefined) throw new MalformedPacketError(`Packet type 0 is reserved`);
  return decode(buf, start, end, firstByte & 0x0f, version);
}

/** The error for a Remaining Length over 4 bytes or not minimally encoded. */
export function malformedRemainingLength(): MalformedPacketError {
  return new MalformedPacketError(
    "The remaining length is longer than 4 bytes or not minimally encoded " +
      "(MQTT 5 §2.1.4, [MQTT-1.5.5-1])",
  );
}
