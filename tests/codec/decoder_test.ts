import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodePacket, type Packet, PacketDecoder } from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { concat, fromHex, utf8 } from "../_helpers/hex.ts";

const publish: Packet = {
  type: "publish",
  topic: "a/b",
  payload: utf8("hello"),
  qos: 1,
  packetId: 9,
  retain: false,
  dup: false,
};

describe("PacketDecoder", () => {
  it("PacketDecoder.push returns every packet of a chunk, in order", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const chunk = concat(encodePacket(publish, 4), fromHex("d0 00"), encodePacket(publish, 4));
    assert.deepEqual(decoder.push(chunk), [publish, { type: "pingresp" }, publish]);
    assert.equal(decoder.bufferedLength, 0);
  });

  it("PacketDecoder.push returns nothing until a split packet is complete, one byte at a time", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const bytes = encodePacket(publish, 4);
    for (let i = 0; i < bytes.length - 1; i++) {
      assert.deepEqual(decoder.push(bytes.subarray(i, i + 1)), []);
      assert.equal(decoder.bufferedLength, i + 1);
    }
    assert.deepEqual(decoder.push(bytes.subarray(bytes.length - 1)), [publish]);
    assert.equal(decoder.bufferedLength, 0);
  });

  it("PacketDecoder.push reads a fixed header split inside its remaining length", () => {
    const big: Packet = { ...publish, payload: new Uint8Array(300).fill(1) };
    const bytes = encodePacket(big, 4);
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assert.deepEqual(decoder.push(bytes.subarray(0, 2)), []); // type byte + first length byte
    assert.deepEqual(decoder.push(bytes.subarray(2, 100)), []);
    assert.deepEqual(decoder.push(bytes.subarray(100)), [big]);
  });

  it("PacketDecoder.push returns payloads as views into the chunk when a packet is whole", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const chunk = concat(fromHex("d0 00"), encodePacket(publish, 4));
    const [, packet] = decoder.push(chunk);
    assert.ok(packet?.type === "publish");
    assert.equal(packet.payload.buffer, chunk.buffer);
  });

  it("PacketDecoder.push refuses a packet over maximumPacketSize from its fixed header alone", () => {
    const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 1024 });
    // PUBLISH with remaining length 2,097,152: only the 5-byte fixed header is pushed.
    assert.throws(
      () => decoder.push(fromHex("30 80 80 80 01")),
      (error: unknown) => error instanceof MalformedPacketError && error.reasonCode === 0x95,
    );
  });

  it("PacketDecoder.push refuses an oversize packet whose fixed header is split", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 100 });
    assert.deepEqual(decoder.push(fromHex("30 80")), []);
    assert.throws(() => decoder.push(fromHex("01")), /exceeds the maximum packet size of 100/);
  });

  it("PacketDecoder.push accepts a packet of exactly maximumPacketSize bytes", () => {
    const bytes = encodePacket(publish, 4);
    const decoder = new PacketDecoder({ protocolVersion: 4, maximumPacketSize: bytes.length });
    assert.deepEqual(decoder.push(bytes), [publish]);
  });

  it("PacketDecoder.push refuses a remaining length of more than 4 bytes", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assert.throws(() => decoder.push(fromHex("30 ff ff ff ff 01")), MalformedPacketError);
  });

  it("PacketDecoder.push refuses a reserved packet type at its first byte", () => {
    assert.throws(
      () => new PacketDecoder({ protocolVersion: 4 }).push(fromHex("00")),
      MalformedPacketError,
    );
    assert.throws(
      () => new PacketDecoder({ protocolVersion: 4 }).push(fromHex("f0")),
      MalformedPacketError,
    );
  });

  it("PacketDecoder stays failed after an error and throws it again", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    let first: unknown;
    assert.throws(() => decoder.push(fromHex("62 02 0000")), (error: unknown) => {
      first = error;
      return error instanceof ProtocolError;
    });
    assert.throws(() => decoder.push(fromHex("d0 00")), (error: unknown) => error === first);
  });

  it("PacketDecoder adopts the protocol level of a decoded CONNECT", () => {
    const connect: Packet = {
      type: "connect",
      protocolVersion: 5,
      clientId: "c",
      clean: true,
      keepalive: 0,
    };
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const v5Publish: Packet = { ...publish, properties: { contentType: "text/plain" } };
    const packets = decoder.push(concat(encodePacket(connect, 5), encodePacket(v5Publish, 5)));
    assert.deepEqual(packets, [connect, v5Publish]);
    assert.equal(decoder.protocolVersion, 5);
  });

  it("PacketDecoder.protocolVersion can be set, and refuses other values", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    decoder.protocolVersion = 5;
    assert.deepEqual(decoder.push(fromHex("f0 00")), [{ type: "auth", reasonCode: 0 }]);
    assert.throws(() => (decoder.protocolVersion = 6 as 5), RangeError);
  });

  it("PacketDecoder refuses bad options and chunks that are not bytes", () => {
    assert.throws(() => new PacketDecoder({ protocolVersion: 2 as 3 }), RangeError);
    assert.throws(
      () => new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 0 }),
      RangeError,
    );
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assert.throws(() => decoder.push("c0 00" as unknown as Uint8Array), TypeError);
  });

  it("PacketDecoder.push assembles a packet larger than its first buffer from small chunks", () => {
    const payload = new Uint8Array(300_000).map((_, i) => i * 7);
    const frame = encodePacket(
      { type: "publish", topic: "big", payload, qos: 0, retain: false, dup: false },
      4,
    );
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const packets: Packet[] = [];
    for (let i = 0; i < frame.length; i += 1000) {
      packets.push(...decoder.push(frame.slice(i, i + 1000)));
      if (packets.length === 0) assert.ok(decoder.bufferedLength <= i + 1000);
    }
    assert.equal(packets.length, 1);
    assert.deepEqual((packets[0] as { payload: Uint8Array }).payload, payload);
    assert.equal(decoder.bufferedLength, 0);
  });

  it("PacketDecoder.push accepts an empty chunk", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assert.deepEqual(decoder.push(new Uint8Array(0)), []);
    assert.deepEqual(decoder.push(fromHex("c0")), []);
    assert.deepEqual(decoder.push(new Uint8Array(0)), []);
    assert.deepEqual(decoder.push(fromHex("00")), [{ type: "pingreq" }]);
  });
});
