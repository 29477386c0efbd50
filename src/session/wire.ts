/**
 * Encoding of the packets the session writes itself (acks, PINGREQ, SUBSCRIBE, DISCONNECT),
 * honouring the server's Maximum Packet Size ([MQTT-3.2.2-15]): when a packet is too big, its
 * Reason String is dropped first and then its User Properties, as the spec requires of every
 * packet that may carry them ([MQTT-3.4.2-2], [MQTT-3.4.2-3] for PUBACK, [MQTT-3.14.2-3],
 * [MQTT-3.14.2-4] for DISCONNECT, and their counterparts for the other packets).
 *
 * @module
 */

import { encodePacket } from "../codec/mod.ts";
import type { Packet, ProtocolVersion, PubAckPacket } from "../codec/types.ts";

/** Encodes session-made packets for one protocol version. */
export class WireCodec {
  readonly #version: ProtocolVersion;

  constructor(version: ProtocolVersion) {
    this.#version = version;
  }

  /**
   * The bytes of `packet`; above `maximumPacketSize` its reason string, then its user
   * properties, are left out. A packet still too big is returned as it is (the caller checks).
   */
  encode(packet: Packet, maximumPacketSize: number | undefined): Uint8Array {
    let bytes = encodePacket(packet, this.#version);
    if (maximumPacketSize === undefined || bytes.length <= maximumPacketSize) return bytes;
    if (!("properties" in packet) || packet.properties === undefined) return bytes;
    const { reasonString: _reason, ...withoutReason } = packet.properties;
    if (packet.properties.reasonString !== undefined) {
      bytes = encodePacket({ ...packet, properties: withoutReason } as Packet, this.#version);
      if (bytes.length <= maximumPacketSize) return bytes;
    }
    if (withoutReason.userProperties !== undefined) {
      const { userProperties: _user, ...bare } = withoutReason;
      bytes = encodePacket({ ...packet, properties: bare } as Packet, this.#version);
    }
    return bytes;
  }

  /** The bytes of a PUBACK, PUBREC, PUBREL or PUBCOMP (reason code ignored before MQTT 5). */
  encodeAck(type: PubAckPacket["type"], packetId: number, reasonCode: number): Uint8Array {
    const code = this.#version === 5 ? reasonCode : 0;
    return encodePacket({ type, packetId, reasonCode: code }, this.#version);
  }
}
