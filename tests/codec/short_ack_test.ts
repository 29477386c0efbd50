/** The short form of the four acknowledgements, as the session gathers them, is encodeAck's. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SHORT_ACK_LENGTH, writeShortAck } from "../../src/codec/ack.ts";
import { encodePacket } from "../../src/codec/encode.ts";
import type { ProtocolVersion, PubAckPacket } from "../../src/codec/types.ts";

describe("writeShortAck", () => {
  it("writes the bytes encodePacket gives an acknowledgement with reason code 0, at any offset", () => {
    const types: PubAckPacket["type"][] = ["puback", "pubrec", "pubrel", "pubcomp"];
    for (const version of [3, 4, 5] as ProtocolVersion[]) {
      for (const type of types) {
        for (const packetId of [1, 0xff, 0x100, 0x1234, 0xffff]) {
          const expected = encodePacket({ type, packetId, reasonCode: 0 }, version);
          const buf = new Uint8Array(3 + SHORT_ACK_LENGTH).fill(0xaa);
          writeShortAck(buf, 3, type, packetId);
          assert.deepEqual(buf.subarray(3), expected, `${type} ${packetId} v${version}`);
          assert.deepEqual([...buf.subarray(0, 3)], [0xaa, 0xaa, 0xaa], "bytes before left alone");
        }
      }
    }
  });
});
