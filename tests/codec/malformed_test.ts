/**
 * Every malformed or forbidden frame the decoder must refuse, with the error class and the
 * MQTT 5 reason code it must carry, and every bad packet object the encoder must refuse.
 *
 * Where MQTT 5 names the consequence ("… is a Malformed Packet", "It is a Protocol Error
 * …"), the row follows it and cites the statement; MQTT 3.1.1 only says "close the
 * connection", so 3.1.1 rows use the class the same fault has in MQTT 5.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodePacket, PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet, ProtocolVersion, PublishPacket } from "../../src/codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex } from "../_helpers/hex.ts";

const M = MalformedPacketError;
const P = ProtocolError;
type ErrorClass = typeof MalformedPacketError | typeof ProtocolError;

interface Row {
  name: string;
  versions: ProtocolVersion[];
  hex: string;
  error: ErrorClass;
  reasonCode: number;
}

const V4 = [4] as ProtocolVersion[];
const V5 = [5] as ProtocolVersion[];
const V45 = [4, 5] as ProtocolVersion[];
const ALL = [3, 4, 5] as ProtocolVersion[];
const MQTT = "0004 4d515454";

function row(
  versions: ProtocolVersion[],
  name: string,
  hex: string,
  error: ErrorClass,
  reasonCode = error === M ? 0x81 : 0x82,
): Row {
  return { name, versions, hex, error, reasonCode };
}

/** MQTT 5 §2.1.3: "If invalid flags are received it is a Malformed Packet". */
const fixedHeader: Row[] = [
  row(ALL, "packet type 0 (reserved)", "00 00", M),
  row([3, 4], "packet type 15 (AUTH) before MQTT 5", "f0 00", M),
  row(ALL, "a CONNECT with fixed header flags 0001", `11 0c ${MQTT} 04 02 0000 0000`, M),
  row(ALL, "a CONNACK with fixed header flags 0001", "21 02 00 00", M),
  row(ALL, "a PUBACK with fixed header flags 0001", "41 02 0001", M),
  row(ALL, "a PUBREC with fixed header flags 1000", "58 02 0001", M),
  row(V45, "a PUBREL with fixed header flags 0000", "60 02 0001", M),
  row(ALL, "a PUBCOMP with fixed header flags 0010", "72 02 0001", M),
  row(V45, "a SUBSCRIBE with fixed header flags 0000", "80 06 0001 0001 74 00", M),
  row(ALL, "a SUBACK with fixed header flags 0010", "92 03 0001 00", M),
  row(V45, "an UNSUBSCRIBE with fixed header flags 0000", "a0 05 0001 0001 74", M),
  row(ALL, "an UNSUBACK with fixed header flags 0001", "b1 02 0001", M),
  row(ALL, "a PINGREQ with fixed header flags 0100", "c4 00", M),
  row(ALL, "a PINGRESP with fixed header flags 1000", "d8 00", M),
  row(ALL, "a DISCONNECT with fixed header flags 0010", "e2 00", M),
  row(V5, "an AUTH with fixed header flags 0001", "f1 00", M),
  // MQTT 5 §3.3.1.2: "A PUBLISH Packet MUST NOT have both QoS bits set to 1 [MQTT-3.3.1-4].
  // If a Server or Client receives a PUBLISH packet which has both QoS bits set to 1 it is a
  // Malformed Packet."
  row(ALL, "a PUBLISH with QoS 3", "36 05 0001 74 0001", M),
];

/** MQTT 5 §1.5.5 / 3.1.1 §2.2.3: at most four bytes, minimal encoding [MQTT-1.5.5-1]. */
const remainingLength: Row[] = [
  row(ALL, "a remaining length of five bytes", "30 80 80 80 80 01", M),
  row(ALL, "a remaining length whose fourth byte has the continuation bit", "30 ff ff ff ff 7f", M),
  row(ALL, "a remaining length not in its minimal encoding (80 00)", "c0 80 00", M),
  row(ALL, "a PINGREQ with a trailing byte", "c0 01 00", M),
  row([3, 4], "a PUBACK with a trailing byte before MQTT 5", "40 03 0001 00", M),
  row(V4, "a CONNACK with a property length before MQTT 5", "20 03 00 00 00", M),
  row([3, 4], "a DISCONNECT with a reason code before MQTT 5", "e0 01 00", M),
  row(ALL, "a frame shorter than its remaining length", "30 05 0001 74", M),
  row(ALL, "a frame longer than its remaining length", "c0 00 00", M),
  row(ALL, "an empty frame", "", M),
  row(ALL, "a frame that stops inside the remaining length", "30 80", M),
];

const truncated: Row[] = [
  row(ALL, "a PUBLISH whose topic runs past the end", "30 03 0005 74", M),
  row(ALL, "a QoS 1 PUBLISH without its packet id", "32 03 0001 74", M),
  row(ALL, "a QoS 2 PUBLISH with half a packet id", "34 04 0001 74 00", M),
  row(ALL, "a PUBACK with one byte", "40 01 00", M),
  row(ALL, "a PUBREL with no packet id", "62 00", M),
  row(ALL, "a CONNACK with one byte", "20 01 00", M),
  row(V5, "a CONNACK without its property length", "20 02 00 00", M),
  row(V45, "a CONNECT that stops inside the protocol name", "10 04 0004 4d51", M),
  row(V45, "a CONNECT that stops before the client id", `10 0a ${MQTT} 04 02 0000`, M),
  row(V4, "a CONNECT whose username flag has no username", `10 0d ${MQTT} 04 82 003c 0001 61`, M),
  row(
    V4,
    "a CONNECT whose will flag has no will payload",
    `10 10 ${MQTT} 04 06 003c 0001 61 0001 74`,
    M,
  ),
  row(
    V4,
    "a CONNECT with a byte after the password",
    `10 12 ${MQTT} 04 c2 0000 0000 0001 75 0000 ff`,
    M,
  ),
  row(V5, "a property length past the end", "30 04 0001 74 05", M),
  row(V5, "a property value past the end of the properties", "30 06 0001 74 02 02 00", M),
  row(V5, "a user property without its value", "30 08 0001 74 04 26 0001 6b", M),
  row(V5, "a five-byte subscription identifier", "30 0a 0001 74 06 0b 8080808001", M),
  row(V45, "a SUBSCRIBE filter without its options byte", "82 07 0001 0003 612f2b", M),
  row(V45, "an UNSUBSCRIBE whose filter runs past the end", "a2 05 0001 0009 74", M),
  row(V5, "a DISCONNECT whose properties run past the end", "e0 03 00 02 11", M),
];

/** MQTT 5 §1.5.4: ill-formed UTF-8, surrogates, U+0000 are Malformed Packets. */
const utf8: Row[] = [
  row(ALL, "a topic with a lone continuation byte", "30 04 0002 61 80", M),
  row(ALL, "a topic with an overlong encoding of '/' (C0 AF)", "30 04 0002 c0af", M),
  row(ALL, "a topic with U+0000 [MQTT-1.5.4-2]", "30 05 0003 61 00 62", M),
  row(ALL, "a topic with the surrogate U+D800 as ED A0 80 [MQTT-1.5.4-1]", "30 05 0003 eda080", M),
  row(ALL, "a topic with the surrogate U+DFFF as ED BF BF", "30 05 0003 edbfbf", M),
  row(ALL, "a topic with a code point past U+10FFFF (F4 90 80 80)", "30 06 0004 f4908080", M),
  row(ALL, "a topic that ends inside a multi-byte character", "30 04 0002 61 e6", M),
  row(
    ALL,
    "a long topic with an invalid byte far from the start",
    `30 52 0050 ${"61".repeat(79)}ff`,
    M,
  ),
  row(V45, "a client id with invalid UTF-8", `10 0f ${MQTT} 04 02 0000 0003 61 ff 62`, M),
  row(V4, "a username with U+0000", `10 12 ${MQTT} 04 82 0000 0001 61 0003 75 00 75`, M),
  row(V45, "a topic filter with a surrogate", "82 08 0001 0003 eda080 00", M),
  row(V5, "a user property key with invalid UTF-8", "30 0b 0001 74 07 26 0001 ff 0001 76", M),
  row(V5, "a reason string with U+0000", "40 09 0001 80 05 1f 0002 6100", M),
];

const properties: Row[] = [
  // MQTT 5 §2.2.2.2: "A Control Packet which contains an Identifier which is not valid for
  // its packet type, or contains a value not of the specified data type, is a Malformed Packet."
  row(
    V5,
    "a PUBLISH with Session Expiry Interval (not a PUBLISH property)",
    "30 09 0001 74 05 11 00000001",
    M,
  ),
  row(V5, "a CONNACK with Topic Alias (not a CONNACK property)", "20 06 00 00 03 23 0001", M),
  row(V5, "a PUBACK with Session Expiry Interval", "40 09 0001 00 05 11 00000001", M),
  row(V5, "a DISCONNECT with Topic Alias", "e0 05 00 03 23 0001", M),
  row(V5, "a SUBSCRIBE with Topic Alias", "82 0a 0001 03 23 0001 0001 74 00", M),
  row(
    V5,
    "a will with Session Expiry Interval (not a will property)",
    `10 19 ${MQTT} 05 06 0000 00 0001 61 05 11 00000001 0001 74 0000`,
    M,
  ),
  row(V5, "an unknown property identifier 0x7F", "30 06 0001 74 02 7f 00", M),
  row(V5, "property identifier 0x00", "30 06 0001 74 02 00 00", M),
  // "It is a Protocol Error to include the <property> more than once."
  row(V5, "a repeated Message Expiry Interval", "30 0e 0001 74 0a 02 00000001 02 00000002", P),
  row(V5, "a repeated Reason String", "40 0c 0001 80 08 1f 0001 61 1f 0001 62", P),
  row(V5, "a repeated Topic Alias", "30 0a 0001 74 06 23 0001 23 0002", P),
  row(
    V5,
    "a repeated Session Expiry Interval in CONNACK",
    "20 0d 00 00 0a 11 00000001 11 00000002",
    P,
  ),
  row(
    V5,
    "a SUBSCRIBE with two subscription identifiers",
    "82 0b 0001 04 0b 01 0b 02 0001 74 00",
    P,
  ),
  // §3.3.2.3.8 "It is a Protocol Error if the Subscription Identifier has a value of 0."
  row(V5, "a PUBLISH with subscription identifier 0", "30 06 0001 74 02 0b 00", P),
  row(V5, "a SUBSCRIBE with subscription identifier 0", "82 09 0001 02 0b 00 0001 74 00", P),
  // §3.3.2.3.4 [MQTT-3.3.2-8] "A Topic Alias of 0 is not permitted."
  row(V5, "a PUBLISH with topic alias 0", "30 07 0001 74 03 23 0000", P),
  // §3.2.2.3.3 / §3.2.2.3.6 / §3.2.2.3.4 / §3.2.2.3.5 and the like.
  row(V5, "a CONNACK with Receive Maximum 0", "20 06 00 00 03 21 0000", P),
  row(V5, "a CONNACK with Maximum Packet Size 0", "20 08 00 00 05 27 00000000", P),
  row(V5, "a CONNACK with Maximum QoS 2", "20 05 00 00 02 24 02", P),
  row(V5, "a CONNACK with Retain Available 2", "20 05 00 00 02 25 02", P),
  row(V5, "a CONNACK with Wildcard Subscription Available 2", "20 05 00 00 02 28 02", P),
  row(
    V5,
    "a CONNECT with Request Problem Information 2",
    `10 0f ${MQTT} 05 02 0000 02 17 02 0000`,
    P,
  ),
  row(
    V5,
    "a CONNECT with Request Response Information 2",
    `10 0f ${MQTT} 05 02 0000 02 19 02 0000`,
    P,
  ),
  row(V5, "a PUBLISH with Payload Format Indicator 2", "30 06 0001 74 02 01 02", P),
  // §3.1.2.11.10 "It is a Protocol Error to include Authentication Data if there is no
  // Authentication Method."
  row(
    V5,
    "a CONNECT with Authentication Data and no method",
    `10 12 ${MQTT} 05 02 0000 05 16 0002 0102 0000`,
    P,
  ),
];

/** MQTT 5 §2.2.1 [MQTT-2.2.1-3]: a non-zero 16-bit Packet Identifier. */
const packetIds: Row[] = [
  row(ALL, "a QoS 1 PUBLISH with packet id 0", "32 05 0001 74 0000", P),
  row(ALL, "a SUBSCRIBE with packet id 0", "82 06 0000 0001 74 00", P),
  row(V45, "an UNSUBSCRIBE with packet id 0", "a2 05 0000 0001 74", P),
  row(ALL, "a PUBACK with packet id 0", "40 02 0000", P),
  row(ALL, "a PUBREL with packet id 0", "62 02 0000", P),
  row(ALL, "a SUBACK with packet id 0", "90 03 0000 00", P),
];

const connect: Row[] = [
  // §3.1.2.3 "If the reserved flag is not 0 it is a Malformed Packet." [MQTT-3.1.2-3]
  row(V45, "a CONNECT with the reserved flag set", `10 0c ${MQTT} 04 03 0000 0000`, M),
  row(V5, "a CONNECT with the reserved flag set", `10 0d ${MQTT} 05 03 0000 00 0000`, M),
  // §3.1.2.6 "A value of 3 (0x03) is a Malformed Packet."
  row(V45, "a CONNECT with will QoS 3", `10 11 ${MQTT} 04 1e 0000 0000 0001 74 0000`, M),
  // [MQTT-3.1.2-11] / [MQTT-3.1.2-13]: no will flag, so will QoS and will retain must be 0.
  row(V45, "a CONNECT with will QoS but no will flag", `10 0c ${MQTT} 04 0a 0000 0000`, M),
  row(V45, "a CONNECT with will retain but no will flag", `10 0c ${MQTT} 04 22 0000 0000`, M),
  // 3.1.1 [MQTT-3.1.2-22]: "If the User Name Flag is set to 0, the Password Flag MUST be 0."
  // No class is named; like the will flags above, a flag combination the version forbids.
  row(V4, "a CONNECT with a password and no username", `10 0f ${MQTT} 04 42 0000 0000 0001 70`, M),
  // §3.1.2.1 / §3.1.2.2: unknown name or level; 0x84 Unsupported Protocol Version.
  row(V45, "a CONNECT with protocol name MQTX", `10 0c 0004 4d515458 04 02 0000 0000`, P, 0x84),
  row(V45, "a CONNECT with protocol level 6", `10 0c ${MQTT} 06 02 0000 0000`, P, 0x84),
  row(
    V45,
    "a CONNECT with protocol name MQIsdp and level 4",
    "10 0e 0006 4d5149736470 04 02 0000 0000",
    P,
    0x84,
  ),
  row(
    V45,
    "a CONNECT with protocol name MQTT and level 3",
    `10 0c ${MQTT} 03 02 0000 0000`,
    P,
    0x84,
  ),
  // [MQTT-4.7.0-1] no wildcards in a topic name, [MQTT-4.7.3-1] at least one character: the
  // will topic is a topic name, refused like a PUBLISH topic.
  row(
    V45,
    "a CONNECT whose will topic has a wildcard",
    `10 12 ${MQTT} 04 06 0000 0001 61 0001 2b 0000`,
    P,
  ),
  row(V45, "a CONNECT with an empty will topic", `10 11 ${MQTT} 04 06 0000 0001 61 0000 0000`, P),
  // §3.2.2.1 "Bits 7-1 are reserved and MUST be set to 0." [MQTT-3.2.2-1]
  row(V4, "a CONNACK with reserved acknowledge flag bits", "20 02 02 00", M),
  row(V5, "a CONNACK with reserved acknowledge flag bits", "20 03 80 00 00", M),
];

const subscribe: Row[] = [
  // 3.1.1 [MQTT-3.8.3-4] / 5 [MQTT-3.8.3-5]: reserved option bits make it malformed.
  row(V4, "a SUBSCRIBE whose options have reserved bits", "82 06 0001 0001 74 04", M),
  row(V4, "a SUBSCRIBE with requested QoS 3", "82 06 0001 0001 74 03", M),
  row(V5, "a SUBSCRIBE whose options have bits 6 and 7 set", "82 07 0001 00 0001 74 c0", M),
  // §3.8.3.1 "It is a Protocol Error if the Maximum QoS field has the value 3." and
  // "It is a Protocol Error to send a Retain Handling value of 3."
  row(V5, "a SUBSCRIBE with maximum QoS 3", "82 07 0001 00 0001 74 03", P),
  row(V5, "a SUBSCRIBE with retain handling 3", "82 07 0001 00 0001 74 30", P),
  // [MQTT-3.8.3-4] "It is a Protocol Error to set the No Local bit to 1 on a Shared Subscription"
  row(
    V5,
    "a SUBSCRIBE with No Local on a shared subscription",
    "82 10 0001 00 000a 2473686172652f672f74 05",
    P,
  ),
  // [MQTT-3.8.3-3] / §3.8.3 "A SUBSCRIBE packet with no Payload is a Protocol Error."
  row(V4, "a SUBSCRIBE with no topic filters", "82 02 0001", P),
  row(V5, "a SUBSCRIBE with no topic filters", "82 03 0001 00", P),
  // [MQTT-3.10.3-2] / §3.10.3 "An UNSUBSCRIBE packet with no Payload is a Protocol Error."
  row(V4, "an UNSUBSCRIBE with no topic filters", "a2 02 0001", P),
  row(V5, "an UNSUBSCRIBE with no topic filters", "a2 03 0001 00", P),
];

const publish: Row[] = [
  // §3.3.4 "It is a Protocol Error if the Topic Name is zero length and there is no Topic Alias."
  row(V5, "a PUBLISH with an empty topic and no topic alias", "30 03 0000 00", P),
  // [MQTT-3.3.2-2] "The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters."
  row(ALL, "a PUBLISH whose topic has a + wildcard", "30 05 0003 612f2b", P),
  row(ALL, "a PUBLISH whose topic has a # wildcard", "30 03 0001 23", P),
  // [MQTT-3.3.1-2] "The DUP flag MUST be set to 0 for all QoS 0 messages."
  row(V45, "a QoS 0 PUBLISH with the DUP flag", "38 03 0001 74", P),
];

const tables: [string, Row[]][] = [
  ["fixed header", fixedHeader],
  ["remaining length", remainingLength],
  ["truncated field", truncated],
  ["UTF-8", utf8],
  ["property", properties],
  ["packet id", packetIds],
  ["CONNECT/CONNACK", connect],
  ["SUBSCRIBE/UNSUBSCRIBE", subscribe],
  ["PUBLISH", publish],
];

function assertRefused(fn: () => unknown, expected: Row): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(
      error instanceof expected.error,
      `expected ${expected.error.name}, got ${String(error)}`,
    );
    assert.equal(
      (error as MalformedPacketError).reasonCode,
      expected.reasonCode,
      `reason code of: ${(error as Error).message}`,
    );
    return true;
  });
}

for (const [title, rows] of tables) {
  describe(`decodePacket refuses malformed input: ${title}`, () => {
    for (const r of rows) {
      for (const version of r.versions) {
        it(`decodePacket refuses ${r.name} (v${version})`, () => {
          assertRefused(() => decodePacket(fromHex(r.hex), version), r);
        });
      }
    }
  });
}

/** Rows whose frame is incomplete: the streaming decoder must wait for more, not throw. */
const INCOMPLETE = new Set(["a frame shorter than its remaining length", "an empty frame"]);
const INCOMPLETE_PREFIX = "a frame that stops inside";

describe("PacketDecoder.push refuses the same malformed frames", () => {
  for (const [, rows] of tables) {
    for (const r of rows) {
      if (INCOMPLETE.has(r.name) || r.name.startsWith(INCOMPLETE_PREFIX)) continue;
      if (r.name === "a frame longer than its remaining length") continue;
      const version = r.versions[r.versions.length - 1] as ProtocolVersion;
      it(`PacketDecoder.push refuses ${r.name} (v${version})`, () => {
        const decoder = new PacketDecoder({ protocolVersion: version });
        assertRefused(() => decoder.push(fromHex(r.hex)), r);
      });
    }
  }

  it("PacketDecoder.push waits for more bytes on an incomplete frame instead of throwing", () => {
    const decoder = new PacketDecoder({ protocolVersion: 5 });
    assert.deepStrictEqual(decoder.push(fromHex("30")), []);
    assert.deepStrictEqual(decoder.push(fromHex("80")), []);
    assert.deepStrictEqual(decoder.push(fromHex("01")), []);
    assert.deepStrictEqual(decoder.push(new Uint8Array(0)), []);
  });

  it("PacketDecoder.push refuses a five-byte remaining length without waiting for a body", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assertRefused(() => decoder.push(fromHex("30 ff ff ff ff")), row(V4, "", "", M));
  });

  it("PacketDecoder.push refuses reserved fixed header flags before the body arrives", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assertRefused(() => decoder.push(fromHex("c1 00")), row(V4, "", "", M));
  });
});

describe("PacketDecoder maximumPacketSize", () => {
  // MQTT 5 §3.1.2.11.4: the Maximum Packet Size is the total number of bytes of the packet;
  // a larger packet is refused with 0x95 Packet too large.
  const frame = fromHex("30 0a 0001 74 68656c6c6f7721"); // 12 bytes in all
  for (const version of [4, 5] as ProtocolVersion[]) {
    it(`PacketDecoder accepts a packet of exactly maximumPacketSize bytes (v${version})`, () => {
      const body = version === 5 ? fromHex("30 0a 0001 74 00 68656c6c6f77") : frame;
      const decoder = new PacketDecoder({ protocolVersion: version, maximumPacketSize: 12 });
      assert.equal(decoder.push(body).length, 1);
    });
    it(`PacketDecoder refuses a packet one byte over maximumPacketSize with 0x95 (v${version})`, () => {
      const decoder = new PacketDecoder({ protocolVersion: version, maximumPacketSize: 11 });
      assertRefused(() => decoder.push(frame), row([version], "", "", M, 0x95));
    });
  }
  it("PacketDecoder refuses an oversize packet from its fixed header alone", () => {
    const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 1024 });
    assertRefused(() => decoder.push(fromHex("30 ff ff ff 7f")), row(V5, "", "", M, 0x95));
  });
});

// ---------------------------------------------------------------------------------------------
// The encoder: bad packet objects are argument errors (TypeError / RangeError), never bytes.

type ArgumentError = typeof TypeError | typeof RangeError;

interface EncodeRow {
  name: string;
  version: ProtocolVersion;
  packet: unknown;
  /** Which built-in error; `undefined` accepts either TypeError or RangeError. */
  error?: ArgumentError;
}

const pub = (fields: Partial<PublishPacket>): PublishPacket => ({
  type: "publish",
  topic: "t",
  payload: new Uint8Array(0),
  qos: 0,
  retain: false,
  dup: false,
  ...fields,
});

const encodeRows: EncodeRow[] = [
  { name: "a PUBLISH topic with a + wildcard", version: 4, packet: pub({ topic: "a/+" }) },
  { name: "a PUBLISH topic with a # wildcard", version: 5, packet: pub({ topic: "a/#" }) },
  { name: "an empty PUBLISH topic before MQTT 5", version: 4, packet: pub({ topic: "" }) },
  { name: "an empty PUBLISH topic without a topic alias", version: 5, packet: pub({ topic: "" }) },
  { name: "a QoS 0 PUBLISH with a packet id", version: 4, packet: pub({ packetId: 1 }) },
  { name: "a QoS 1 PUBLISH without a packet id", version: 4, packet: pub({ qos: 1 }) },
  { name: "a QoS 0 PUBLISH with the dup flag", version: 4, packet: pub({ dup: true }) },
  {
    name: "a PUBLISH with packet id 70000",
    version: 4,
    packet: pub({ qos: 1, packetId: 70000 }),
    error: RangeError,
  },
  {
    name: "a PUBLISH with packet id 0",
    version: 4,
    packet: pub({ qos: 2, packetId: 0 }),
    error: RangeError,
  },
  {
    name: "a PUBLISH with packet id 1.5",
    version: 4,
    packet: pub({ qos: 1, packetId: 1.5 }),
  },
  { name: "a PUBLISH with QoS 3", version: 4, packet: pub({ qos: 3 as 0 }), error: RangeError },
  {
    name: "a PUBLISH topic of 65,536 bytes",
    version: 4,
    packet: pub({ topic: "a".repeat(65536) }),
    error: RangeError,
  },
  {
    name: "a PUBLISH topic of 40,000 UTF-16 units but 80,000 UTF-8 bytes",
    version: 4,
    packet: pub({ topic: "é".repeat(40000) }),
    error: RangeError,
  },
  { name: "a PUBLISH topic with U+0000", version: 4, packet: pub({ topic: "a\u0000b" }) },
  { name: "a PUBLISH topic with a lone surrogate", version: 4, packet: pub({ topic: "a\ud800" }) },
  {
    name: "a PUBLISH whose payload is a string",
    version: 4,
    packet: pub({ payload: "x" as unknown as Uint8Array }),
    error: TypeError,
  },
  {
    name: "MQTT 5 properties on an MQTT 3.1.1 PUBLISH",
    version: 4,
    packet: pub({ properties: { messageExpiryInterval: 1 } }),
  },
  {
    name: "MQTT 5 properties on an MQTT 3.1.1 CONNECT",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c",
      clean: true,
      keepalive: 0,
      properties: { sessionExpiryInterval: 1 },
    },
  },
  {
    name: "a property not allowed in PUBLISH",
    version: 5,
    packet: pub({ properties: { sessionExpiryInterval: 1 } }),
  },
  {
    name: "topic alias 0",
    version: 5,
    packet: pub({ properties: { topicAlias: 0 } }),
    error: RangeError,
  },
  {
    name: "subscription identifier 268,435,456",
    version: 5,
    packet: pub({ properties: { subscriptionIdentifier: 268435456 } }),
    error: RangeError,
  },
  {
    name: "a message expiry interval of 2^32",
    version: 5,
    packet: pub({ properties: { messageExpiryInterval: 2 ** 32 } }),
    error: RangeError,
  },
  {
    name: "a CONNECT keepalive of 65,536",
    version: 4,
    packet: { type: "connect", protocolVersion: 4, clientId: "c", clean: true, keepalive: 65536 },
    error: RangeError,
  },
  {
    name: "a CONNECT with a password and no username before MQTT 5",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c",
      clean: true,
      keepalive: 0,
      password: new Uint8Array([1]),
    },
  },
  {
    name: "a CONNECT will with QoS 3",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c",
      clean: true,
      keepalive: 0,
      will: { topic: "w", payload: new Uint8Array(0), qos: 3, retain: false },
    },
    error: RangeError,
  },
  {
    name: "a SUBSCRIBE with no subscriptions",
    version: 4,
    packet: { type: "subscribe", packetId: 1, subscriptions: [] },
  },
  {
    name: "a SUBSCRIBE with retain handling 3",
    version: 5,
    packet: {
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "t", qos: 0, retainHandling: 3 }],
    },
    error: RangeError,
  },
  {
    name: "an UNSUBSCRIBE with no topic filters",
    version: 4,
    packet: { type: "unsubscribe", packetId: 1, topicFilters: [] },
  },
  {
    name: "a PUBACK with packet id 65,536",
    version: 4,
    packet: { type: "puback", packetId: 65536, reasonCode: 0 },
    error: RangeError,
  },
  {
    name: "a PUBACK with reason code 256",
    version: 5,
    packet: { type: "puback", packetId: 1, reasonCode: 256 },
    error: RangeError,
  },
  { name: "an AUTH before MQTT 5", version: 4, packet: { type: "auth", reasonCode: 0 } },
  { name: "an unknown packet type", version: 4, packet: { type: "bogus" }, error: TypeError },
  ...["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"].map((type) => ({
    name: `a packet type named like an Object.prototype member ("${type}")`,
    version: 4 as const,
    packet: { type },
    error: TypeError,
  })),
];

describe("encodePacket refuses bad packet objects", () => {
  for (const r of encodeRows) {
    it(`encodePacket rejects ${r.name} (v${r.version})`, () => {
      assert.throws(() => encodePacket(r.packet as Packet, r.version), (error: unknown) => {
        const expected = r.error === undefined ? [TypeError, RangeError] : [r.error];
        assert.ok(
          expected.some((kind) => error instanceof kind),
          `expected ${expected.map((kind) => kind.name).join(" or ")}, got ${String(error)}`,
        );
        return true;
      });
    });
  }

  it("encodePacket rejects a PUBLISH whose remaining length would pass 268,435,455", () => {
    const payload = new Uint8Array(268_435_455 - 3 + 1);
    assert.throws(() => encodePacket(pub({ payload }), 4), RangeError);
  });
});
