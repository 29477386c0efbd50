/**
 * The lite codec against the full one: seeded random packets must encode to the same bytes and
 * decode to the same objects (whole, in random splits, one byte at a time, several per chunk),
 * malformed frames must be refused alike, and bad packet objects must be refused with a
 * TypeError or RangeError naming the field.
 *
 * The seed is fixed so the suite is deterministic; set KORERO_SEED to explore others.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Decoder, encode } from "../../src/lite/codec.ts";
import { decodePacket, encodePacket, PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet, PacketType, PublishPacket } from "../../src/codec/types.ts";
import { MalformedPacketError, MqttError, ProtocolError } from "../../src/errors.ts";
import { randomPacket, Rng } from "../_helpers/packet_gen.ts";
import { concat, fromHex, hex } from "../_helpers/hex.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const BASE_SEED = Number(env?.KORERO_SEED ?? 20261206);
const PER_TYPE = 1500;
const VERSIONS = [4, 5] as const;
type Version = 4 | 5;

const SENT: PacketType[] = [
  "connect",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "unsubscribe",
  "pingreq",
  "disconnect",
  "auth",
];
const RECEIVED: PacketType[] = [
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "suback",
  "unsuback",
  "pingresp",
  "disconnect",
  "auth",
];
const typesFor = (types: PacketType[], v: Version) => types.filter((t) => t !== "auth" || v === 5);
const seedOf = (v: Version, type: string, salt: number) =>
  BASE_SEED + v * 1000 + salt * 100 + type.length * 17 + type.charCodeAt(0);

function show(packet: unknown): string {
  return JSON.stringify(
    packet,
    (_key, value) => value instanceof Uint8Array ? `<${value.length} bytes>` : value,
  );
}

/** Random received packets of every type for `v` and their frames (full codec). */
function receivedBatch(
  rng: Rng,
  v: Version,
  count: number,
): { packets: Packet[]; bytes: Uint8Array } {
  const types = typesFor(RECEIVED, v);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    frames.push(encodePacket(randomPacket(rng, v, rng.pick(types)), v));
  }
  return { packets: frames.map((frame) => decodePacket(frame, v)), bytes: concat(...frames) };
}

for (const v of VERSIONS) {
  describe(`encode (lite) equals encodePacket, MQTT v${v}`, () => {
    for (const type of typesFor(SENT, v)) {
      it(`encode writes the same bytes as encodePacket for ${PER_TYPE} random ${type} packets`, () => {
        const seed = seedOf(v, type, 1);
        const rng = new Rng(seed);
        for (let i = 0; i < PER_TYPE; i++) {
          const packet = randomPacket(rng, v, type);
          const expected = encodePacket(packet, v);
          const actual = encode(packet, v);
          assert.ok(actual instanceof Uint8Array);
          if (actual.length !== expected.length || hex(actual) !== hex(expected)) {
            assert.fail(`seed ${seed}, #${i}: ${show(packet)}\n${hex(actual)}\n${hex(expected)}`);
          }
        }
      });
    }
  });

  describe(`Decoder (lite) equals decodePacket, MQTT v${v}`, () => {
    for (const type of typesFor(RECEIVED, v)) {
      it(`Decoder.push reads ${PER_TYPE} random ${type} frames as decodePacket does`, () => {
        const seed = seedOf(v, type, 2);
        const rng = new Rng(seed);
        for (let i = 0; i < PER_TYPE; i++) {
          const frame = encodePacket(randomPacket(rng, v, type), v);
          const expected = decodePacket(frame, v);
          assert.deepStrictEqual(new Decoder(v).push(frame), [expected], `seed ${seed}, #${i}`);
        }
      });
    }

    it("Decoder.push reads many packets concatenated in one chunk", () => {
      const seed = seedOf(v, "concat", 3);
      const { packets, bytes } = receivedBatch(new Rng(seed), v, 2000);
      assert.deepStrictEqual(new Decoder(v).push(bytes), packets, `seed ${seed}`);
    });

    it("Decoder.push reads the same stream split at random points", () => {
      const seed = seedOf(v, "splits", 4);
      const rng = new Rng(seed);
      for (let round = 0; round < 20; round++) {
        const { packets, bytes } = receivedBatch(rng, v, 100);
        const decoder = new Decoder(v);
        const out: Packet[] = [];
        for (let pos = 0; pos < bytes.length;) {
          const size = rng.chance(0.5) ? rng.int(1, 8) : rng.int(1, 3000);
          out.push(...decoder.push(bytes.slice(pos, pos + size)));
          pos += size;
        }
        assert.deepStrictEqual(out, packets, `seed ${seed}, round ${round}`);
      }
    });

    it("Decoder.push reads the same stream one byte at a time", () => {
      const seed = seedOf(v, "bytes", 5);
      const { packets, bytes } = receivedBatch(new Rng(seed), v, 300);
      const decoder = new Decoder(v);
      const out: Packet[] = [];
      for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
      assert.deepStrictEqual(out, packets, `seed ${seed}`);
    });

    it("Decoder.push returns payloads that survive the chunk being reused", () => {
      const frame = encodePacket(
        {
          type: "publish",
          topic: "a",
          payload: new Uint8Array([1, 2, 3]),
          qos: 0,
          retain: false,
          dup: false,
        },
        v,
      );
      const [packet] = new Decoder(v).push(frame) as PublishPacket[];
      frame.fill(0);
      assert.deepStrictEqual([...packet!.payload], [1, 2, 3]);
    });
  });
}

// ---- malformed input --------------------------------------------------------------------

/** The outcome of pushing `bytes` into a fresh decoder: packets, or the error's class and code. */
function outcome(push: (bytes: Uint8Array) => Packet[], bytes: Uint8Array): unknown {
  try {
    return push(bytes);
  } catch (error) {
    if (!(error instanceof MqttError)) throw error;
    return { error: error.name, reasonCode: error.reasonCode };
  }
}

const SERVER_ONLY = [
  "",
  "CONNECT",
  "",
  "",
  "",
  "",
  "",
  "",
  "SUBSCRIBE",
  "",
  "UNSUBSCRIBE",
  "",
  "PINGREQ",
];

/**
 * Checks the lite decoder does with `bytes` what the full one does, except that it refuses a
 * packet only a server receives (which the full decoder reads, or refuses for its body).
 */
function sameAsFull(v: Version, bytes: Uint8Array, name: string): void {
  const decoder = new PacketDecoder({ protocolVersion: v });
  const full = outcome((b) => decoder.push(b), bytes);
  let lite: unknown;
  try {
    lite = new Decoder(v).push(bytes);
  } catch (error) {
    if (!(error instanceof MqttError)) throw error;
    lite = { error: error.name, reasonCode: error.reasonCode };
    const serverOnly = /A server must not send a ([A-Z]+)$/.exec(error.message)?.[1];
    if (serverOnly !== undefined) {
      assert.ok(SERVER_ONLY.includes(serverOnly), error.message);
      assert.equal(error.reasonCode, 0x82);
      if (!Array.isArray(full)) return;
      // The full decoder read that packet, or is waiting for the rest of it.
      const read = full.some((p) => p.type.toUpperCase() === serverOnly);
      assert.ok(read || decoder.bufferedLength > 0, `${name}: ${hex(bytes)}`);
      return;
    }
  }
  assert.deepStrictEqual(lite, full, `${name}: ${hex(bytes)}`);
}

/** The rows of `tests/codec/malformed_test.ts` whose frame is a plain hex literal. */
function malformedRows(): { name: string; versions: number[]; hex: string }[] {
  const text = readFileSync(new URL("../codec/malformed_test.ts", import.meta.url), "utf8");
  const sets: Record<string, number[]> = { ALL: [4, 5], V4: [4], V5: [5], V45: [4, 5] };
  const rows = [];
  const pattern = /row\(\s*(ALL|V4|V5|V45|\[[\d, ]+\]),\s*"([^"]*)",\s*(?:"([^"]*)"|`([^`]*)`)/g;
  for (const m of text.matchAll(pattern)) {
    const versions = sets[m[1]!] ?? JSON.parse(m[1]!);
    const frame = (m[3] ?? m[4]!).replaceAll("${MQTT}", "0004 4d515454");
    if (!frame.includes("${")) rows.push({ name: m[2]!, versions, hex: frame });
  }
  return rows;
}

describe("Decoder (lite) refuses what the full decoder refuses", () => {
  const rows = malformedRows();

  it("Decoder.push matches PacketDecoder on every fixture of malformed_test.ts", () => {
    assert.ok(rows.length > 80, `only ${rows.length} rows parsed`);
    for (const row of rows) {
      for (const v of row.versions) {
        if (v === 4 || v === 5) sameAsFull(v, fromHex(row.hex), row.name);
      }
    }
  });

  it("Decoder.push matches PacketDecoder on randomly damaged frames", () => {
    for (const v of VERSIONS) {
      const seed = seedOf(v, "damage", 6);
      const rng = new Rng(seed);
      for (let i = 0; i < 20000; i++) {
        const frame = encodePacket(randomPacket(rng, v, rng.pick(typesFor(RECEIVED, v))), v)
          .slice(0, 300);
        for (let k = rng.int(1, 3); k > 0; k--) {
          const at = rng.int(0, frame.length - 1);
          frame[at] = rng.chance(0.5) ? rng.int(0, 255) : frame[at]! ^ (1 << rng.int(0, 7));
        }
        sameAsFull(v, frame, `seed ${seed}, #${i}`);
      }
    }
  });

  const refusals: [string, Version, string, typeof MalformedPacketError, number][] = [
    ["a five-byte remaining length", 4, "30 80 80 80 80 01", MalformedPacketError, 0x81],
    ["a non-minimal remaining length", 5, "d0 80 00", MalformedPacketError, 0x81],
    ["a PUBACK with the wrong remaining length", 4, "40 03 0001 00", MalformedPacketError, 0x81],
    ["a truncated CONNACK", 5, "20 01 00", MalformedPacketError, 0x81],
    ["a PUBREL without flags 0010", 4, "60 02 0001", MalformedPacketError, 0x81],
    ["a topic with invalid UTF-8", 4, "30 04 0002 61 80", MalformedPacketError, 0x81],
    ["a topic with U+0000", 5, "30 06 0003 61 00 62 00", MalformedPacketError, 0x81],
    ["an unknown property", 5, "40 05 0001 80 01 7f", MalformedPacketError, 0x81],
    [
      "a property the packet may not carry",
      5,
      "40 07 0001 80 03 23 0001",
      MalformedPacketError,
      0x81,
    ],
    ["a reason string twice", 5, "40 0a 0001 80 06 1f 0000 1f 0000", ProtocolError, 0x82],
    ["packet type 0", 4, "00 00", MalformedPacketError, 0x81],
    ["an AUTH before MQTT 5", 4, "f0 00", MalformedPacketError, 0x81],
    ["a CONNECT", 4, "10 0c 0004 4d515454 04 02 0000 0000", ProtocolError, 0x82],
    ["a SUBSCRIBE", 5, "82 06 0001 0001 74 00", ProtocolError, 0x82],
    ["an UNSUBSCRIBE", 4, "a2 05 0001 0001 74", ProtocolError, 0x82],
    ["a PINGREQ", 5, "c0 00", ProtocolError, 0x82],
  ];
  for (const [name, v, bytes, type, code] of refusals) {
    it(`Decoder.push refuses ${name} (v${v}) with reason code ${code}`, () => {
      assert.throws(
        () => new Decoder(v).push(fromHex(bytes)),
        (error: unknown) => error instanceof type && error.reasonCode === code,
      );
    });
  }

  it("Decoder.push names the server-only packet type it refuses", () => {
    assert.throws(() => new Decoder(4).push(fromHex("c0 00")), /PINGREQ/);
  });

  it("Decoder.push refuses a packet over maximumPacketSize with 0x95 once its header is read", () => {
    const frame = encodePacket(
      {
        type: "publish",
        topic: "t",
        payload: new Uint8Array(100),
        qos: 0,
        retain: false,
        dup: false,
      },
      5,
    );
    const decoder = new Decoder(5, 50);
    assert.throws(
      () => decoder.push(frame.subarray(0, 3)),
      (error: unknown) => error instanceof MalformedPacketError && error.reasonCode === 0x95,
    );
    assert.throws(() => decoder.push(fromHex("d0 00")), MalformedPacketError, "stays failed");
    assert.deepStrictEqual(new Decoder(5, frame.length).push(frame), [decodePacket(frame, 5)]);
  });
});

// ---- bad packet objects -------------------------------------------------------------------

const publish = (fields: Record<string, unknown>): Packet =>
  ({
    type: "publish",
    topic: "a/b",
    payload: new Uint8Array(1),
    qos: 0,
    retain: false,
    dup: false,
    ...fields,
  }) as Packet;
const ack = (fields: Record<string, unknown>): Packet =>
  ({ type: "puback", packetId: 1, reasonCode: 0, ...fields }) as Packet;
const connect = (fields: Record<string, unknown>): Packet =>
  ({
    type: "connect",
    protocolVersion: 5,
    clientId: "c",
    clean: true,
    keepalive: 60,
    ...fields,
  }) as Packet;

const badObjects: [string, Packet, Version, ErrorConstructor, RegExp][] = [
  [
    "a server-only packet type",
    { type: "connack", sessionPresent: false, reasonCode: 0 },
    5,
    TypeError,
    /connack/,
  ],
  ["an unknown packet type", { type: "nope" } as unknown as Packet, 4, TypeError, /packet\.type/],
  ["a topic that is not a string", publish({ topic: 7 }), 4, TypeError, /^topic/],
  [
    "a topic over 65535 bytes",
    publish({ topic: "é".repeat(40000) }),
    4,
    RangeError,
    /^topic .*65535/,
  ],
  ["a topic with a wildcard", publish({ topic: "a/+" }), 4, RangeError, /^topic/],
  ["a topic with a lone surrogate", publish({ topic: "a\ud800" }), 5, RangeError, /^topic/],
  ["a topic with U+0000", publish({ topic: "a\0" }), 5, RangeError, /^topic/],
  ["QoS 3", publish({ qos: 3, packetId: 1 }), 4, RangeError, /^qos/],
  ["QoS as a string", publish({ qos: "1" }), 4, TypeError, /^qos/],
  ["packet id 0", publish({ qos: 1, packetId: 0 }), 4, RangeError, /^packetId/],
  ["packet id 65536", ack({ packetId: 65536 }), 5, RangeError, /^packetId/],
  ["a missing packet id", ack({ packetId: undefined }), 5, TypeError, /^packetId/],
  ["a packet id at QoS 0", publish({ packetId: 1 }), 4, RangeError, /^packetId/],
  ["a payload that is not a Uint8Array", publish({ payload: "x" }), 4, TypeError, /^payload/],
  ["retain as a number", publish({ retain: 1 }), 4, TypeError, /^retain/],
  ["a reason code before MQTT 5", ack({ reasonCode: 0x80 }), 4, RangeError, /^reasonCode/],
  [
    "a reason code the packet may not carry",
    ack({ reasonCode: 0x92 }),
    5,
    RangeError,
    /^reasonCode/,
  ],
  [
    "properties before MQTT 5",
    publish({ properties: { contentType: "x" } }),
    4,
    RangeError,
    /^properties/,
  ],
  [
    "an unknown property",
    publish({ properties: { colour: 1 } }),
    5,
    TypeError,
    /properties\.colour/,
  ],
  [
    "a misplaced property",
    publish({ properties: { receiveMaximum: 1 } }),
    5,
    RangeError,
    /properties\.receiveMaximum/,
  ],
  [
    "a will property on a CONNECT",
    connect({ properties: { willDelayInterval: 1 } }),
    5,
    RangeError,
    /properties\.willDelayInterval/,
  ],
  [
    "topicAlias 0",
    publish({ properties: { topicAlias: 0 } }),
    5,
    RangeError,
    /properties\.topicAlias/,
  ],
  [
    "topicAlias as a string",
    publish({ properties: { topicAlias: "1" } }),
    5,
    TypeError,
    /properties\.topicAlias/,
  ],
  [
    "messageExpiryInterval over 2^32",
    publish({ properties: { messageExpiryInterval: 2 ** 32 } }),
    5,
    RangeError,
    /messageExpiryInterval/,
  ],
  [
    "subscriptionIdentifier 0",
    publish({ properties: { subscriptionIdentifier: [1, 0] } }),
    5,
    RangeError,
    /subscriptionIdentifier/,
  ],
  [
    "subscriptionIdentifier over 268435455",
    {
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a", qos: 0 }],
      properties: { subscriptionIdentifier: 268435456 },
    } as Packet,
    5,
    RangeError,
    /subscriptionIdentifier/,
  ],
  [
    "payloadFormatIndicator as 1",
    publish({ properties: { payloadFormatIndicator: 1 } }),
    5,
    TypeError,
    /payloadFormatIndicator/,
  ],
  [
    "correlationData as a string",
    publish({ properties: { correlationData: "x" } }),
    5,
    TypeError,
    /correlationData/,
  ],
  [
    "userProperties as an object",
    publish({ properties: { userProperties: { a: "b" } } }),
    5,
    TypeError,
    /userProperties/,
  ],
  [
    "a user property value that is not a string",
    publish({ properties: { userProperties: [["a", 1]] } }),
    5,
    TypeError,
    /userProperties\[0\]\[1\]/,
  ],
  [
    "receiveMaximum 0 on a CONNECT",
    connect({ properties: { receiveMaximum: 0 } }),
    5,
    RangeError,
    /receiveMaximum/,
  ],
  [
    "a bad will property",
    connect({
      will: {
        topic: "w",
        payload: new Uint8Array(0),
        qos: 0,
        retain: false,
        properties: { topicAlias: 1 },
      },
    }),
    5,
    RangeError,
    /will\.properties\.topicAlias/,
  ],
  ["a keepalive over 65535", connect({ keepalive: 65536 }), 5, RangeError, /^keepalive/],
  [
    "a client id over 65535 bytes",
    connect({ clientId: "x".repeat(65536) }),
    5,
    RangeError,
    /^clientId/,
  ],
  ["a username that is not a string", connect({ username: 5 }), 5, TypeError, /^username/],
  [
    "a password without a username before MQTT 5",
    connect({ protocolVersion: 4, password: new Uint8Array(1) }),
    4,
    RangeError,
    /^password/,
  ],
  [
    "an empty subscription list",
    { type: "subscribe", packetId: 1, subscriptions: [] } as Packet,
    4,
    RangeError,
    /^subscriptions/,
  ],
  [
    "a subscription QoS of 3",
    {
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a", qos: 3 }],
    } as unknown as Packet,
    4,
    RangeError,
    /subscriptions\[0\]\.qos/,
  ],
  [
    "an empty topic filter",
    { type: "unsubscribe", packetId: 1, topicFilters: ["a", ""] } as Packet,
    4,
    RangeError,
    /topicFilters\[1\]/,
  ],
  [
    "noLocal before MQTT 5",
    {
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a", qos: 0, noLocal: true }],
    } as Packet,
    4,
    RangeError,
    /noLocal/,
  ],
  ["an AUTH before MQTT 5", { type: "auth", reasonCode: 0 }, 4, RangeError, /auth/],
  [
    "a remaining length over 268435455",
    publish({ payload: new Uint8Array(268_435_456) }),
    4,
    RangeError,
    /268435455/,
  ],
];

describe("encode (lite) refuses bad packet objects", () => {
  for (const [name, packet, v, type, message] of badObjects) {
    it(`encode refuses ${name} (v${v}) with a ${type.name} naming the field`, () => {
      assert.throws(() => encode(packet, v), (error: unknown) => {
        assert.ok(error instanceof type, `${error}`);
        assert.match((error as Error).message, message);
        return true;
      });
      if (!name.includes("server-only")) {
        assert.throws(() => encodePacket(packet, v), type, "the full codec refuses it too");
      }
    });
  }

  it("encode never shows a password in a message", () => {
    const password = new TextEncoder().encode("hunter2");
    for (
      const bad of [connect({ protocolVersion: 4, password }), connect({ password: "hunter2" })]
    ) {
      assert.throws(
        () => encode(bad, (bad as { protocolVersion: Version }).protocolVersion),
        (error: unknown) => {
          assert.doesNotMatch((error as Error).message, /hunter2|104,117/);
          return true;
        },
      );
    }
  });

  it("encode ignores properties set to undefined before MQTT 5, as encodePacket does", () => {
    const packet = publish({ properties: { contentType: undefined } });
    assert.deepStrictEqual(encode(packet, 4), encodePacket(packet, 4));
  });
});
