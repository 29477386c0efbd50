/**
 * PUBLISH, PUBACK, PUBREC, PUBREL and PUBCOMP fixtures: packet object ⇄ exact bytes, for
 * MQTT 3.1, 3.1.1 and 5.0, including the remaining length boundaries of MQTT 3.1.1 §2.2.3
 * (Table 2.4: 127 / 128, 16 383 / 16 384, 2 097 151 / 2 097 152) and maximum-length
 * Variable Byte Integers in properties; the PUBLISH objects the encoder refuses and the frames
 * the decoder refuses; and who owns the bytes `encodePacket` and `PacketEncoder` return.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  assertOwnsBuffer,
  checkDecodeOnly,
  checkDecodeRefusals,
  checkEncodeRefusals,
  checkFixtures,
} from "../_helpers/codec_fixtures.ts";
import type { DecodeRefusal, EncodeRefusal, Fixture } from "../_helpers/codec_fixtures.ts";
import { concat, fromHex, hex, utf8 } from "../_helpers/hex.ts";
import {
  decodePacket,
  encodePacket,
  PacketEncoder,
  type ProtocolVersion,
  type PublishPacket,
} from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";

const EMPTY = new Uint8Array(0);

const publish311: Fixture[] = [
  {
    name: "a QoS 0 PUBLISH",
    version: 4,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hello"),
      qos: 0,
      retain: false,
      dup: false,
    },
    hex: "30 0a | 0003 612f62 | 68656c6c6f",
  },
  {
    name: "a retained QoS 1 PUBLISH with binary payload",
    version: 4,
    packet: {
      type: "publish",
      topic: "t",
      payload: new Uint8Array([0x00, 0xff]),
      qos: 1,
      retain: true,
      dup: false,
      packetId: 1,
    },
    hex: "33 07 | 0001 74 | 0001 | 00ff",
  },
  {
    name: "a duplicate QoS 2 PUBLISH with packet id 65535 and an empty payload",
    version: 4,
    packet: {
      type: "publish",
      topic: "x/y/z",
      payload: EMPTY,
      qos: 2,
      retain: false,
      dup: true,
      packetId: 65535,
    },
    hex: "3c 09 | 0005 782f792f7a | ffff",
  },
  {
    name: "a QoS 0 PUBLISH with an empty payload",
    version: 4,
    packet: { type: "publish", topic: "t", payload: EMPTY, qos: 0, retain: false, dup: false },
    hex: "30 03 | 0001 74",
  },
  {
    name: "a PUBLISH whose topic has two- and three-byte UTF-8 characters",
    version: 4,
    packet: { type: "publish", topic: "é/日本", payload: EMPTY, qos: 0, retain: false, dup: false },
    hex: "30 0b | 0009 c3a9 2f e697a5 e69cac",
  },
  {
    name: "a PUBLISH whose topic has a four-byte UTF-8 character",
    version: 4,
    packet: { type: "publish", topic: "😀", payload: EMPTY, qos: 0, retain: false, dup: false },
    hex: "30 06 | 0004 f09f9880",
  },
  {
    // [MQTT-1.5.4-3]: EF BB BF is U+FEFF wherever it appears and must not be stripped.
    name: "a PUBLISH whose topic starts with U+FEFF, kept as is",
    version: 4,
    packet: {
      type: "publish",
      topic: "\ufeffa",
      payload: EMPTY,
      qos: 0,
      retain: false,
      dup: false,
    },
    hex: "30 06 | 0004 efbbbf61",
  },
];

/** A QoS 0 PUBLISH to "t" whose remaining length is exactly `remaining`. */
function sizedPublish(remaining: number, lengthHex: string): Fixture {
  const payload = new Uint8Array(remaining - 3);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  return {
    name: `a PUBLISH with remaining length ${remaining} encoded as ${lengthHex}`,
    version: 4,
    packet: { type: "publish", topic: "t", payload, qos: 0, retain: false, dup: false },
    hex: concat(fromHex(`30 ${lengthHex} 0001 74`), payload),
  };
}

const remainingLengths: Fixture[] = [
  sizedPublish(127, "7f"),
  sizedPublish(128, "80 01"),
  sizedPublish(16_383, "ff 7f"),
  sizedPublish(16_384, "80 80 01"),
  sizedPublish(2_097_151, "ff ff 7f"),
  sizedPublish(2_097_152, "80 80 80 01"),
];

const publish31: Fixture[] = [
  {
    name: "a QoS 1 PUBLISH",
    version: 3,
    packet: {
      type: "publish",
      topic: "a",
      payload: utf8("z"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 10,
    },
    hex: "32 06 | 0001 61 | 000a | 7a",
  },
];

const publish5: Fixture[] = [
  {
    name: "a QoS 0 PUBLISH with no properties",
    version: 5,
    packet: { type: "publish", topic: "t", payload: utf8("hi"), qos: 0, retain: false, dup: false },
    hex: "30 06 | 0001 74 | 00 | 6869",
  },
  {
    name: "a QoS 1 PUBLISH with every PUBLISH property and a repeated user property key",
    version: 5,
    packet: {
      type: "publish",
      topic: "s/1",
      payload: utf8("{}"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 7,
      properties: {
        payloadFormatIndicator: false,
        messageExpiryInterval: 86400,
        contentType: "application/json",
        responseTopic: "reply/1",
        correlationData: new Uint8Array([0, 1, 2, 3]),
        subscriptionIdentifier: 1,
        topicAlias: 3,
        userProperties: [["name", "one"], ["name", "two"]],
      },
    },
    hex: "32 52 | 0003 732f31 | 0007 | 48" +
      "| 01 00 | 02 00015180 | 03 0010 6170706c69636174696f6e2f6a736f6e" +
      "| 08 0007 7265706c792f31 | 09 0004 00010203 | 0b 01 | 23 0003" +
      "| 26 0004 6e616d65 0003 6f6e65 | 26 0004 6e616d65 0003 74776f | 7b7d",
  },
  {
    name: "a PUBLISH with subscription identifiers at every Variable Byte Integer boundary",
    version: 5,
    packet: {
      type: "publish",
      topic: "m",
      payload: EMPTY,
      qos: 0,
      retain: false,
      dup: false,
      properties: {
        subscriptionIdentifier: [1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455],
      },
    },
    hex: "30 20 | 0001 6d | 1c | 0b 01 | 0b 7f | 0b 8001 | 0b ff7f | 0b 808001" +
      "| 0b ffff7f | 0b 80808001 | 0b ffffff7f",
  },
  {
    name: "a PUBLISH with an empty topic and a topic alias",
    version: 5,
    packet: {
      type: "publish",
      topic: "",
      payload: utf8("x"),
      qos: 0,
      retain: false,
      dup: false,
      properties: { topicAlias: 5 },
    },
    hex: "30 07 | 0000 | 03 23 0005 | 78",
  },
  {
    name: "a retained duplicate QoS 2 PUBLISH",
    version: 5,
    packet: {
      type: "publish",
      topic: "d",
      payload: utf8("p"),
      qos: 2,
      retain: true,
      dup: true,
      packetId: 0x1234,
    },
    hex: "3d 07 | 0001 64 | 1234 | 00 | 70",
  },
  {
    name: "a PUBLISH whose property length needs two bytes",
    version: 5,
    packet: {
      type: "publish",
      topic: "t",
      payload: EMPTY,
      qos: 0,
      retain: false,
      dup: false,
      properties: { userProperties: [["k", "v".repeat(200)]] },
    },
    hex: `30 d3 01 | 0001 74 | ce 01 | 26 0001 6b 00c8 ${"76".repeat(200)}`,
  },
];

/** The four acknowledgements of 3.1 / 3.1.1, which are all "fixed header + packet id". */
function acks311(version: ProtocolVersion): Fixture[] {
  return [
    {
      name: "a PUBACK",
      version,
      packet: { type: "puback", packetId: 1, reasonCode: 0 },
      hex: "40 02 0001",
    },
    {
      name: "a PUBREC",
      version,
      packet: { type: "pubrec", packetId: 2, reasonCode: 0 },
      hex: "50 02 0002",
    },
    {
      name: "a PUBREL (fixed header flags 0010)",
      version,
      packet: { type: "pubrel", packetId: 3, reasonCode: 0 },
      hex: "62 02 0003",
    },
    {
      name: "a PUBCOMP with packet id 65535",
      version,
      packet: { type: "pubcomp", packetId: 65535, reasonCode: 0 },
      hex: "70 02 ffff",
    },
  ];
}

const acks5: Fixture[] = [
  {
    // MQTT 5 §3.4.2.1: reason code and property length may be left out for Success.
    name: "a PUBACK with reason Success and no properties, in its two-byte form",
    version: 5,
    packet: { type: "puback", packetId: 1, reasonCode: 0 },
    hex: "40 02 0001",
  },
  {
    // §3.4.2.2: "If the Remaining Length is less than 4 there is no Property Length".
    name: "a PUBACK with reason 0x10 and no properties",
    version: 5,
    packet: { type: "puback", packetId: 1, reasonCode: 0x10 },
    hex: "40 03 0001 10",
  },
  {
    name: "a PUBACK with reason 0x97 and a reason string",
    version: 5,
    packet: {
      type: "puback",
      packetId: 1,
      reasonCode: 0x97,
      properties: { reasonString: "quota" },
    },
    hex: "40 0c 0001 97 08 1f 0005 71756f7461",
  },
  {
    name: "a PUBACK with reason Success and a user property",
    version: 5,
    packet: {
      type: "puback",
      packetId: 1,
      reasonCode: 0,
      properties: { userProperties: [["k", "v"]] },
    },
    hex: "40 0b 0001 00 07 26 0001 6b 0001 76",
  },
  {
    name: "a PUBREC with reason 0x80",
    version: 5,
    packet: { type: "pubrec", packetId: 5, reasonCode: 0x80 },
    hex: "50 03 0005 80",
  },
  {
    name: "a PUBREL with reason 0x92 (packet identifier not found)",
    version: 5,
    packet: { type: "pubrel", packetId: 6, reasonCode: 0x92 },
    hex: "62 03 0006 92",
  },
  {
    name: "a PUBCOMP with reason Success",
    version: 5,
    packet: { type: "pubcomp", packetId: 7, reasonCode: 0 },
    hex: "70 02 0007",
  },
  {
    name: "a PUBREC with a reason string and two user properties with the same key",
    version: 5,
    packet: {
      type: "pubrec",
      packetId: 8,
      reasonCode: 0x10,
      properties: { reasonString: "r", userProperties: [["k", "1"], ["k", "2"]] },
    },
    hex: "50 16 0008 10 12 | 1f 0001 72 | 26 0001 6b 0001 31 | 26 0001 6b 0001 32",
  },
];

const base: PublishPacket = {
  type: "publish",
  topic: "a/b",
  payload: utf8("hi"),
  qos: 0,
  retain: false,
  dup: false,
};

const publishBasics: Fixture[] = [
  { name: "a QoS 0 PUBLISH", version: 4, packet: base, hex: "30 07 0003 612f62 6869" },
  {
    name: "a QoS 1 retained PUBLISH",
    version: 4,
    packet: { ...base, qos: 1, packetId: 10, retain: true },
    hex: "33 09 0003 612f62 000a 6869",
  },
  {
    name: "a QoS 2 DUP PUBLISH",
    version: 3,
    packet: { ...base, qos: 2, packetId: 0xffff, dup: true },
    hex: "3c 09 0003 612f62 ffff 6869",
  },
  { name: "a QoS 0 PUBLISH on MQTT 5", version: 5, packet: base, hex: "30 08 0003 612f62 00 6869" },
  {
    name: "a PUBLISH with a topic alias and an empty topic on MQTT 5",
    version: 5,
    packet: { ...base, topic: "", properties: { topicAlias: 2 } },
    hex: "30 08 0000 03 230002 6869",
  },
];

/** A Uint8Array that claims `length` bytes: only its length is read before the size check fails. */
function fakePayload(length: number): Uint8Array {
  const payload = { length } as unknown as Uint8Array;
  Object.setPrototypeOf(payload, Uint8Array.prototype);
  return payload;
}

const publishRefusals: EncodeRefusal[] = [
  {
    name: "a topic with + [MQTT-3.3.2-2]",
    version: 4,
    packet: { ...base, topic: "a/+" },
    error: RangeError,
    message: /^topic must be a topic name without wildcards \[MQTT-3\.3\.2-2\], got "a\/\+"$/,
  },
  {
    name: "a topic with #",
    version: 5,
    packet: { ...base, topic: "#" },
    error: RangeError,
    message: /topic must be a topic name without wildcards/,
  },
  {
    name: "a non-ASCII topic with + (past the ASCII path)",
    version: 4,
    packet: { ...base, topic: "caf\u00e9/+" },
    error: RangeError,
    message:
      /^topic must be a topic name without wildcards \[MQTT-3\.3\.2-2\], got "caf\u00e9\/\+"$/,
  },
  {
    name: "a topic with U+0000 [MQTT-1.5.4-2]",
    version: 4,
    packet: { ...base, topic: "a\u0000b" },
    error: RangeError,
    message: /^topic must not contain U\+0000 \[MQTT-1\.5\.4-2\]/,
  },
  {
    name: "a topic with a lone surrogate [MQTT-1.5.4-1]",
    version: 4,
    packet: { ...base, topic: "a/\ud800" },
    error: RangeError,
    message: /^topic must not contain a lone surrogate \[MQTT-1\.5\.4-1\]/,
  },
  {
    name: "an ASCII topic of 65,536 bytes",
    version: 4,
    packet: { ...base, topic: "a".repeat(65_536) },
    error: RangeError,
    message: /^topic must be at most 65535 bytes of UTF-8, got 65536 bytes$/,
  },
  {
    name: "a topic that is not a string",
    version: 4,
    packet: { ...base, topic: 7 as unknown as string },
    error: TypeError,
    message: /^topic must be a string, got 7$/,
  },
  {
    name: "an empty topic before MQTT 5",
    version: 4,
    packet: { ...base, topic: "" },
    error: RangeError,
    message: /topic must not be empty/,
  },
  {
    name: "an empty topic without a topic alias",
    version: 5,
    packet: { ...base, topic: "" },
    error: RangeError,
    message: /topicAlias/,
  },
  {
    name: "QoS 0 with a packet id",
    version: 4,
    packet: { ...base, packetId: 1 },
    error: RangeError,
    message: /packetId must be absent/,
  },
  {
    name: "QoS 1 without a packet id",
    version: 4,
    packet: { ...base, qos: 1 },
    error: TypeError,
    message: /^packetId must be an integer in 1\.\.65535, got undefined$/,
  },
  {
    name: "packet id 0",
    version: 4,
    packet: { ...base, qos: 1, packetId: 0 },
    error: RangeError,
    message: /packetId/,
  },
  {
    name: "packet id 65536",
    version: 4,
    packet: { ...base, qos: 2, packetId: 65_536 },
    error: RangeError,
    message: /packetId/,
  },
  {
    name: "QoS 3",
    version: 4,
    packet: { ...base, qos: 3 },
    error: RangeError,
    message: /^qos must be 0, 1 or 2, got 3$/,
  },
  {
    name: "DUP on QoS 0",
    version: 4,
    packet: { ...base, dup: true },
    error: RangeError,
    message: /dup must be false/,
  },
  {
    name: "a topic longer than 65,535 bytes",
    version: 4,
    packet: { ...base, topic: "t".repeat(65_536) },
    error: RangeError,
    message: /65535/,
  },
  {
    name: "a payload that is not a Uint8Array",
    version: 4,
    packet: { ...base, payload: "hi" },
    error: TypeError,
    message: /payload must be a Uint8Array/,
  },
  {
    name: "retain that is not a boolean",
    version: 4,
    packet: { ...base, retain: 1 },
    error: TypeError,
    message: /retain must be a boolean/,
  },
  {
    name: "properties before MQTT 5",
    version: 4,
    packet: { ...base, properties: { topicAlias: 1 } },
    error: RangeError,
    message: /^properties must be absent before MQTT 5, got an object \(protocol version 4\)$/,
  },
  {
    name: "a PUBLISH over the maximum remaining length",
    version: 4,
    packet: { ...base, payload: fakePayload(268_435_455) },
    error: RangeError,
    message: /maximum remaining length/,
  },
];

const publishDecodeRefusals: DecodeRefusal[] = [
  {
    name: "QoS 3 [MQTT-3.3.1-4]",
    version: 4,
    hex: "36 05 0001 74 0001",
    error: MalformedPacketError,
  },
  { name: "DUP on QoS 0 [MQTT-3.3.1-2]", version: 4, hex: "38 03 0001 74", error: ProtocolError },
  {
    name: "a wildcard in the topic [MQTT-3.3.2-2]",
    version: 4,
    hex: "30 04 0002 612b",
    error: ProtocolError,
  },
  { name: "an empty topic before MQTT 5", version: 4, hex: "30 02 0000", error: ProtocolError },
  {
    name: "an empty topic and no topic alias on MQTT 5",
    version: 5,
    hex: "30 03 0000 00",
    error: ProtocolError,
  },
  {
    name: "packet id 0 [MQTT-2.2.1-3]",
    version: 4,
    hex: "32 05 0001 74 0000",
    error: ProtocolError,
  },
  { name: "a topic cut short", version: 4, hex: "30 03 0005 74", error: MalformedPacketError },
  { name: "a missing packet id", version: 4, hex: "32 03 0001 74", error: MalformedPacketError },
  {
    name: "a missing property length",
    version: 5,
    hex: "30 03 0001 74",
    error: MalformedPacketError,
  },
  {
    name: "a topic that is not UTF-8",
    version: 4,
    hex: "30 03 0001 ff",
    error: MalformedPacketError,
  },
];

describe("PUBLISH fixtures", () => checkFixtures(publishBasics));
describe("PUBLISH fixtures, MQTT 3.1.1", () => checkFixtures(publish311));
describe("PUBLISH fixtures at remaining length boundaries", () => checkFixtures(remainingLengths));
describe("PUBLISH fixtures, MQTT 3.1", () => checkFixtures(publish31));
describe("PUBLISH fixtures, MQTT 5", () => checkFixtures(publish5));
describe("PUBACK/PUBREC/PUBREL/PUBCOMP fixtures, MQTT 3.1", () => checkFixtures(acks311(3)));
describe("PUBACK/PUBREC/PUBREL/PUBCOMP fixtures, MQTT 3.1.1", () => checkFixtures(acks311(4)));
describe("PUBACK/PUBREC/PUBREL/PUBCOMP fixtures, MQTT 5", () => checkFixtures(acks5));

describe("acknowledgement decoding of the longer valid forms", () =>
  checkDecodeOnly([
    {
      name: "a PUBACK with reason Success spelled out and no property length",
      version: 5,
      packet: { type: "puback", packetId: 1, reasonCode: 0 },
      hex: "40 03 0001 00",
    },
    {
      name: "a PUBCOMP with reason Success and an empty property length",
      version: 5,
      packet: { type: "pubcomp", packetId: 9, reasonCode: 0 },
      hex: "70 04 0009 00 00",
    },
    {
      name: "a PUBACK with a reason code and an empty property length",
      version: 5,
      packet: { type: "puback", packetId: 2, reasonCode: 0x10 },
      hex: "40 04 0002 10 00",
    },
  ]));

describe("PUBLISH objects the encoder refuses", () => checkEncodeRefusals(publishRefusals));
describe("PUBLISH frames the decoder refuses", () => checkDecodeRefusals(publishDecodeRefusals));

describe("PUBLISH payloads and output buffers", () => {
  it("decodePacket returns the payload as a view into the frame, not a copy", () => {
    const frame = fromHex("30 07 0003 612f62 6869");
    const packet = decodePacket(frame, 4);
    assert.ok(packet.type === "publish");
    assert.equal(packet.payload.buffer, frame.buffer);
    assert.equal(packet.payload.byteOffset, 7);
  });

  it("encodePacket returns bytes that own their buffer, separate from earlier ones", () => {
    const first = encodePacket(base, 4);
    const second = encodePacket({ ...base, payload: utf8("yo") }, 4);
    assertOwnsBuffer(first);
    assertOwnsBuffer(second);
    assert.notEqual(first.buffer, second.buffer);
    assert.equal(first.length, 9);
    assert.equal(hex(first), "30 07 00 03 61 2f 62 68 69");
    assert.equal(hex(second), "30 07 00 03 61 2f 62 79 6f");
  });

  it("encodePacket writes a large payload with a 3-byte remaining length", () => {
    const payload = new Uint8Array(20_000).fill(7);
    const bytes = encodePacket({ ...base, payload }, 4);
    assert.equal(hex(bytes.subarray(0, 4)), "30 a5 9c 01");
    assertOwnsBuffer(bytes);
    assert.deepEqual(decodePacket(bytes, 4), { ...base, payload });
  });

  it("encodePacket keeps working after a caller transfers an output buffer's memory away", () => {
    const first = encodePacket(base, 4);
    (first.buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
    assert.equal(first.length, 0);
    assert.equal(hex(encodePacket(base, 4)), "30 07 00 03 61 2f 62 68 69");
  });

  it("PacketEncoder.encode returns exact-size views that no later packet overwrites", () => {
    const encoder = new PacketEncoder();
    const first = encoder.encode(base, 4);
    const second = encoder.encode({ ...base, payload: utf8("yo") }, 4);
    assert.equal(first.byteLength, 9);
    assert.equal(hex(first), "30 07 00 03 61 2f 62 68 69");
    assert.equal(hex(second), "30 07 00 03 61 2f 62 79 6f");
  });

  it("PacketEncoder.encode gives a packet over 8 KiB a buffer of its own", () => {
    const bytes = new PacketEncoder().encode({ ...base, payload: new Uint8Array(10_000) }, 4);
    assertOwnsBuffer(bytes);
  });

  it("PacketEncoder.encode keeps working after a caller transfers its slab away", () => {
    const encoder = new PacketEncoder();
    const first = encoder.encode(base, 4);
    (first.buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
    assert.equal(hex(encoder.encode(base, 4)), "30 07 00 03 61 2f 62 68 69");
  });
});

describe("PUBLISH topic names encoded one after another (the last ASCII name is remembered)", () => {
  const encoder = new PacketEncoder();
  const publish = (topic: string) => ({ ...base, topic });

  it("a name with a wildcard or U+0000 is refused after a valid name of the same length", () => {
    assert.equal(hex(encoder.encode(publish("a/b"), 4)), "30 07 00 03 61 2f 62 68 69");
    assert.throws(() => encoder.encode(publish("a/+"), 4), RangeError);
    assert.throws(() => encodePacket(publish("a/#"), 4), RangeError);
    assert.throws(() => encoder.encode(publish("a/\0"), 4), RangeError);
    assert.equal(hex(encoder.encode(publish("a/b"), 4)), "30 07 00 03 61 2f 62 68 69");
  });

  it("a non-ASCII name after an ASCII one is written as UTF-8 with its byte length", () => {
    assert.equal(hex(encoder.encode(publish("ab"), 4)), "30 06 00 02 61 62 68 69");
    assert.equal(hex(encoder.encode(publish("éa"), 4)), "30 07 00 03 c3 a9 61 68 69");
    assert.equal(hex(encodePacket(publish("ab"), 4)), "30 06 00 02 61 62 68 69");
    assert.equal(hex(encodePacket(publish("€/x"), 4)), "30 09 00 05 e2 82 ac 2f 78 68 69");
  });

  it("an equal name built anew (another string object) is encoded the same", () => {
    const parts = ["sensors", "kitchen", "temperature"];
    const first = encoder.encode(publish(parts.join("/")), 4);
    const again = encoder.encode(publish(["sensors", "kitchen", "temperature"].join("/")), 4);
    assert.equal(hex(again), hex(first));
    assert.equal(hex(first.subarray(2, 4)), "00 1b");
  });

  it("the empty name stays refused before MQTT 5 however often it comes", () => {
    assert.throws(() => encoder.encode(publish(""), 4), /must not be empty before MQTT 5/);
    assert.throws(() => encoder.encode(publish(""), 4), /must not be empty before MQTT 5/);
  });
});

describe("PUBLISH topic names decoded one after another (the last name is remembered)", () => {
  /** A QoS 0 PUBLISH frame (MQTT 3.1.1) with topic bytes `topic` and payload "hi". */
  const frame = (topic: Uint8Array) =>
    concat(new Uint8Array([0x30, 2 + topic.length + 2, 0, topic.length]), topic, utf8("hi"));
  const topicOf = (topic: Uint8Array) => {
    const packet = decodePacket(frame(topic), 4);
    assert.ok(packet.type === "publish");
    return packet.topic;
  };

  it("other bytes of the same length are read and checked afresh", () => {
    assert.equal(topicOf(utf8("a/b")), "a/b");
    assert.equal(topicOf(utf8("a/c")), "a/c");
    assert.throws(() => topicOf(utf8("a/+")), ProtocolError);
    assert.throws(() => topicOf(utf8("a/#")), ProtocolError);
    assert.throws(() => topicOf(new Uint8Array([0x61, 0, 0x62])), MalformedPacketError);
    assert.equal(topicOf(utf8("a/c")), "a/c");
  });

  it("a name of the same length in other characters, or none, comes out as its own", () => {
    assert.equal(topicOf(utf8("ab")), "ab");
    assert.equal(topicOf(utf8("é")), "é");
    assert.throws(() => topicOf(new Uint8Array([0xc3, 0x28])), MalformedPacketError);
    assert.equal(topicOf(utf8("ab")), "ab");
    assert.throws(() => topicOf(new Uint8Array(0)), /topic/i);
  });

  it("the same name again, and long names past the remembered bytes, are read right", () => {
    const first = topicOf(utf8("sensors/kitchen/temperature"));
    assert.equal(topicOf(utf8("sensors/kitchen/temperature")), first);
    const long = (level: string) => ({ ...base, topic: `${level}/`.repeat(150) });
    for (const level of ["l", "m", "l", "+"]) {
      const bytes = encodePacket(long("l"), 4); // 30 b0 02 01 2c, then the 300 bytes
      for (let k = 0; k < 150; k++) bytes[5 + 2 * k] = level.charCodeAt(0);
      if (level === "+") assert.throws(() => decodePacket(bytes, 4), ProtocolError);
      else assert.equal((decodePacket(bytes, 4) as PublishPacket).topic, long(level).topic);
    }
  });
});
