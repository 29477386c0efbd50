/**
 * The client's half of the codec: the packets a client encodes (CONNECT, PUBLISH, the four
 * publish acknowledgements, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT, AUTH) and decodes
 * (CONNACK, PUBLISH, the acknowledgements, SUBACK, UNSUBACK, PINGRESP, DISCONNECT, AUTH), as
 * tables a bundler can see through: a client bundle holds no server-side encoder or decoder.
 * `encodePacket`, `PacketEncoder`, `decodePacket` and `PacketDecoder` still handle every packet.
 *
 * A packet only a server receives (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ) still decodes, to an
 * {@link UnreadPacket} that names its type, so the session refuses it as it refuses any packet
 * out of place.
 *
 * @module
 */

import type {
  AuthPacket,
  ConnackPacket,
  DisconnectPacket,
  Packet,
  PingrespPacket,
  Properties,
  ProtocolVersion,
  PubAckPacket,
  PublishPacket,
  SubackPacket,
  UnsubackPacket,
} from "./types.ts";
import { connectLength, encodeConnect } from "./connect.ts";
import { decodeConnack } from "./connack.ts";
import { decodePublish, encodePublish, publishLength } from "./publish.ts";
import { ackLength, decodeAck, encodeAck } from "./ack.ts";
import {
  encodeSubscribe,
  encodeUnsubscribe,
  subscribeLength,
  unsubscribeLength,
} from "./subscribe.ts";
import { decodeSuback, decodeUnsuback } from "./suback.ts";
import {
  authLength,
  decodeAuth,
  decodeDisconnect,
  decodePing,
  disconnectLength,
  encodeAuth,
  encodeDisconnect,
  encodePing,
} from "./control.ts";
import { type EncodeTable, encodeWith, lengthWith } from "./_encode_table.ts";
import type { BodyDecoder, DecodeTable } from "./_decode_table.ts";
import { type PacketDecoderOptions, StreamDecoder } from "./_stream_decoder.ts";
import { SLAB_SIZE, SlabOutput } from "./_slab_output.ts";
import { propertiesLength } from "./_property_encode.ts";
import { copyBytes } from "./_writer.ts";
import { WILL_CONTEXT } from "./_property_lookup.ts";

/** A packet a client never receives, as its decoder yields it: the type, the body unread. */
export interface UnreadPacket {
  /** The packet's type. */
  readonly type: "connect" | "subscribe" | "unsubscribe" | "pingreq";
  /** Marks the body as not decoded. */
  readonly unread: true;
}

/** What a client's decoder yields. */
export type ClientInboundPacket =
  | ConnackPacket
  | PublishPacket
  | PubAckPacket
  | SubackPacket
  | UnsubackPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket
  | UnreadPacket;

const ack = { length: ackLength, encode: encodeAck };

/** The encoders of the packets a client sends. */
export const CLIENT_ENCODERS: EncodeTable = {
  connect: { length: connectLength, encode: encodeConnect },
  publish: { length: publishLength, encode: encodePublish },
  puback: ack,
  pubrec: ack,
  pubrel: ack,
  pubcomp: ack,
  subscribe: { length: subscribeLength, encode: encodeSubscribe },
  unsubscribe: { length: unsubscribeLength, encode: encodeUnsubscribe },
  pingreq: { length: () => 2, encode: (packet, _version, out) => encodePing(packet, out) },
  disconnect: { length: disconnectLength, encode: encodeDisconnect },
  auth: { length: authLength, encode: encodeAuth },
};

/** The body "decoder" of a packet a client never receives. */
const unread = (type: UnreadPacket["type"]): BodyDecoder<UnreadPacket> => () => ({
  type,
  unread: true,
});

/** The body decoders of the packets a client receives, by type number. */
export const CLIENT_DECODERS: DecodeTable<ClientInboundPacket> = [
  undefined,
  unread("connect"),
  (buf, start, end, _flags, version) => decodeConnack(buf, start, end, version),
  decodePublish,
  (buf, start, end, _flags, version) => decodeAck("puback", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeAck("pubrec", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeAck("pubrel", buf, start, end, version),
  (buf, start, end, _flags, version) => decodeAck("pubcomp", buf, start, end, version),
  unread("subscribe"),
  (buf, start, end, _flags, version) => decodeSuback(buf, start, end, version),
  unread("unsubscribe"),
  (buf, start, end, _flags, version) => decodeUnsuback(buf, start, end, version),
  unread("pingreq"),
  (_buf, start, end) => decodePing("pingresp", start, end) as PingrespPacket,
  (buf, start, end, _flags, version) => decodeDisconnect(buf, start, end, version),
  (buf, start, end) => decodeAuth(buf, start, end),
];

/**
 * The slab every {@link ClientEncoder} carves packets from. Encoding runs to completion and a
 * view is never handed out twice, so connections can share it: an idle connection then keeps no
 * slab of its own (thousands of clients side by side). Being the only one, it starts at its
 * full 64 KiB, so a burst's packets lie one after another in long runs from the first
 * (a connection's write buffer hands such a run to the socket without copying it).
 */
const CLIENT_SLAB = new SlabOutput(SLAB_SIZE);

/**
 * A connection's encoder for the packets a client sends: `PacketEncoder`'s slab views (from the
 * slab all client encoders share) and validation, through {@link CLIENT_ENCODERS} (a
 * server-side packet is a TypeError).
 */
export class ClientEncoder {
  /** Encodes `packet` for `protocolVersion`; throws as `encodePacket` does. */
  encode(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
    return encodeWith(CLIENT_ENCODERS, packet, protocolVersion, CLIENT_SLAB);
  }

  /**
   * A copy of `bytes[0, length)` (packets encoded elsewhere, e.g. gathered acknowledgements) in
   * memory of the encoder's, as an encoded packet's: no later packet overwrites it, and it may
   * follow the packet encoded before it (a write buffer's run).
   */
  copy(bytes: Uint8Array, length: number): Uint8Array {
    const out = CLIENT_SLAB.allocate(length);
    copyBytes(out, 0, bytes, length);
    return out;
  }
}

/** The size of a packet a client sends, as `encodedLength` gives it (and throws as it does). */
export function clientEncodedLength(packet: Packet, protocolVersion: ProtocolVersion): number {
  return lengthWith(CLIENT_ENCODERS, packet, protocolVersion);
}

/** A decoder for the byte stream a client receives (options as `PacketDecoder`'s). */
export function clientDecoder(options: PacketDecoderOptions): StreamDecoder<ClientInboundPacket> {
  return new StreamDecoder(CLIENT_DECODERS, options);
}

/**
 * Validates the MQTT 5 properties of a CONNECT (`"connect"`) or of its will (`"will"`) the way
 * the encoder will, so options are refused when they are given rather than when the CONNECT is
 * encoded; messages name them `field` ("options.properties.receiveMaximum must be …").
 *
 * @throws {TypeError | RangeError} as `encodePacket` does for them
 */
export function checkConnectProperties(
  properties: Properties,
  where: "connect" | "will",
  field: string,
): void {
  propertiesLength(properties, where === "will" ? WILL_CONTEXT : 1, field);
}
