import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodePacket,
  encodedLength,
  encodePacket,
  type PublishPacket,
} from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex, hex, utf8 } from "../_helpers/hex.ts";
import { itRefusesDecoding } from "../_helpers/codec_fixtures.ts";

const base: PublishPacket = {
  type: "publish",
  topic: "a/b",
  payload: utf8("hi"),
  qos: 0,
  retain: false,
  dup: false,
};

describe("PUBLISH encode ⇄ decode", () => {
  const cases: [string, PublishPacket, 3 | 4 | 5, string][] = [
    ["QoS 0", base, 4, "30 07 0003 612f62 6869"],
    [
      "QoS 1 retained",
      { ...base, qos: 1, packetId: 10, retain: true },
      4,
      "33 09 0003 612f62 000a 6869",
    ],
    [
      "QoS 2 DUP",
      { ...base, qos: 2, packetId: 0xffff, dup: true },
      3,
      "3c 09 0003 612f62 ffff 6869",
    ],
    ["QoS 0 on MQTT 5", base, 5, "30 08 0003 612f62 00 6869"],
    [
      "with a topic alias and an empty topic on MQTT 5",
      { ...base, topic: "", properties: { topicAlias: 2 } },
      5,
      "30 08 0000 03 230002 6869",
    ],
  ];
  for (const [name, packet, version, bytes] of cases) {
    it(`encodePacket writes a ${name} PUBLISH (v${version})`, () => {
      assert.equal(hex(encodePacket(packet, version)), hex(fromHex(bytes)));
      assert.equal(encodedLength(packet, version), fromHex(bytes).length);
    });
    it(`decodePacket reads a ${name} PUBLISH (v${version})`, () => {
      assert.deepEqual(decodePacket(fromHex(bytes), version), packet);
    });
  }

  it("decodePacket returns the payload as a view into the frame, not a copy", () => {
    const frame = fromHex("30 07 0003 612f62 6869");
    const packet = decodePacket(frame, 4);
    assert.ok(packet.type === "publish");
    assert.equal(packet.payload.buffer, frame.buffer);
    assert.equal(packet.payload.byteOffset, 7);
  });

  it("encodePacket returns a buffer of exactly the packet's size, separate from earlier ones", () => {
    const first = encodePacket(base, 4);
    const second = encodePacket({ ...base, payload: utf8("yo") }, 4);
    assert.equal(first.length, 9);
    assert.equal(first.byteLength, 9);
    assert.equal(hex(first), "30 07 00 03 61 2f 62 68 69");
    assert.equal(hex(second), "30 07 00 03 61 2f 62 79 6f");
  });

  it("encodePacket writes a large payload with a 3-byte remaining length", () => {
    const payload = new Uint8Array(20_000).fill(7);
    const bytes = encodePacket({ ...base, payload }, 4);
    assert.equal(hex(bytes.subarray(0, 4)), "30 a5 9c 01");
    assert.deepEqual(decodePacket(bytes, 4), { ...base, payload });
  });
});

describe("encodePacket refuses invalid PUBLISH objects", () => {
  const refuses = (name: string, packet: unknown, version: 3 | 4 | 5, match: RegExp) =>
    it(`encodePacket refuses ${name}`, () => {
      assert.throws(() => encodePacket(packet as PublishPacket, version), match);
      assert.throws(() => encodedLength(packet as PublishPacket, version), match);
    });
  refuses(
    "a topic with + [MQTT-3.3.2-2]",
    { ...base, topic: "a/+" },
    4,
    /topic must not contain wildcards/,
  );
  refuses("a topic with #", { ...base, topic: "#" }, 5, /wildcards/);
  refuses("an empty topic before MQTT 5", { ...base, topic: "" }, 4, /topic must not be empty/);
  refuses("an empty topic without a topic alias", { ...base, topic: "" }, 5, /topicAlias/);
  refuses("QoS 0 with a packet id", { ...base, packetId: 1 }, 4, /packetId must be absent/);
  refuses(
    "QoS 1 without a packet id",
    { ...base, qos: 1 },
    4,
    /packetId must be an integer in 1\.\.65535/,
  );
  refuses("packet id 0", { ...base, qos: 1, packetId: 0 }, 4, /packetId/);
  refuses("packet id 65536", { ...base, qos: 2, packetId: 65_536 }, 4, /packetId/);
  refuses("QoS 3", { ...base, qos: 3 }, 4, /qos must be 0, 1 or 2/);
  refuses("DUP on QoS 0", { ...base, dup: true }, 4, /dup must be false/);
  refuses("a topic longer than 65,535 bytes", { ...base, topic: "t".repeat(65_536) }, 4, /65535/);
  refuses(
    "a payload that is not a Uint8Array",
    { ...base, payload: "hi" },
    4,
    /payload must be a Uint8Array/,
  );
  refuses("retain that is not a boolean", { ...base, retain: 1 }, 4, /retain must be a boolean/);
  refuses("properties before MQTT 5", { ...base, properties: { topicAlias: 1 } }, 4, /MQTT 5/);

  it("encodePacket refuses a PUBLISH over the maximum remaining length", () => {
    // A fake payload: only its length is read before the size check fails.
    const payload = { length: 268_435_455 } as unknown as Uint8Array;
    Object.setPrototypeOf(payload, Uint8Array.prototype);
    assert.throws(() => encodePacket({ ...base, payload }, 4), /maximum remaining length/);
  });
});

describe("decodePacket refuses invalid PUBLISH frames", () => {
  const refuses = itRefusesDecoding;
  refuses("QoS 3 [MQTT-3.3.1-4]", "36 05 0001 74 0001", 4, MalformedPacketError);
  refuses("DUP on QoS 0 [MQTT-3.3.1-2]", "38 03 0001 74", 4, ProtocolError);
  refuses("a wildcard in the topic [MQTT-3.3.2-2]", "30 04 0002 612b", 4, ProtocolError);
  refuses("an empty topic before MQTT 5", "30 02 0000", 4, ProtocolError);
  refuses("an empty topic and no topic alias on MQTT 5", "30 03 0000 00", 5, ProtocolError);
  refuses("packet id 0 [MQTT-2.2.1-3]", "32 05 0001 74 0000", 4, ProtocolError);
  refuses("a topic cut short", "30 03 0005 74", 4, MalformedPacketError);
  refuses("a missing packet id", "32 03 0001 74", 4, MalformedPacketError);
  refuses("a missing property length", "30 03 0001 74", 5, MalformedPacketError);
  refuses("a topic that is not UTF-8", "30 03 0001 ff", 4, MalformedPacketError);
});

describe("encodePacket output buffers", () => {
  it("encodePacket keeps working after a caller transfers an output buffer's memory away", () => {
    const first = encodePacket(base, 4);
    // Detach the shared slab, as postMessage(…, [buffer]) or ArrayBuffer.transfer would.
    (first.buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
    assert.equal(first.length, 0);
    assert.equal(hex(encodePacket(base, 4)), "30 07 00 03 61 2f 62 68 69");
  });
});
