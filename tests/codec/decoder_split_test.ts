/**
 * PacketDecoder framing: a stream of mixed packets gives the same packets however it is cut
 * into chunks (every two-chunk split, byte by byte, random chunkings, one chunk), and the
 * maximum packet size is enforced from the fixed header, before the body arrives.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet, ProtocolVersion } from "../../src/codec/types.ts";
import { MalformedPacketError } from "../../src/errors.ts";
import { concat, fromHex, utf8 } from "../_helpers/hex.ts";
import { Rng } from "../_helpers/packet_gen.ts";
import { withOffsetViews } from "../_helpers/codec_fixtures.ts";

const EMPTY = new Uint8Array(0);
const BIG = new Uint8Array(300).map((_, i) => (i * 31) & 0xff);

/** [frame hex or bytes, packet] pairs for MQTT 5, in stream order. */
const STREAM_5: [string | Uint8Array, Packet][] = [
  ["20 03 00 00 00", { type: "connack", sessionPresent: false, reasonCode: 0 }],
  [
    "30 06 0001 74 00 6869",
    { type: "publish", topic: "t", payload: utf8("hi"), qos: 0, retain: false, dup: false },
  ],
  [
    "32 1b 0003 612f62 0102 0c 02 0000003c 26 0001 6b 0001 76 | 7061796c6f6164",
    {
      type: "publish",
      topic: "a/b",
      payload: utf8("payload"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 0x0102,
      properties: { messageExpiryInterval: 60, userProperties: [["k", "v"]] },
    },
  ],
  ["40 02 0001", { type: "puback", packetId: 1, reasonCode: 0 }],
  ["d0 00", { type: "pingresp" }],
  [
    concat(fromHex("31 b0 02 0001 74 00"), BIG),
    { type: "publish", topic: "t", payload: BIG, qos: 0, retain: true, dup: false },
  ],
  [
    "90 0a 0001 04 1f 0001 78 00 87 a2",
    {
      type: "suback",
      packetId: 1,
      reasonCodes: [0x00, 0x87, 0xa2],
      properties: { reasonString: "x" },
    },
  ],
  [
    "30 04 0001 74 00",
    { type: "publish", topic: "t", payload: EMPTY, qos: 0, retain: false, dup: false },
  ],
  ["b0 04 0002 00 11", { type: "unsuback", packetId: 2, reasonCodes: [0x11] }],
  ["50 03 0005 80", { type: "pubrec", packetId: 5, reasonCode: 0x80 }],
  ["62 02 0005", { type: "pubrel", packetId: 5, reasonCode: 0 }],
  [
    "3d 07 0001 64 1234 00 70",
    {
      type: "publish",
      topic: "d",
      payload: utf8("p"),
      qos: 2,
      retain: true,
      dup: true,
      packetId: 0x1234,
    },
  ],
  ["f0 00", { type: "auth", reasonCode: 0 }],
  ["e0 01 8e", { type: "disconnect", reasonCode: 0x8e }],
];

/** The same idea for MQTT 3.1.1. */
const STREAM_4: [string | Uint8Array, Packet][] = [
  ["20 02 01 00", { type: "connack", sessionPresent: true, reasonCode: 0 }],
  [
    "30 0a 0003 612f62 68656c6c6f",
    { type: "publish", topic: "a/b", payload: utf8("hello"), qos: 0, retain: false, dup: false },
  ],
  [
    concat(fromHex("32 b0 02 0001 74 0007"), BIG.subarray(0, 299)),
    {
      type: "publish",
      topic: "t",
      payload: BIG.subarray(0, 299),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 7,
    },
  ],
  ["90 03 0001 80", { type: "suback", packetId: 1, reasonCodes: [0x80] }],
  ["b0 02 0001", { type: "unsuback", packetId: 1, reasonCodes: [] }],
  ["d0 00", { type: "pingresp" }],
  ["70 02 ffff", { type: "pubcomp", packetId: 0xffff, reasonCode: 0 }],
];

function streamOf(rows: [string | Uint8Array, Packet][]): [Uint8Array, Packet[]] {
  const frames = rows.map(([frame]) => (typeof frame === "string" ? fromHex(frame) : frame));
  return [concat(...frames), rows.map(([, packet]) => packet)];
}

/**
 * Feeds `bytes` cut at `cuts` (sorted offsets) and returns every packet decoded. Each chunk is
 * a fresh copy, as a socket hands over fresh buffers, or with `offsetViews` a view at an
 * offset into a larger buffer.
 */
function feed(
  version: ProtocolVersion,
  bytes: Uint8Array,
  cuts: number[],
  offsetViews = false,
): Packet[] {
  const decoder = new PacketDecoder({ protocolVersion: version });
  const out: Packet[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    const chunk = bytes.slice(start, cut);
    out.push(...decoder.push(offsetViews ? withOffsetViews(chunk) : chunk));
    start = cut;
  }
  return out;
}

for (const [version, rows] of [[5, STREAM_5], [4, STREAM_4]] as const) {
  const [bytes, packets] = streamOf(rows);

  describe(`PacketDecoder.push on a stream of ${packets.length} packets (v${version})`, () => {
    it(`PacketDecoder.push decodes the whole stream given in one chunk (v${version})`, () => {
      assert.deepStrictEqual(feed(version, bytes, []), packets);
    });

    it(`PacketDecoder.push decodes the stream cut in two at every offset (v${version})`, () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepStrictEqual(feed(version, bytes, [cut]), packets, `cut at ${cut}`);
      }
    });

    it(`PacketDecoder.push decodes the stream fed one byte at a time (v${version})`, () => {
      const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
      assert.deepStrictEqual(feed(version, bytes, cuts), packets);
    });

    it(`PacketDecoder.push decodes the stream in 500 random chunkings (v${version})`, () => {
      const seed = 7000 + version;
      const rng = new Rng(seed);
      for (let trial = 0; trial < 500; trial++) {
        const cuts: number[] = [];
        let at = 0;
        for (;;) {
          at += rng.chance(0.5) ? rng.int(1, 4) : rng.int(1, 120);
          if (at >= bytes.length) break;
          cuts.push(at);
        }
        assert.deepStrictEqual(feed(version, bytes, cuts), packets, `seed ${seed} trial ${trial}`);
      }
    });

    it(`PacketDecoder.push reads chunks that are views at an offset into larger buffers (v${version})`, () => {
      const rng = new Rng(9000 + version);
      for (let trial = 0; trial < 50; trial++) {
        const cuts: number[] = [];
        for (let at = rng.int(1, 40); at < bytes.length; at += rng.int(1, 40)) cuts.push(at);
        assert.deepStrictEqual(feed(version, bytes, cuts, true), packets, `trial ${trial}`);
      }
    });

    it(`PacketDecoder.push keeps earlier PUBLISH payloads intact while later chunks arrive (v${version})`, () => {
      const decoder = new PacketDecoder({ protocolVersion: version });
      const out: Packet[] = [];
      for (let i = 0; i < bytes.length; i += 3) out.push(...decoder.push(bytes.slice(i, i + 3)));
      // Compared only now, after every push: a decoder that reuses one internal buffer for the
      // payload views would show later bytes here.
      assert.deepStrictEqual(out, packets);
    });

    it(`PacketDecoder.push returns nothing until a frame is complete (v${version})`, () => {
      const decoder = new PacketDecoder({ protocolVersion: version });
      const [frame, packet] = rows[0]!;
      const first = typeof frame === "string" ? fromHex(frame) : frame;
      assert.deepStrictEqual(decoder.push(first.subarray(0, first.length - 1)), []);
      assert.deepStrictEqual(decoder.push(first.subarray(first.length - 1)), [packet]);
    });
  });
}

describe("PacketDecoder state", () => {
  it("PacketDecoder.push keeps failing after a malformed packet, even on valid bytes", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    assert.throws(() => decoder.push(fromHex("c1 00")), MalformedPacketError);
    assert.throws(() => decoder.push(fromHex("d0 00")), MalformedPacketError);
  });

  it("PacketDecoder.push reads the rest of the stream in the version a CONNECT states", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const connect5 = "10 0d 0004 4d515454 05 02 0000 00 0000";
    // A v5 PUBLISH with a Topic Alias property: only readable as MQTT 5.
    const publish5 = "30 07 0001 74 03 23 0005";
    assert.deepStrictEqual(decoder.push(fromHex(`${connect5} ${publish5}`)), [
      { type: "connect", protocolVersion: 5, clientId: "", clean: true, keepalive: 0 },
      {
        type: "publish",
        topic: "t",
        payload: EMPTY,
        qos: 0,
        retain: false,
        dup: false,
        properties: { topicAlias: 5 },
      },
    ]);
  });
});

describe("PacketDecoder maximumPacketSize from the fixed header", () => {
  const tooBig = () => (error: unknown) => {
    assert.ok(error instanceof MalformedPacketError, String(error));
    assert.equal(error.reasonCode, 0x95);
    return true;
  };

  it("PacketDecoder.push refuses a 2,097,152-byte PUBLISH when only its fixed header has come", () => {
    const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 65536 });
    assert.throws(() => decoder.push(fromHex("30 80 80 80 01")), tooBig());
  });

  it("PacketDecoder.push refuses an oversize packet whose fixed header arrives byte by byte", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 100 });
    assert.deepStrictEqual(decoder.push(fromHex("30")), []);
    assert.deepStrictEqual(decoder.push(fromHex("e5")), []);
    assert.throws(() => decoder.push(fromHex("01")), tooBig());
  });

  it("PacketDecoder.push refuses the largest remaining length, 268,435,455, above the limit", () => {
    const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 268_435_455 });
    assert.throws(() => decoder.push(fromHex("30 ff ff ff 7f")), tooBig());
  });

  it("PacketDecoder.push accepts packets up to the limit split across chunks", () => {
    // 2 + 100 bytes: "30 64 0001 74" + 97 payload bytes, with a limit of exactly 102.
    const frame = concat(fromHex("30 64 0001 74"), BIG.subarray(0, 97));
    const decoder = new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 102 });
    const out = [...decoder.push(frame.subarray(0, 50)), ...decoder.push(frame.subarray(50))];
    assert.equal(out.length, 1);
    assert.deepStrictEqual((out[0] as { payload: Uint8Array }).payload, BIG.subarray(0, 97));
  });

  it("PacketDecoder.push delivers the packets before an oversize one, then refuses", () => {
    const decoder = new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 10 });
    assert.deepStrictEqual(decoder.push(fromHex("d0 00")), [{ type: "pingresp" }]);
    assert.throws(() => decoder.push(fromHex("30 09 0001 74 000000000000")), tooBig());
  });
});
